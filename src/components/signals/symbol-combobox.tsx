"use client";

import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { cn } from "@/components/ui/cn";
import { FieldError } from "@/components/ui/field";
import { createSymbolResolver } from "@/lib/market-data/symbols";
import type { SymbolInfo } from "@/lib/market-data/types";

const MAX_OPTIONS = 50;
const MARKET_LABEL: Record<SymbolInfo["market"], string> = { crypto: "Crypto", forex: "Forex", stocks: "Stocks" };

/** "binance:btc/usdt" → "BTCUSDT": exchange prefixes, separators and case never matter when searching. */
export function normalizeSymbol(text: string): string {
  return text
    .trim()
    .replace(/^[A-Z0-9_.!-]+:(?=.)/i, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "");
}

function search(symbols: SymbolInfo[], query: string): SymbolInfo[] {
  const q = normalizeSymbol(query);
  if (!q) return symbols;
  const ranked: { s: SymbolInfo; rank: number }[] = [];
  for (const s of symbols) {
    const sym = normalizeSymbol(s.symbol);
    const rank = sym === q ? 0 : sym.startsWith(q) ? 1 : s.base.toUpperCase().startsWith(q) ? 2 : sym.includes(q) ? 3 : -1;
    if (rank >= 0) ranked.push({ s, rank });
  }
  return ranked.sort((a, b) => a.rank - b.rank || a.s.symbol.localeCompare(b.s.symbol)).map((r) => r.s);
}

/**
 * Symbol picker following the WAI-ARIA combobox pattern (list autocomplete): type to filter, arrows to move,
 * Enter to choose, Escape to close or clear. Focus stays in the input; the active option is announced through
 * aria-activedescendant.
 */
export function SymbolCombobox({
  symbols,
  value,
  onChange,
  query,
  onQueryChange,
  errors,
  label = "Symbol",
  disabled,
}: {
  symbols: SymbolInfo[];
  value: SymbolInfo | null;
  onChange: (symbol: SymbolInfo | null) => void;
  query: string;
  onQueryChange: (text: string) => void;
  errors?: string[] | null;
  label?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const errId = `${id}-error`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listRef = useRef<HTMLUListElement>(null);

  const matches = useMemo(() => search(symbols, query), [symbols, query]);
  // The same resolver the server uses, so "btcusdt" or "BINANCE:BTCUSDT" typed in full picks BTC/USDT.
  const resolve = useMemo(() => createSymbolResolver(symbols), [symbols]);
  const shown = matches.slice(0, MAX_OPTIONS);
  const optionId = (i: number) => `${id}-opt-${i}`;
  const invalid = Boolean(errors?.length);

  useEffect(() => {
    if (!open || active < 0) return;
    listRef.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: "nearest" });
  }, [open, active]);

  const choose = (s: SymbolInfo) => {
    onChange(s);
    onQueryChange(s.symbol);
    setOpen(false);
    setActive(-1);
  };

  const openAt = (index: number) => {
    setOpen(true);
    setActive(shown.length ? Math.max(0, Math.min(index, shown.length - 1)) : -1);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        if (!open || e.altKey) openAt(value ? Math.max(0, shown.indexOf(value)) : 0);
        else setActive((a) => (shown.length ? (a + 1) % shown.length : -1));
        break;
      case "ArrowUp":
        e.preventDefault();
        if (!open) openAt(shown.length - 1);
        else setActive((a) => (shown.length ? (a <= 0 ? shown.length - 1 : a - 1) : -1));
        break;
      case "Enter":
        if (open && active >= 0 && shown[active]) {
          e.preventDefault();
          choose(shown[active]);
        }
        break;
      case "Escape":
        if (open) {
          e.preventDefault();
          setOpen(false);
        } else if (query) {
          e.preventDefault();
          onQueryChange("");
          onChange(null);
        }
        break;
      case "Tab":
        setOpen(false);
        break;
    }
  };

  const hint = value ? (
    <>
      {MARKET_LABEL[value.market]} · {value.base} priced in {value.quote} · {value.pricePrecision} decimals
    </>
  ) : (
    <>Type to search, e.g. BTC, EURUSD or GOOG. {symbols.length} symbols.</>
  );

  return (
    <div className="relative">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="relative mt-1">
        <input
          id={id}
          type="text"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && active >= 0 ? optionId(active) : undefined}
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? errId : hintId}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          placeholder="Search symbols"
          disabled={disabled}
          value={query}
          onChange={(e) => {
            const text = e.target.value;
            onQueryChange(text);
            if (value && normalizeSymbol(text) !== normalizeSymbol(value.symbol)) onChange(null);
            setOpen(true);
            setActive(text.trim() ? 0 : -1);
          }}
          onKeyDown={onKeyDown}
          onClick={() => (open ? undefined : openAt(value ? shown.indexOf(value) : -1))}
          onBlur={() => {
            setOpen(false);
            // Typing a full symbol and leaving the field counts as choosing it.
            if (!value) {
              const exact = resolve(query);
              if (exact) choose(exact);
            }
          }}
          className={cn(
            "block w-full rounded-md border bg-white py-2 pr-9 pl-3 font-mono text-sm text-slate-900 uppercase shadow-xs placeholder:font-sans placeholder:normal-case placeholder:text-slate-400 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none disabled:bg-slate-100",
            invalid ? "border-red-500" : "border-slate-300",
          )}
        />
        <svg aria-hidden="true" viewBox="0 0 20 20" className="pointer-events-none absolute top-1/2 right-3 size-4 -translate-y-1/2 text-slate-400" fill="currentColor">
          <path fillRule="evenodd" d="M5.2 7.2a.75.75 0 0 1 1.06 0L10 10.94l3.74-3.74a.75.75 0 1 1 1.06 1.06l-4.27 4.27a.75.75 0 0 1-1.06 0L5.2 8.26a.75.75 0 0 1 0-1.06z" clipRule="evenodd" />
        </svg>
        <div
          hidden={!open}
          // Keeps focus in the input while an option is clicked.
          onMouseDown={(e) => e.preventDefault()}
          className="absolute inset-x-0 top-full z-20 mt-1 overflow-hidden rounded-md border border-slate-200 bg-white shadow-lg"
        >
          <ul ref={listRef} id={listId} role="listbox" aria-label="Symbols" className="max-h-64 overflow-y-auto py-1">
            {open
              ? shown.map((s, i) => (
                  <li
                    key={s.symbol}
                    id={optionId(i)}
                    data-index={i}
                    role="option"
                    aria-selected={value?.symbol === s.symbol}
                    onClick={() => choose(s)}
                    onMouseMove={() => (active === i ? undefined : setActive(i))}
                    className={cn("flex cursor-pointer items-center justify-between gap-3 px-3 py-2 text-sm", i === active ? "bg-brand-50 text-brand-900" : "text-slate-900")}
                  >
                    <span className="font-mono font-medium">{s.symbol}</span>
                    <span className="text-xs text-slate-500">
                      {MARKET_LABEL[s.market]}
                      {value?.symbol === s.symbol ? <span className="ml-2 text-brand-700" aria-hidden="true">✓</span> : null}
                    </span>
                  </li>
                ))
              : null}
          </ul>
          {open && !shown.length ? <p className="px-3 py-2 text-sm text-slate-600">No symbol matches “{query.trim()}”.</p> : null}
          {open && matches.length > shown.length ? (
            <p className="border-t border-slate-100 px-3 py-1.5 text-xs text-slate-500">
              Showing {shown.length} of {matches.length}; keep typing to narrow.
            </p>
          ) : null}
        </div>
      </div>
      {invalid ? null : (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
      <FieldError id={errId} messages={errors} />
      <p className="sr-only" aria-live="polite">
        {open && query.trim() ? (shown.length ? `${matches.length} matching symbol${matches.length === 1 ? "" : "s"}` : "No matching symbol") : ""}
      </p>
    </div>
  );
}

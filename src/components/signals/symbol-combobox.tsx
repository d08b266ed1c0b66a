"use client";

import { useMemo } from "react";
import { Combobox, type ComboboxOption } from "@/components/ui/combobox";
import { marketLabel } from "@/lib/labels";
import { createSymbolResolver } from "@/lib/market-data/symbols";
import type { SymbolInfo } from "@/lib/market-data/types";

const MAX_OPTIONS = 50;

/** "binance:btc/usdt" → "BTCUSDT": exchange prefixes, separators and case never matter when searching. */
export function normalizeSymbol(text: string): string {
  return text
    .trim()
    .replace(/^[A-Z0-9_.!-]+:(?=.)/i, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "");
}

type SymbolOption = ComboboxOption & { symbol: SymbolInfo };

/** Symbols matching the text, best first: the exact symbol, then symbols and bases starting with it, then the rest containing it. */
function search(options: SymbolOption[], query: string): SymbolOption[] {
  const q = normalizeSymbol(query);
  if (!q) return options;
  const ranked: { o: SymbolOption; rank: number }[] = [];
  for (const o of options) {
    const sym = normalizeSymbol(o.symbol.symbol);
    const rank = sym === q ? 0 : sym.startsWith(q) ? 1 : o.symbol.base.toUpperCase().startsWith(q) ? 2 : sym.includes(q) ? 3 : -1;
    if (rank >= 0) ranked.push({ o, rank });
  }
  return ranked.sort((a, b) => a.rank - b.rank || a.o.value.localeCompare(b.o.value)).map((r) => r.o);
}

/**
 * The symbol picker: the kit's Combobox in input mode (the field is the search box; arrows move, Enter chooses,
 * Escape closes, then clears), ranked by `search`, at most MAX_OPTIONS listed. Typing a full symbol ("btcusdt",
 * "BINANCE:BTCUSDT") and leaving the field chooses it; typing away from the chosen symbol un-chooses it.
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
  const options = useMemo(() => symbols.map((s): SymbolOption => ({ value: s.symbol, label: s.symbol, symbol: s })), [symbols]);
  // The same resolver the server uses, so "btcusdt" or "BINANCE:BTCUSDT" typed in full picks BTC/USDT.
  const resolve = useMemo(() => createSymbolResolver(symbols), [symbols]);
  const matches = useMemo(() => search(options, query), [options, query]);
  const shownCount = Math.min(matches.length, MAX_OPTIONS);

  const choose = (s: SymbolInfo | null) => {
    onChange(s);
    if (s) onQueryChange(s.symbol);
  };

  return (
    <div>
      <Combobox<SymbolOption>
        mode="input"
        label={label}
        listLabel="Symbols"
        options={options}
        value={value?.symbol ?? null}
        onValueChange={(_v, option) => {
          if (option) choose(option.symbol);
          else {
            onChange(null);
            onQueryChange("");
          }
        }}
        search={query}
        onSearchChange={(text) => {
          onQueryChange(text);
          if (value && normalizeSymbol(text) !== normalizeSymbol(value.symbol)) onChange(null);
        }}
        filter={search}
        maxOptions={MAX_OPTIONS}
        placeholder="Search symbols"
        emptyText={<>No symbol matches “{query.trim()}”.</>}
        footer={matches.length > shownCount ? `Showing ${shownCount} of ${matches.length}; keep typing to narrow.` : null}
        renderOption={(o) => (
          <span className="flex min-w-0 flex-1 items-center justify-between gap-3">
            <span className="font-mono font-medium">{o.symbol.symbol}</span>
            <span className="text-xs text-slate-500">{marketLabel(o.symbol.market)}</span>
          </span>
        )}
        hint={
          value ? (
            <>
              {marketLabel(value.market)} · {value.base} priced in {value.quote} · {value.pricePrecision} decimals
            </>
          ) : (
            <>Type to search, e.g. BTC, EURUSD or GOOG. {symbols.length} symbols.</>
          )
        }
        errors={errors}
        disabled={disabled}
        onInputBlur={() => {
          // Typing a full symbol and leaving the field counts as choosing it.
          if (value) return;
          const exact = resolve(query);
          if (exact) choose(exact);
        }}
        inputProps={{ autoCapitalize: "characters", spellCheck: false }}
        controlClassName="h-[38px] font-mono uppercase placeholder:font-sans placeholder:normal-case"
      />
      <p className="sr-only" aria-live="polite">
        {query.trim() && !value ? (matches.length ? `${matches.length} matching symbol${matches.length === 1 ? "" : "s"}` : "No matching symbol") : ""}
      </p>
    </div>
  );
}

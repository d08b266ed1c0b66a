"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { SelectField } from "@/components/ui/select";
import { Spinner } from "@/components/ui/button";
import { displayPrice, money } from "@/components/copy/format";
import type { FollowSettings } from "@/lib/validation/copy";

const DEBOUNCE_MS = 400;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
    // The key stands for the value: a new object with the same content is not a change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, ms]);
  return v;
}

/**
 * "This signal would open 0.0123 BTC ≈ $812, risking $40": the planner's answer for the settings being edited
 * (debounced as the form changes; unsaved), on the provider's latest live signal or a symbol and side typed here.
 * Invalid settings keep the last answer on screen, marked as out of date.
 */
export function SizingPreview({ providerId, settings }: { providerId: string; settings: FollowSettings | null }) {
  const trpc = useTRPC();
  const [symbol, setSymbol] = useState("");
  const [side, setSide] = useState<"long" | "short">("long");
  const [stopLoss, setStopLoss] = useState("");
  const ids = { symbol: useId(), stop: useId(), out: useId() };
  const typed = symbol.trim();
  const stop = stopLoss.trim();
  const input = useDebounced(
    {
      providerId,
      settings: settings ?? undefined,
      ...(typed ? { symbol: typed, side, ...(/^\d+(\.\d+)?$/.test(stop) && Number(stop) > 0 ? { stopLoss: stop } : {}) } : {}),
    },
    DEBOUNCE_MS,
  );
  const preview = useQuery(trpc.copy.preview.queryOptions(input, { enabled: settings !== null, placeholderData: keepPreviousData, staleTime: 10_000 }));
  const d = preview.data;
  const stale = settings === null || preview.isPlaceholderData;

  return (
    <section aria-labelledby={ids.out} className="rounded-lg border border-brand-100 bg-brand-50/60 p-4">
      <div className="flex items-center justify-between gap-2">
        <h4 id={ids.out} className="text-sm font-semibold text-slate-900">
          Sizing preview
        </h4>
        {preview.isFetching ? <Spinner className="text-brand-700" /> : null}
      </div>
      <p className="mt-2 text-base font-medium text-slate-900" aria-live="polite" data-testid="sizing-preview">
        {settings === null ? (
          <span className="text-slate-500">Fix the highlighted fields to see what a signal would open.</span>
        ) : preview.isError ? (
          <span className="text-red-700">{preview.error.message}</span>
        ) : d ? (
          <span className={stale ? "opacity-60" : undefined}>{d.summary}</span>
        ) : (
          <span className="text-slate-500">Working it out…</span>
        )}
      </p>
      {d?.signal && d.market && !preview.isError ? (
        <p className="mt-1 text-xs text-slate-600">
          {d.source === "latest_signal" ? "Their latest open signal: " : "Your example: "}
          {d.signal.side === "long" ? "long" : "short"} {d.signal.symbol} at {displayPrice(d.signal.entryPrice)}
          {d.signal.stopLoss ? `, stop ${displayPrice(d.signal.stopLoss)}` : ", no stop"}. Market {displayPrice(d.market.price)} with {d.market.slippageBps} bps
          modelled slippage; paper equity {money(d.equity)}.
        </p>
      ) : null}
      <fieldset className="mt-3 grid gap-3 sm:grid-cols-[1fr_8rem_1fr]">
        <legend className="sr-only">Try another signal</legend>
        <div>
          <label htmlFor={ids.symbol} className="block text-xs font-medium text-slate-700">
            Symbol
          </label>
          <input
            id={ids.symbol}
            value={symbol}
            onChange={(e) => setSymbol(e.target.value)}
            placeholder="Their latest signal"
            autoCapitalize="characters"
            spellCheck={false}
            className="mt-1 block h-9 w-full rounded-md border border-slate-300 bg-white px-3 text-sm shadow-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none"
          />
        </div>
        <SelectField
          label="Side"
          labelClassName="text-xs text-slate-700"
          size="sm"
          triggerClassName="h-9"
          value={side}
          onValueChange={(v) => setSide(v === "short" ? "short" : "long")}
          options={[
            { value: "long", label: "Long" },
            { value: "short", label: "Short" },
          ]}
          disabled={!typed}
        />
        <div>
          <label htmlFor={ids.stop} className="block text-xs font-medium text-slate-700">
            Stop-loss (optional)
          </label>
          <input
            id={ids.stop}
            value={stopLoss}
            onChange={(e) => setStopLoss(e.target.value)}
            inputMode="decimal"
            disabled={!typed}
            className="mt-1 block h-9 w-full rounded-md border border-slate-300 bg-white px-3 text-sm shadow-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none disabled:bg-slate-100"
          />
        </div>
      </fieldset>
    </section>
  );
}

"use client";

import { skipToken, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { exampleSignal, pickExampleSymbol, type ExampleSignal } from "@/lib/signal-example";

/** The example follows the market: a level the price has since moved past would be refused. */
const QUOTE_REFRESH_MS = 60_000;

export type ExampleSignalState =
  | { state: "loading"; symbol: string | null }
  | { state: "unavailable"; symbol: string | null; retry: () => void }
  | { state: "ready"; symbol: string; price: string; at: Date; signal: ExampleSignal };

/**
 * The example signal of Settings' publishing help, from the live quote of the symbol it names (src/lib/signal-example).
 * The REST example and the alert message both call it; the queries are shared, so the quote is fetched once.
 */
export function useExampleSignal(): ExampleSignalState {
  const trpc = useTRPC();
  const symbols = useQuery(trpc.signals.symbols.queryOptions(undefined, { staleTime: 10 * 60_000 }));
  const info = symbols.data ? pickExampleSymbol(symbols.data.symbols) : null;
  const quote = useQuery(
    trpc.signals.quote.queryOptions(info ? { symbol: info.symbol } : skipToken, {
      refetchInterval: QUOTE_REFRESH_MS,
      refetchIntervalInBackground: false,
      staleTime: QUOTE_REFRESH_MS / 2,
    }),
  );
  const symbol = info?.symbol ?? null;
  const retry = () => void (symbols.isError ? symbols.refetch() : quote.refetch());
  if (symbols.isPending || (info && quote.isPending && !quote.isError)) return { state: "loading", symbol };
  if (!info || !quote.data) return { state: "unavailable", symbol, retry };
  const signal = exampleSignal(info.symbol, quote.data.price, info.pricePrecision);
  if (!signal) return { state: "unavailable", symbol, retry };
  return { state: "ready", symbol: info.symbol, price: quote.data.price, at: quote.data.at, signal };
}

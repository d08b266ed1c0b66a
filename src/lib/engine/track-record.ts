/**
 * The engine's closed trades as the track-record module's closed signals (src/lib/stats), so a backtest can show
 * Tradsy's own definitions (per-signal returns with its fee, the standard 10% allocation account) next to
 * backtesting.py's. Each closed trade (or closed part of one) is one signal with a single exit leg.
 */
import { toDecimalString } from "@/lib/market-data/candles";
import type { ClosedSignal } from "@/lib/stats";
import type { ClosedTrade } from "./types";

export function toClosedSignals(trades: readonly ClosedTrade[], idPrefix = "backtest"): ClosedSignal[] {
  return trades.map((t, k) => ({
    // A trade closed in parts gives several records with its id: the position in the list keeps ids unique.
    id: `${idPrefix}-${t.id}-${k}`,
    side: t.side,
    entryPrice: toDecimalString(t.entryPrice),
    initialStop: t.initialSl === null ? null : toDecimalString(t.initialSl),
    openedAt: new Date(t.entryTime),
    closedAt: new Date(t.exitTime),
    legs: [{ price: toDecimalString(t.exitPrice), share: "1", at: new Date(t.exitTime) }],
  }));
}

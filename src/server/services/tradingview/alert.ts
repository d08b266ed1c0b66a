/** An alert as the webhook reads it: its delivery key, the order it opens, and the side it would exit first. */
import "server-only";
import { constantTimeEqual, open, sha256Hex } from "@/server/crypto/secret-box";
import type { SymbolInfo } from "@/server/integrations/market-data";
import type { LiveSignal } from "@/server/services/signals";
import type { ParsedAlert } from "@/lib/tradingview";

export function idempotencyKeyOf(alert: ParsedAlert, rawBody: string, now: Date): string {
  if (alert.alertId) return `tv:id:${sha256Hex(alert.alertId)}`;
  // Without an id, the body itself (which carries TradingView's {{timenow}} when the template has it) is the key;
  // with no time in it, identical bodies within the same 5 minutes are one delivery.
  const bucket = alert.time ? "" : `:${Math.floor(now.getTime() / 300_000)}`;
  return `tv:${sha256Hex(rawBody)}${bucket}`;
}

/** Take-profit prices from an alert share the position equally (a single target closes it all). */
function splitTargets(prices: string[]): { price: string; share: string }[] {
  if (!prices.length) return [];
  const shares = prices.length === 1 ? ["1"] : prices.length === 2 ? ["0.5", "0.5"] : ["0.34", "0.33", "0.33"];
  return prices.map((price, i) => ({ price, share: shares[i]! }));
}

/** The alert's order, as `publishSignal` takes it. */
export function openInput(alert: ParsedAlert, info: SymbolInfo, side: "long" | "short", key: string) {
  return {
    symbol: info.symbol,
    side,
    entryType: "market" as const,
    ...(alert.price ? { entryPrice: alert.price } : {}),
    ...(alert.stop ? { stopLoss: alert.stop } : {}),
    takeProfits: splitTargets(alert.takeProfits),
    note: alert.comment ?? "",
    idempotencyKey: key,
  };
}

/** The side an alert may open (after exiting the other side, if it has to), else null. */
export function opensSide(intent: ParsedAlert["intent"]): "long" | "short" | null {
  return intent === "open_long" || intent === "close_or_open_long" ? "long" : intent === "open_short" || intent === "close_or_open_short" ? "short" : null;
}

export const otherSide = (side: "long" | "short") => (side === "long" ? "short" : "long");

/** The side an alert opens when it has nothing to exit first (the common case), else null. */
export function plainOpen(intent: ParsedAlert["intent"], live: LiveSignal[]): "long" | "short" | null {
  const side = opensSide(intent);
  return side && !live.some((s) => s.side === otherSide(side)) ? side : null;
}

export const passphraseMatches = (alert: ParsedAlert, sealed: string) => Boolean(alert.passphrase) && constantTimeEqual(alert.passphrase!, open(sealed));

/** Older than the configured maximum age (`TRADINGVIEW_MAX_ALERT_AGE_SECONDS`): its age in seconds, else null. */
export function staleAge(alert: ParsedAlert, now: Date, maxAgeSeconds: number): number | null {
  if (!alert.time) return null;
  const ageSec = (now.getTime() - alert.time.getTime()) / 1000;
  return ageSec > maxAgeSeconds ? ageSec : null;
}

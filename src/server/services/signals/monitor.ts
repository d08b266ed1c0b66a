/**
 * The price monitor: brings every live signal up to date with the candles the market-data adapter has closed since
 * the signal was last checked. Safe to run as often as wanted and after any gap (a restart, a failed run): each
 * signal remembers how far it was checked.
 */
import "server-only";
import { asc, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { signals } from "@/server/db/schema";
import { getMarketData, UnsupportedTimeframeError, type MarketData } from "@/server/integrations/market-data";
import { logger } from "@/server/logger";
import { monitorSignal } from "./lifecycle";

const TIMEFRAME_MS = { "1m": 60_000, "1h": 3_600_000, "1d": 86_400_000 } as const;
type Tf = keyof typeof TIMEFRAME_MS;
/** Beyond this span minute candles would be too many to fetch in one go; hours are fine-grained enough. */
const MAX_MINUTE_SPAN_MS = 10 * 86_400_000;

/** Finest timeframe the adapter offers for the symbol over the span, finest first. */
async function fetchCandles(market: MarketData, symbol: string, from: number, to: number) {
  const order: Tf[] = market.kind === "replay" || to - from > MAX_MINUTE_SPAN_MS ? ["1h", "1d"] : ["1m", "1h", "1d"];
  for (const tf of order) {
    const tfMs = TIMEFRAME_MS[tf];
    try {
      return { tfMs, candles: await market.candles(symbol, tf, Math.floor(from / tfMs) * tfMs, to) };
    } catch (err) {
      if (!(err instanceof UnsupportedTimeframeError)) throw err;
    }
  }
  throw new Error(`No candle timeframe available for ${symbol}`);
}

export interface MonitorSummary {
  symbols: number;
  signals: number;
  events: number;
  failed: number;
}

export async function runPriceMonitor(now: Date = new Date()): Promise<MonitorSummary> {
  const market = getMarketData();
  const live = await db
    .select({ id: signals.id, symbol: signals.symbol, publishedAt: signals.publishedAt, checkedUntil: signals.checkedUntil })
    .from(signals)
    .where(inArray(signals.status, ["pending", "open"]))
    .orderBy(asc(signals.publishedAt));
  const bySymbol = new Map<string, typeof live>();
  for (const s of live) bySymbol.set(s.symbol, [...(bySymbol.get(s.symbol) ?? []), s]);
  const summary: MonitorSummary = { symbols: bySymbol.size, signals: live.length, events: 0, failed: 0 };
  for (const [symbol, group] of bySymbol) {
    const since = Math.min(...group.map((s) => (s.checkedUntil ?? s.publishedAt).getTime()));
    let candles;
    let tfMs: number;
    try {
      ({ candles, tfMs } = await fetchCandles(market, symbol, since, now.getTime()));
    } catch (err) {
      logger.warn({ err, symbol }, "price monitor: no candles");
      summary.failed += group.length;
      continue;
    }
    // Only closed candles: one still forming could later show a different high/low.
    const closed = candles.filter((c) => c.openTime + tfMs <= now.getTime());
    if (!closed.length) continue;
    for (const s of group) {
      try {
        const r = await monitorSignal(s.id, closed, tfMs);
        summary.events += r?.events.length ?? 0;
      } catch (err) {
        logger.error({ err, signalId: s.id }, "price monitor: signal update failed");
        summary.failed++;
      }
    }
  }
  return summary;
}

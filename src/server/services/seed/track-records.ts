/**
 * A year of demo signals for the demo providers, produced by distinct deterministic strategies (src/lib/strategies)
 * on one or more instruments each, over real candles (the recordings, else the exchange) or, with neither, the
 * synthetic walk the UI labels as such (see `chooseDemoMarketData`), with every outcome decided by the same lifecycle
 * code as live signals (./timeline.ts) and written through the same hash chain. Signals still running at "now" stay open, so the demo shows live, hidden signals too.
 */
import "server-only";
import { eq, inArray, max } from "drizzle-orm";
import type { Db } from "@/server/db";
import { providers, signals } from "@/server/db/schema";
import { chooseDemoMarketData, type DemoMarketDataOptions, type DemoPriceSource, type MarketData } from "@/server/integrations/market-data";
import { logger } from "@/server/logger";
import { appendChainEntry } from "@/server/services/chain";
import { applyLifecycle, type SignalRow } from "@/server/services/signals";
import { rollUpProvider } from "@/server/services/stats";
import { slugify } from "@/lib/slug";
import { publishedEventData } from "@/lib/chain";
import * as S from "@/lib/strategies";
import { HOUR, historyStart, timeline, type Plan, type PlanSeries } from "./timeline";

export type { Plan } from "./timeline";

/**
 * Which instruments and strategy each demo provider trades; keyed by display name (see demo-providers.ts, whose
 * markets, taglines and bios describe exactly this). The two the demo trader pays for (billing.ts) hold positions
 * for days, so each has open or pending signals at the end of its seeded history wherever the replay's "now" falls
 * (timeline.test.ts checks every such position against the recordings).
 */
export const DEMO_PLANS: Record<string, Plan> = {
  "Northwind Trend": { symbols: ["BTC/USDT", "ETH/USDT"], hours: 4, strategy: S.emaTrend({ fast: 12, slow: 48, atrN: 14, atrMult: 2, cooldown: 12 }) },
  "Range Rider": { symbols: ["EUR/USD", "XRP/USDT"], hours: 1, strategy: S.rsiReversion({ n: 14, low: 25, high: 75, atrMult: 1.5, cooldown: 24 }) },
  "Breakout Lab": { symbols: ["SOL/USDT"], hours: 4, strategy: S.bollingerBreakout({ n: 20, k: 2, squeeze: 0.8, cooldown: 6 }) },
  "Quiet Carry FX": { symbols: ["EUR/USD"], hours: 4, strategy: S.emaTrend({ fast: 8, slow: 21, atrN: 14, atrMult: 1.5, cooldown: 6 }) },
  "Momentum Desk": { symbols: ["BTC/USDT", "ETH/USDT"], hours: 4, strategy: S.momentum({ n: 14, trendN: 50, cooldown: 6 }) },
  "Contrarian Capital": { symbols: ["DOGE/USDT"], hours: 1, strategy: S.contrarian({ n: 48, sigmas: 3.5, cooldown: 24 }) },
  "Macro Compass": { symbols: ["EUR/USD"], hours: 4, strategy: S.donchian({ entryN: 30, atrMult: 2, cooldown: 12 }) },
  "Scalp Theory": { symbols: ["BTC/USDT"], hours: 1, strategy: S.rsiReversion({ n: 7, low: 15, high: 85, atrMult: 1, cooldown: 6 }) },
  "Golden Cross Club": { symbols: ["BNB/USDT"], hours: 4, strategy: S.smaCross({ fast: 20, slow: 50, atrMult: 2, cooldown: 6 }) },
  "Volatility Harvest": { symbols: ["ADA/USDT"], hours: 4, strategy: S.bollingerBreakout({ n: 30, k: 1.8, squeeze: 0.7, cooldown: 12 }) },
  "Steady Swing": { symbols: ["BTC/USDT", "ETH/USDT"], hours: 24, strategy: S.swingLimit({ lookback: 10, trendN: 20, cooldown: 7, expiresInHours: 120 }) },
  "Donchian Works": { symbols: ["XRP/USDT"], hours: 4, strategy: S.donchian({ entryN: 55, atrMult: 2.5, cooldown: 12 }) },
};

/** An exchange without forex (Binance) still quotes the currency against a dollar stablecoin. */
const STAND_INS: Record<string, readonly string[]> = { "EUR/USD": ["EUR/USDT"] };

async function demoSymbol(market: MarketData, symbol: string) {
  for (const candidate of [symbol, ...(STAND_INS[symbol] ?? [])]) {
    const info = await market.getSymbol(candidate);
    if (info) return info;
  }
  throw new Error(`demo symbol ${symbol} is not available from ${market.source}`);
}

/** Writes one provider's demo history through the chain, in one transaction, and rolls up its stats. */
async function backfillProvider(db: Db, market: MarketData, providerId: string, plan: Plan, now: Date): Promise<number> {
  const since = historyStart(now.getTime());
  const series: PlanSeries[] = [];
  for (const symbol of plan.symbols) {
    const info = await demoSymbol(market, symbol);
    series.push({ symbol: info.symbol, hourly: await market.candles(info.symbol, "1h", since, now.getTime()), decimals: info.pricePrecision });
  }
  const { steps, finalStates } = timeline(plan, series, now);
  await db.transaction(async (tx) => {
    const [last] = await tx.select({ n: max(signals.number) }).from(signals).where(eq(signals.providerId, providerId));
    let number = last?.n ?? 0;
    const rows = new Map<number, SignalRow>();
    for (const step of steps) {
      if (step.kind === "publish") {
        const { proposal: p, state } = step;
        const [row] = await tx
          .insert(signals)
          .values({
            providerId,
            number: ++number,
            symbol: step.symbol,
            side: p.side,
            entryType: p.entryType,
            entryPrice: p.entryPrice,
            initialStop: p.stopLoss,
            stopLoss: p.stopLoss,
            takeProfits: p.takeProfits,
            note: p.note,
            source: "demo",
            status: state.status,
            publishedAt: state.publishedAt,
            expiresAt: state.expiresAt,
            filledAt: state.filledAt,
            fillPrice: state.fillPrice,
            prevHash: "",
            hash: "",
          })
          .returning();
        const chained = await appendChainEntry(tx, {
          providerId,
          signalId: row!.id,
          kind: "published",
          at: state.publishedAt,
          // The same published data as live signals (including the number), so the verifier checks demo rows too.
          data: publishedEventData(row!),
        });
        const [updated] = await tx.update(signals).set({ prevHash: chained.prevHash, hash: chained.hash }).where(eq(signals.id, row!.id)).returning();
        rows.set(step.key, updated!);
      } else {
        const row = rows.get(step.key)!;
        rows.set(step.key, await applyLifecycle(tx, row, [step.event]));
      }
    }
    // Signals still running: the monitor continues from the last candle the history used for their instrument.
    for (const { symbol, hourly } of series) {
      const lastClose = hourly.length ? new Date(hourly[hourly.length - 1]!.openTime + HOUR) : now;
      const live = [...rows.entries()].filter(([key, row]) => {
        const s = finalStates.get(key);
        return row.symbol === symbol && s && (s.status === "open" || s.status === "pending");
      });
      if (live.length) {
        await tx
          .update(signals)
          .set({ checkedUntil: lastClose })
          .where(inArray(signals.id, live.map(([, r]) => r.id)));
      }
    }
  });
  await rollUpProvider(providerId, now, db);
  return steps.filter((s) => s.kind === "publish").length;
}

/**
 * Backfills every demo provider that has no signals yet, on the prices `chooseDemoMarketData` picks for this
 * database (and with nothing to write, still takes over a synthetic choice stored earlier). Returns how many signals
 * were written and from which kind of prices.
 */
export async function backfillDemoTrackRecords(
  db: Db,
  now: Date = new Date(),
  options: Omit<DemoMarketDataOptions, "db" | "adoptOnly"> = {},
): Promise<{ providers: number; signals: number; prices: DemoPriceSource["kind"] | null }> {
  const slugs = Object.keys(DEMO_PLANS).map(slugify);
  const rows = await db.select({ id: providers.id, name: providers.displayName }).from(providers).where(inArray(providers.slug, slugs));
  const pending: { id: string; name: string; plan: Plan }[] = [];
  for (const p of rows) {
    const plan = DEMO_PLANS[p.name];
    if (!plan) continue;
    const existing = await db.query.signals.findFirst({ where: eq(signals.providerId, p.id), columns: { id: true } });
    if (!existing) pending.push({ ...p, plan });
  }
  const chosen = await chooseDemoMarketData({ ...options, db, adoptOnly: pending.length === 0 });
  if (!chosen || pending.length === 0) return { providers: 0, signals: 0, prices: chosen?.source.kind ?? null };
  let total = 0;
  for (const p of pending) {
    const started = Date.now();
    const n = await backfillProvider(db, chosen.market, p.id, p.plan, now);
    total += n;
    logger.info({ provider: p.name, signals: n, prices: chosen.source.source, ms: Date.now() - started }, "demo track record written");
  }
  return { providers: pending.length, signals: total, prices: chosen.source.kind };
}

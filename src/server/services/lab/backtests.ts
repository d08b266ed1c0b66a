/**
 * Lab backtests (issue 19): start one for a saved strategy (its document and version snapshotted), an unsaved rules
 * document from the builder, or a curated strategy with parameters; over candles from the market-data port; run
 * off the request thread (./runner.ts); read, list and cancel one's own. Always hypothetical: nothing here touches
 * signals or the chain.
 *
 * A run left `running` by a process that died (its worker went with it) is marked failed when it is next read,
 * once it is older than the longest a run may take (MAX_RUN_MS plus a minute): by then no live worker can hold
 * it, whichever process started it. Nothing is swept at start-up, so several app processes on one database never
 * fail each other's runs.
 */
import "server-only";
import { and, desc, eq, getTableColumns, inArray, notInArray } from "drizzle-orm";
import { toBarSeries, type BarSeries } from "@/lib/engine";
import { engineConfigOf, MAX_BACKTEST_BARS, type JobStrategy } from "@/lib/lab/job";
import { TIMEFRAME_MS } from "@/lib/market-data/candles";
import type { Candle } from "@/lib/market-data/types";
import { getCurated, resolveParams } from "@/lib/strategy-library";
import { newId } from "@/lib/ids";
import type { BacktestSettings, LabTimeframe } from "@/lib/validation/lab";
import { db } from "@/server/db";
import { strategyBacktestRuns } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { getMarketData } from "@/server/integrations/market-data";
import type { ActingContext } from "@/server/services/context";
import { lockLiveAccount } from "@/server/services/privacy/live-account";
import { isRunningHere, launch, MAX_RUN_MS, releaseSlot, reserveSlot, stopRun } from "./runner";
import { checkRules, getStrategy } from "./strategies";

export type BacktestRow = typeof strategyBacktestRuns.$inferSelect;

export type StartSource =
  | { kind: "strategy"; strategyId: string }
  | { kind: "rules"; name?: string; rules: unknown }
  | { kind: "curated"; curatedId: string; params?: Record<string, number> };

export interface StartBacktest {
  source: StartSource;
  symbol: string;
  timeframe: LabTimeframe;
  from?: number;
  to?: number;
  settings: BacktestSettings;
}

/** A run still marked running this long after it started was orphaned by a process that stopped. */
export const STALE_AFTER_MS = MAX_RUN_MS + 60_000;

interface Resolved {
  job: JobStrategy;
  name: string;
  strategyId: string | null;
  curatedId: string | null;
  version: number;
  params: Record<string, number>;
}

async function resolveSource(ctx: ActingContext, source: StartSource): Promise<Resolved> {
  if (source.kind === "strategy") {
    const s = await getStrategy(ctx, source.strategyId);
    return { job: { kind: "rules", rules: s.rules }, name: s.name, strategyId: s.id, curatedId: null, version: s.version, params: {} };
  }
  if (source.kind === "rules") {
    const rules = checkRules(source.rules, "source.rules");
    return { job: { kind: "rules", rules }, name: source.name ?? rules.name ?? "Unsaved rules", strategyId: null, curatedId: null, version: 1, params: {} };
  }
  let entry;
  try {
    entry = getCurated(source.curatedId);
  } catch {
    throw new ValidationError("There is no curated strategy with that id", { "source.curatedId": ["Choose a strategy from the library"] });
  }
  let params;
  try {
    params = resolveParams(entry, source.params ?? {});
  } catch (e) {
    const message = e instanceof Error ? e.message : "Those parameters are not valid";
    throw new ValidationError(message, { "source.params": [message] });
  }
  return { job: { kind: "curated", curatedId: entry.id, params }, name: entry.name, strategyId: null, curatedId: entry.id, version: 1, params };
}

/**
 * Stored backtests a user keeps: starting one more deletes their oldest finished runs beyond this many (each holds up
 * to ~1 MB of curve and trades; the lab lists the newest). Running ones are never deleted.
 */
export const KEPT_BACKTESTS = 100;

async function pruneOldBacktests(userId: string): Promise<void> {
  const newest = db
    .select({ id: strategyBacktestRuns.id })
    .from(strategyBacktestRuns)
    .where(eq(strategyBacktestRuns.userId, userId))
    .orderBy(desc(strategyBacktestRuns.createdAt), desc(strategyBacktestRuns.id))
    .limit(KEPT_BACKTESTS);
  await db
    .delete(strategyBacktestRuns)
    .where(
      and(
        eq(strategyBacktestRuns.userId, userId),
        inArray(strategyBacktestRuns.status, ["done", "failed", "cancelled"]),
        notInArray(strategyBacktestRuns.id, newest),
      ),
    );
}

export interface LabSeries {
  info: { symbol: string; market: string };
  candles: Candle[];
  series: BarSeries;
  tf: number;
}

/**
 * The candles a lab run uses: the market checked, the range defaulting to the latest MAX_BACKTEST_BARS bars (and
 * capped at them when a chosen range holds more), at least two bars. Refusals are 4xx ValidationErrors.
 */
export async function loadLabSeries(ctx: ActingContext, input: { symbol: string; timeframe: LabTimeframe; from?: number; to?: number }): Promise<LabSeries> {
  const market = getMarketData();
  const info = await market.getSymbol(input.symbol);
  if (!info) throw new ValidationError(`${input.symbol} is not a market the lab can backtest`, { symbol: ["Choose a market from the list"] });
  const tf = TIMEFRAME_MS[input.timeframe];
  const to = Math.min(input.to ?? ctx.now.getTime(), ctx.now.getTime());
  const from = input.from ?? to - MAX_BACKTEST_BARS * tf;
  if (from >= to) throw new ValidationError("The start must be before the end", { from: ["The start must be before the end"] });
  const all = await market.candles(info.symbol, input.timeframe, from, to);
  const candles = all.length > MAX_BACKTEST_BARS ? all.slice(-MAX_BACKTEST_BARS) : all;
  if (candles.length < 2) {
    throw new ValidationError(`There are no ${input.timeframe} candles for ${info.symbol} in that range`, { from: ["Choose a range with price history"] });
  }
  return { info, candles, series: toBarSeries(candles), tf };
}

/** Starts a backtest and returns its row at once (status `running`); the worker fills in progress and results. */
export async function startBacktest(ctx: ActingContext, input: StartBacktest): Promise<BacktestRow> {
  const resolved = await resolveSource(ctx, input.source);
  const id = newId("btr");
  reserveSlot(ctx.actor.id, id);
  try {
    const { info, candles, series, tf } = await loadLabSeries(ctx, input);
    // Gaps are looked for only where the market trades around the clock; a stock's weekend is not a hole in the data.
    const config = engineConfigOf(input.settings, info.market === "crypto" ? tf : null);
    // INVARIANT: under the account's row lock, so a start from a request that passed its session check just before
    // the account was deleted stores nothing on it (privacy/live-account.ts); the worker starts only after.
    const row = await db.transaction(async (tx) => {
      await lockLiveAccount(tx, ctx.actor.id);
      const [inserted] = await tx
        .insert(strategyBacktestRuns)
        .values({
          id,
          userId: ctx.actor.id,
          strategyId: resolved.strategyId,
          curatedId: resolved.curatedId,
          strategyVersion: resolved.version,
          name: resolved.name,
          params: resolved.params,
          rules: resolved.job.kind === "rules" ? resolved.job.rules : null,
          symbol: info.symbol,
          timeframe: input.timeframe,
          dataFrom: new Date(candles[0]!.openTime),
          dataTo: new Date(candles[candles.length - 1]!.openTime + tf),
          settings: { ...input.settings, engine: config },
          status: "running",
          barsDone: 0,
          barsTotal: candles.length,
          startedAt: ctx.now,
          createdAt: ctx.now,
        })
        .returning();
      return inserted!;
    });
    launch(id, { strategy: resolved.job, series, config });
    await pruneOldBacktests(ctx.actor.id);
    return row;
  } catch (e) {
    releaseSlot(id);
    throw e;
  }
}

async function reapStale<R extends Pick<BacktestRow, "id" | "status" | "startedAt" | "createdAt" | "error" | "finishedAt">>(ctx: ActingContext, rows: R[]): Promise<R[]> {
  const cutoff = ctx.now.getTime() - STALE_AFTER_MS;
  const stale = rows.filter((r) => (r.status === "running" || r.status === "queued") && !isRunningHere(r.id) && (r.startedAt ?? r.createdAt).getTime() < cutoff);
  if (stale.length === 0) return rows;
  const error = "The server stopped while this backtest ran, so it did not finish. Start it again.";
  const ids = stale.map((r) => r.id);
  await db
    .update(strategyBacktestRuns)
    .set({ status: "failed", error, finishedAt: ctx.now })
    .where(and(inArray(strategyBacktestRuns.id, ids), inArray(strategyBacktestRuns.status, ["running", "queued"])));
  return rows.map((r) => (ids.includes(r.id) ? { ...r, status: "failed" as const, error, finishedAt: ctx.now } : r));
}

export async function getBacktest(ctx: ActingContext, id: string): Promise<BacktestRow> {
  const [row] = await db.select().from(strategyBacktestRuns).where(and(eq(strategyBacktestRuns.id, id), eq(strategyBacktestRuns.userId, ctx.actor.id)));
  if (!row) throw new NotFoundError("No such backtest");
  return (await reapStale(ctx, [row]))[0]!;
}

export type BacktestSummary = Omit<BacktestRow, "equity" | "trades" | "rules" | "stats">;

/** The user's backtests, newest first (without curves and trades). */
export async function listBacktests(ctx: ActingContext, options: { strategyId?: string; limit?: number } = {}): Promise<BacktestSummary[]> {
  const { equity: _e, trades: _t, rules: _r, stats: _s, ...cols } = getTableColumns(strategyBacktestRuns);
  const where = and(eq(strategyBacktestRuns.userId, ctx.actor.id), options.strategyId ? eq(strategyBacktestRuns.strategyId, options.strategyId) : undefined);
  const rows = await db
    .select(cols)
    .from(strategyBacktestRuns)
    .where(where)
    .orderBy(desc(strategyBacktestRuns.createdAt), desc(strategyBacktestRuns.id))
    .limit(options.limit ?? 50);
  return reapStale(ctx, rows);
}

/** Cancels a running backtest: the row says cancelled (no results are ever stored) and its worker is terminated. */
export async function cancelBacktest(ctx: ActingContext, id: string): Promise<BacktestRow> {
  const [row] = await db
    .update(strategyBacktestRuns)
    .set({ status: "cancelled", finishedAt: ctx.now })
    .where(and(eq(strategyBacktestRuns.id, id), eq(strategyBacktestRuns.userId, ctx.actor.id), inArray(strategyBacktestRuns.status, ["queued", "running"])))
    .returning();
  if (row) {
    stopRun(id);
    return row;
  }
  const current = await getBacktest(ctx, id);
  throw new ConflictError(`This backtest has already ${current.status === "done" ? "finished" : current.status}`);
}

/** The markets a backtest can run on, with the timeframes offered (stocks daily only: their hours are not 24/7). */
export async function labSymbols(): Promise<{ source: "replay" | "ccxt" | "synthetic"; symbols: { symbol: string; market: string; timeframes: LabTimeframe[] }[] }> {
  const md = getMarketData();
  const list = await md.listSymbols();
  return {
    source: md.kind,
    symbols: list.map((s) => ({ symbol: s.symbol, market: s.market, timeframes: s.market === "stocks" ? ["1d"] : ["1h", "1d"] })),
  };
}

/** Price bars the run's chart draws: its candles, merged into at most `max` bars (OHLC of each bucket). */
export async function backtestCandles(ctx: ActingContext, id: string, max = 2_000): Promise<{ time: number; open: number; high: number; low: number; close: number }[]> {
  const run = await getBacktest(ctx, id);
  if (!run.dataFrom || !run.dataTo) return [];
  let candles;
  try {
    candles = await getMarketData().candles(run.symbol, run.timeframe as LabTimeframe, run.dataFrom.getTime(), run.dataTo.getTime());
  } catch (e) {
    ctx.log.warn({ err: e, id }, "backtest candles unavailable");
    return [];
  }
  const bars = candles.map((c) => ({ time: c.openTime, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) }));
  if (bars.length <= max) return bars;
  const size = Math.ceil(bars.length / max);
  const out = [];
  for (let i = 0; i < bars.length; i += size) {
    const chunk = bars.slice(i, i + size);
    out.push({
      time: chunk[0]!.time,
      open: chunk[0]!.open,
      high: Math.max(...chunk.map((b) => b.high)),
      low: Math.min(...chunk.map((b) => b.low)),
      close: chunk[chunk.length - 1]!.close,
    });
  }
  return out;
}

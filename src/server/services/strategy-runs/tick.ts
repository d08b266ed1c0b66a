/**
 * The live loop of running strategies (a job every minute: jobs/functions/strategy-runs.ts). For each running
 * strategy it rebuilds the same Engine and strategy a backtest uses and feeds it the candles the market data has
 * closed, deterministically, so a retried or restarted tick decides exactly what the first one did:
 *
 * - candles before the run's first live one (liveFrom: the candle that had closed last when it started) only warm
 *   the indicators: the engine's gate refuses every entry there, so nothing earlier is ever published and the
 *   strategy is flat when the run begins;
 * - candles already processed (`processedUntil`) are replayed: the gate accepts an entry exactly when its signal
 *   was published (its idempotency key is on the provider's record), so the engine's positions follow the record;
 * - each newly closed candle goes to the engine, and what the strategy asked for at its close becomes, in one
 *   transaction under the provider's lock: its exits (the provider's live signals ended as the Close button ends
 *   them, a chained event at the market price), its entry (one market signal through the normal publication with
 *   source "strategy", the stop and targets of the strategy's risk settings, and the idempotency key
 *   run:candle:side), a stop-loss it moved (the rules' move_stop) moved on its open signals as the Move-stop
 *   button moves one, and `processedUntil` moved past the candle. Under that lock the run's status is read again: a
 *   stop that committed first leaves nothing to publish.
 *
 * Limits per UTC day: once the day's signals reach `maxTradesPerDay`, further entries are refused by the gate (the
 * engine stays flat, as the record does) and the skip is audited once a day; when the realised loss of the day's
 * closed signals (compounded, each signal a whole position) reaches `maxDailyLoss`, the run stops itself.
 * A publication refused by the market checks (a stop on the wrong side of a price that moved) publishes nothing;
 * the tick then ends there and the next one rebuilds the engine on the record as it is.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, asc, eq, gte, inArray, isNotNull, like, sql } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { auditLog, signals, strategyRuns } from "@/server/db/schema";
import { LimitExceededError, ValidationError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import { systemContext, type ActingContext, type ServiceContext } from "@/server/services/context";
import type { StartRunInput } from "@/lib/validation/strategy-runs";
import {
  announceChange,
  announcePublished,
  applyLifecycle,
  changeTime,
  checkPublicationVerdict,
  exitLocked,
  liveSignalRows,
  lockProvider,
  publishLocked,
  refundPublication,
  type CheckedPublication,
  type SignalRow,
} from "@/server/services/signals";
import { getMarketData, type Candle } from "@/server/integrations/market-data";
import { logger } from "@/server/logger";
import { DEFAULT_CONFIG, Engine, type RiskDecision } from "@/lib/engine";
import { LIBRARY_CONFIG } from "@/lib/strategy-library";
import { TIMEFRAME_MS, intentKey, liveFrom, priceText, recordIntents, signalLevels, utcDayStart, warmupBarsFor, type BarIntents } from "@/lib/strategy-runs";
import type { Timeframe } from "@/lib/market-data/types";
import { compound, startRun, strategyOfRun, type RunRow } from "./runs";
import { evaluateRunningAbTests } from "./ab-tests";
import { endSubscriptionsOfStoppedRuns } from "./pricing";
import { stopRunAs } from "./stop";

/** The gate's reason for an entry refused by the trades-per-day limit. */
const TRADES_LIMIT = "trades-per-day limit";

export interface RunTickResult {
  published: number;
  exited: number;
  candles: number;
  stopped: boolean;
}

export interface TickSummary {
  runs: number;
  published: number;
  exited: number;
  stopped: number;
  failed: number;
  /** Subscriptions to stopped strategies set to end at period end (./pricing). */
  subscriptionsEnded: number;
  /** Running A/B tests evaluated (./ab-tests). */
  abTests: number;
}

/** Ticks every running strategy (one failing run is logged and does not hold up the others). */
export async function tickStrategyRuns(now: Date = new Date()): Promise<TickSummary> {
  const running = await db.select({ id: strategyRuns.id }).from(strategyRuns).where(eq(strategyRuns.status, "running")).orderBy(asc(strategyRuns.createdAt));
  const summary: TickSummary = { runs: running.length, published: 0, exited: 0, stopped: 0, failed: 0, subscriptionsEnded: 0, abTests: 0 };
  for (const { id } of running) {
    try {
      const r = await tickRun(id, now);
      summary.published += r.published;
      summary.exited += r.exited;
      if (r.stopped) summary.stopped++;
    } catch (err) {
      summary.failed++;
      logger.error({ err, runId: id }, "strategy run tick failed");
    }
  }
  summary.abTests = await evaluateRunningAbTests(now);
  try {
    summary.subscriptionsEnded = (await endSubscriptionsOfStoppedRuns(systemContext(now))).ended;
  } catch (err) {
    logger.error({ err }, "sweeping stopped strategies' subscriptions failed");
  }
  return summary;
}

/** The day's realised return of the provider's closed signals (compounded) and how many it published today. */
async function today(ex: Executor, providerId: string, now: Date): Promise<{ realised: Decimal; trades: number }> {
  const day = utcDayStart(now);
  const [closed, [published]] = await Promise.all([
    ex
      .select({ r: signals.resultPct })
      .from(signals)
      .where(and(eq(signals.providerId, providerId), inArray(signals.status, ["closed"]), isNotNull(signals.closedAt), gte(signals.closedAt, day)))
      .orderBy(asc(signals.closedAt), asc(signals.id)),
    ex.select({ n: sql<number>`count(*)::int` }).from(signals).where(and(eq(signals.providerId, providerId), gte(signals.publishedAt, day))),
  ]);
  return { realised: compound(closed.map((c) => c.r)), trades: Number(published?.n ?? 0) };
}

/** Stops the run when the day's realised loss reached its limit; true when it did. */
async function dailyLossStop(ctx: ServiceContext, run: RunRow): Promise<boolean> {
  const { realised } = await today(db, run.providerId, ctx.now);
  const limit = new Decimal(run.maxDailyLoss);
  if (realised.negated().lt(limit)) return false;
  const pct = (d: Decimal) => d.times(100).toDecimalPlaces(2).toString();
  const reason = `Daily loss limit reached: ${pct(realised)}% realised today (limit ${pct(limit)}%)`;
  return (await stopRunAs(ctx, run.id, reason, "strategy_run.daily_loss_stop")).stopped;
}

/** Audits the day's first entry skipped by the trades-per-day limit (inside the candle's transaction). */
async function auditSkipOnce(ctx: ServiceContext, tx: Executor, run: RunRow, candleOpenTime: number): Promise<void> {
  const day = utcDayStart(ctx.now).toISOString().slice(0, 10);
  const [seen] = await tx
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.action, "strategy_run.entries_skipped"), eq(auditLog.targetId, run.id), sql`${auditLog.data}->>'day' = ${day}`))
    .limit(1);
  if (seen) return;
  await recordAudit(tx, {
    actorId: null,
    action: "strategy_run.entries_skipped",
    targetType: "strategy_run",
    targetId: run.id,
    data: { day, reason: TRADES_LIMIT, maxTradesPerDay: run.maxTradesPerDay, candle: new Date(candleOpenTime).toISOString() },
  });
}

const toBar = (c: Candle) => ({ time: c.openTime, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close), volume: Number(c.volume) });

type CandleOutcome = "done" | "stopped" | "diverged" | "retry";

/**
 * A stop the strategy moved to, for a live signal: on its losing side of the market price (else it would fill at
 * once, which the Move-stop button refuses too) and only ever in the trade's favour, as the rules' move_stop does.
 */
function stopFits(s: SignalRow, stop: string, price: string): boolean {
  const level = new Decimal(stop);
  const long = s.side === "long";
  if (long ? !level.lt(price) : !level.gt(price)) return false;
  return s.stopLoss === null || (long ? level.gt(s.stopLoss) : level.lt(s.stopLoss));
}

/** Ticks one run at `now` (see the module header). */
export async function tickRun(runId: string, now: Date): Promise<RunTickResult> {
  const ctx = systemContext(now);
  const result: RunTickResult = { published: 0, exited: 0, candles: 0, stopped: false };
  const run = await db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, runId) });
  if (!run || run.status !== "running") return result;
  if (await dailyLossStop(ctx, run)) return { ...result, stopped: true };

  const tf = TIMEFRAME_MS[run.timeframe as Timeframe];
  if (!tf) throw new Error(`Run ${run.id} has an unknown timeframe ${run.timeframe}`);
  // A promoted version (./ab-tests.ts) trades from its own start: earlier candles only warm its indicators.
  const start = Math.max(liveFrom(run.createdAt, tf), run.versionStartedAt ? liveFrom(run.versionStartedAt, tf) : -Infinity);
  const processed = run.processedUntil?.getTime() ?? start;
  // No candle can have closed since the last one processed: nothing to fetch (most minutes of an hourly run).
  if (now.getTime() < processed + tf) return result;
  const recorder = recordIntents(strategyOfRun(run));
  const since = start - warmupBarsFor(recorder.strategy) * tf;
  const all = await getMarketData().candles(run.symbol, run.timeframe as Timeframe, since, now.getTime());
  // Closed candles only: one still forming would let the strategy decide on a price that is not final.
  const closed = all.filter((c) => c.openTime + tf <= now.getTime());
  if (!closed.some((c) => c.openTime >= processed)) return result;

  const keyed = await db
    .select({ key: signals.idempotencyKey })
    .from(signals)
    .where(and(eq(signals.providerId, run.providerId), like(signals.idempotencyKey, `${run.id}:%`)));
  const published = new Set(keyed.map((k) => k.key!));

  let phase: "warmup" | "replay" | "live" = "warmup";
  let openTime = 0;
  let entriesAllowed = true;
  const refuse = (reason: string): RiskDecision => ({ accept: false, reason });
  const engine = new Engine(recorder.strategy, {
    ...DEFAULT_CONFIG,
    ...LIBRARY_CONFIG,
    riskGate: (intent) => {
      if (phase === "warmup") return refuse("warm-up: before the run started");
      if (phase === "replay") return published.has(intentKey(run.id, openTime, intent.side)) ? { accept: true } : refuse("not published");
      return entriesAllowed ? { accept: true } : refuse(TRADES_LIMIT);
    },
  });

  const shares = run.rules?.risk?.targets?.map((t) => t.share) ?? [];
  for (const c of closed) {
    openTime = c.openTime;
    phase = c.openTime < start ? "warmup" : c.openTime < processed ? "replay" : "live";
    if (phase !== "live") {
      engine.onCandle(toBar(c));
      recorder.take();
      continue;
    }
    if (await dailyLossStop(ctx, run)) return { ...result, stopped: true };
    entriesAllowed = (await today(db, run.providerId, now)).trades < run.maxTradesPerDay;
    engine.onCandle(toBar(c));
    const intents = recorder.take();
    const outcome = await commitCandle(ctx, run, c, tf, intents, shares, result);
    if (outcome === "stopped") return { ...result, stopped: true };
    if (outcome !== "done") break;
    result.candles++;
  }
  return result;
}

/**
 * One newly closed candle's intents, committed together: exits, the entry, `processedUntil`. Checks against the
 * market (and the publishing quota) happen before the lock, as for every publication.
 */
async function commitCandle(ctx: ServiceContext, run: RunRow, c: Candle, tf: number, intents: BarIntents, shares: number[], result: RunTickResult): Promise<CandleOutcome> {
  const levels = signalLevels(intents.entries, shares);
  const key = levels ? intentKey(run.id, c.openTime, levels.side) : null;
  let checked: CheckedPublication | null = null;
  let outcome: CandleOutcome = "done";
  if (levels && key) {
    const verdict = await checkPublicationVerdict(ctx, run.providerId, {
      symbol: run.symbol,
      side: levels.side,
      entryType: "market",
      ...(levels.stopLoss ? { stopLoss: levels.stopLoss } : {}),
      takeProfits: levels.takeProfits,
      note: `${run.name}: ${levels.side} at the close of the ${run.timeframe} candle of ${new Date(c.openTime).toISOString()}`,
      idempotencyKey: key,
    });
    if (verdict.ok) checked = verdict.value;
    else if (verdict.error instanceof LimitExceededError) return "retry";
    else if (verdict.error instanceof ValidationError) {
      logger.warn({ runId: run.id, candle: c.openTime, err: verdict.error.message }, "strategy entry refused by the market checks; nothing published");
      if (verdict.counted) await refundPublication(run.providerId);
      outcome = "diverged";
    } else throw verdict.error;
  }
  const exitAll = intents.exit;
  const opposite = levels ? (levels.side === "long" ? "short" : "long") : null;
  const newStop = exitAll ? null : priceText(intents.stop);
  let price: string | null = null;
  if (exitAll || opposite || newStop) price = (await getMarketData().lastPrice(run.symbol)).price;

  const ended: SignalRow[] = [];
  const moved: SignalRow[] = [];
  let signal: SignalRow | null = null;
  const committed = await db.transaction(async (tx) => {
    await lockProvider(tx, run.providerId);
    // INVARIANT: read under the provider's lock, which a stop takes too: after a stop commits, nothing publishes.
    const now = await tx.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, run.id), columns: { status: true, processedUntil: true } });
    if (!now || now.status !== "running") return "stopped" as const;
    if (now.processedUntil && now.processedUntil.getTime() > c.openTime) return "already" as const;
    if (price !== null) {
      for (const s of await liveSignalRows(tx, run.providerId, run.symbol)) {
        if (exitAll || s.side === opposite) ended.push(await exitLocked(ctx, tx, s, price));
        else if (newStop && s.status === "open" && s.stopLoss !== newStop && stopFits(s, newStop, price)) {
          moved.push(await applyLifecycle(tx, s, [{ kind: "stop_moved", at: changeTime(s, ctx.now), stopLoss: newStop }]));
        }
      }
    }
    if (checked && key) {
      const [existing] = await tx.select({ id: signals.id }).from(signals).where(and(eq(signals.providerId, run.providerId), eq(signals.idempotencyKey, key))).limit(1);
      if (!existing) {
        const { trades } = await today(tx, run.providerId, ctx.now);
        if (trades < run.maxTradesPerDay) signal = await publishLocked(ctx, tx, run.providerId, checked, "strategy");
        else {
          await auditSkipOnce(ctx, tx, run, c.openTime);
          outcome = "diverged";
        }
      }
    }
    if (intents.refused.some((r) => r.reason === TRADES_LIMIT)) await auditSkipOnce(ctx, tx, run, c.openTime);
    await tx.update(strategyRuns).set({ processedUntil: new Date(c.openTime + tf), updatedAt: ctx.now }).where(eq(strategyRuns.id, run.id));
    return "ok" as const;
  });
  if (!signal && checked) await refundPublication(run.providerId);
  for (const s of ended) await announceChange(s, s.status === "cancelled" ? "cancelled" : "closed");
  for (const s of moved) await announceChange(s, "stop_moved");
  if (signal) await announcePublished(signal);
  result.exited += ended.length;
  if (signal) result.published++;
  if (committed === "stopped") return "stopped";
  if (committed === "already") return "retry";
  return outcome;
}

/**
 * Starts a run (startRun) and runs its first tick at once, so the candle that had closed last is decided now rather
 * than at the job's next minute. A failed first tick is logged, not the caller's error: the run has started, and the
 * job ticks it again within a minute.
 */
export async function startRunAndTick(ctx: ActingContext, raw: StartRunInput | unknown): Promise<RunRow> {
  const run = await startRun(ctx, raw);
  try {
    await tickRun(run.id, ctx.now);
  } catch (err) {
    logger.error({ err, runId: run.id }, "strategy run's first tick failed; the job ticks it again");
  }
  return run;
}

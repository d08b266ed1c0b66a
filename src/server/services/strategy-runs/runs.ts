/**
 * Strategies running live as automated providers (issue 19): starting one (after an explicit confirmation), the
 * owner's and the admin's reads, and the owner's limits. A run owns an automated provider row: its signals take the
 * normal publish path and hash chain (source "strategy"), it is hidden from the marketplace and takes no subscriber
 * until its incubation ends (`providers.listedFrom`). The live loop is ./tick.ts, the kill switch ./stop.ts.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, asc, count, desc, eq, gte, inArray, isNotNull, type SQL } from "drizzle-orm";
import { db } from "@/server/db";
import { FINISHED_SIGNAL_STATUSES, providers, signals, strategies, strategyRuns, users, type StrategyRunStatus } from "@/server/db/schema";
import { ForbiddenError, LimitExceededError, NotFoundError, UnauthorizedError, ValidationError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import { createProviderProfile } from "@/server/services/providers";
import { getMarketData } from "@/server/integrations/market-data";
import { compileRules, parseRules, type RulesDocument } from "@/lib/rules";
import { CATALOGUE, resolveParams, type StrategyParams } from "@/lib/strategy-library";
import { INCUBATION_DAYS, TIMEFRAME_MS, liveFrom, utcDayStart } from "@/lib/strategy-runs";
import { fieldErrorsFromZod, firstFieldError } from "@/lib/validation/field-errors";
import { runLimitsSchema, startRunSchema, type StartRunInput } from "@/lib/validation/strategy-runs";
import type { Timeframe } from "@/lib/market-data/types";
import type { Strategy } from "@/lib/engine";
import { pricingOf, type RunPricing } from "./pricing";

export type RunRow = typeof strategyRuns.$inferSelect;

/** Strategies one user may run live at once: each is a provider and a tick every minute for the platform. */
export const MAX_RUNNING_PER_USER = 10;

/** Parses a service input with its schema; a refusal is a ValidationError with the fields' messages. */
export function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import("zod").ZodError } }, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrorsFromZod(parsed.error);
    throw new ValidationError(firstFieldError(fields) ?? "Check the form", fields);
  }
  return parsed.data;
}

/** The engine strategy a run executes: the curated module with its parameters, or the run's rules snapshot. */
export function strategyOfRun(run: Pick<RunRow, "curatedId" | "params" | "rules">): Strategy {
  if (run.curatedId) {
    const entry = CATALOGUE.find((e) => e.id === run.curatedId);
    if (!entry) throw new Error(`Curated strategy ${run.curatedId} is no longer in the catalogue`);
    return entry.create(run.params);
  }
  if (!run.rules) throw new Error("A run of an own strategy keeps its rules");
  return compileRules(run.rules);
}

interface Resolved {
  name: string;
  curatedId: string | null;
  strategyId: string | null;
  version: number;
  params: StrategyParams;
  rules: RulesDocument | null;
}

async function resolveSource(ctx: ActingContext, source: ReturnType<typeof startRunSchema.parse>["source"]): Promise<Resolved> {
  if (source.kind === "curated") {
    const entry = CATALOGUE.find((e) => e.id === source.curatedId);
    if (!entry) throw new ValidationError(`There is no curated strategy "${source.curatedId}"`, { source: ["Choose a strategy from the library"] });
    let params: StrategyParams;
    try {
      params = resolveParams(entry, source.params);
      entry.create(params);
    } catch (err) {
      const msg = err instanceof RangeError ? err.message : "Check the strategy's parameters";
      throw new ValidationError(msg, { params: [msg] });
    }
    return { name: entry.name, curatedId: entry.id, strategyId: null, version: 1, params, rules: null };
  }
  // INVARIANT: only the caller's own strategy; another's is indistinguishable from a missing one.
  const row = await db.query.strategies.findFirst({ where: and(eq(strategies.id, source.strategyId), eq(strategies.userId, ctx.actor.id)) });
  if (!row) throw new NotFoundError("No strategy with that id");
  const parsed = parseRules(row.rules);
  if (!parsed.ok) throw new ValidationError(`This strategy's rules are not valid: ${parsed.errors[0]?.message ?? "fix them in the builder"}`, { source: ["Fix the rules in the builder first"] });
  return { name: row.name, curatedId: null, strategyId: row.id, version: row.version, params: {}, rules: parsed.rules };
}

/**
 * Starts a strategy live for the caller (a provider or an admin), after `confirm: true`: creates its automated
 * provider (incubating for INCUBATION_DAYS) and the run, in one transaction with the audit row. Its first live
 * candle is the one that had closed last (liveFrom); earlier ones warm its indicators. `startRunAndTick` then runs
 * its first tick at once.
 */
export async function startRun(ctx: ActingContext, raw: StartRunInput | unknown): Promise<RunRow> {
  if (ctx.actor.role !== "provider" && ctx.actor.role !== "admin") throw new ForbiddenError("Only signal providers can run a strategy live");
  const input = parse(startRunSchema, raw);
  const source = await resolveSource(ctx, input.source);
  const market = getMarketData();
  const info = await market.getSymbol(input.symbol);
  if (!info) {
    const msg = `Unknown symbol "${input.symbol}". Pick one from the symbol list (e.g. BTC/USDT).`;
    throw new ValidationError(msg, { symbol: [msg] });
  }
  const timeframe = input.timeframe as Timeframe;
  // Throws UnsupportedTimeframeError (a ValidationError naming the timeframes there are) when there is no such data.
  await market.candles(info.symbol, timeframe, ctx.now.getTime() - 3 * TIMEFRAME_MS[timeframe], ctx.now.getTime());

  const now = ctx.now;
  const incubationEndsAt = new Date(now.getTime() + INCUBATION_DAYS * 86_400_000);
  const name = input.name || `${source.name} · ${info.symbol} ${timeframe}`;
  return db.transaction(async (tx) => {
    // INVARIANT: under the owner's row lock, so two starts at once cannot both take the last place, and a start from a
    // request that passed its session check just before the account was deleted refuses (privacy/live-account.ts).
    const [owner] = await tx.select({ deletedAt: users.deletedAt }).from(users).where(eq(users.id, ctx.actor.id)).for("update");
    if (!owner || owner.deletedAt) throw new UnauthorizedError("This account was deleted");
    const [running] = await tx.select({ n: count() }).from(strategyRuns).where(and(eq(strategyRuns.userId, ctx.actor.id), eq(strategyRuns.status, "running")));
    if ((running?.n ?? 0) >= MAX_RUNNING_PER_USER) {
      throw new LimitExceededError(`You already run ${MAX_RUNNING_PER_USER} strategies live. Stop one before starting another.`);
    }
    const provider = await createProviderProfile(tx, {
      userId: ctx.actor.id,
      displayName: name,
      tagline: `Automated strategy: ${source.name} on ${info.symbol} ${timeframe}`,
      bio: `Signals published by the strategy "${source.name}" as each ${timeframe} candle of ${info.symbol} closes, through the same hash-chained record as every provider. Its live record starts ${now.toISOString().slice(0, 10)}; backtests are never part of it.`,
      markets: [info.market],
      ...(input.priceCents ? { priceCents: input.priceCents } : {}),
      automated: { listedFrom: incubationEndsAt },
    });
    const [run] = await tx
      .insert(strategyRuns)
      .values({
        userId: ctx.actor.id,
        providerId: provider.id,
        strategyId: source.strategyId,
        curatedId: source.curatedId,
        strategyVersion: source.version,
        name,
        params: source.params,
        rules: source.rules,
        symbol: info.symbol,
        timeframe,
        status: "running",
        incubationEndsAt,
        maxDailyLoss: input.maxDailyLoss,
        maxTradesPerDay: input.maxTradesPerDay,
        processedUntil: new Date(liveFrom(now, TIMEFRAME_MS[timeframe])),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: "strategy_run.started",
      targetType: "strategy_run",
      targetId: run!.id,
      data: { providerId: provider.id, curatedId: source.curatedId, strategyId: source.strategyId, version: source.version, symbol: info.symbol, timeframe, maxDailyLoss: input.maxDailyLoss, maxTradesPerDay: input.maxTradesPerDay },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return run!;
  });
}

/** The caller's run; another's (unless the caller is an admin and `admin` is set) is NOT_FOUND. */
export async function ownedRun(ctx: ActingContext, runId: string, opts: { admin?: boolean } = {}): Promise<RunRow> {
  const run = await db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, runId) });
  const mayAct = run && (run.userId === ctx.actor.id || (opts.admin && ctx.actor.role === "admin"));
  if (!mayAct) throw new NotFoundError("No running strategy with that id");
  return run;
}

export interface RunFigures {
  tradesToday: number;
  /** Realised return today, compounded over today's closed signals (a fraction, 8 places). */
  realisedToday: string;
  /** Realised return since the start, compounded over every closed signal (a fraction, 8 places). */
  realisedTotal: string;
  closedSignals: number;
  openSignals: number;
}

/** Compounded return of signal returns in closing order (each signal a whole position), as a Decimal. */
export function compound(returns: readonly (string | null)[]): Decimal {
  return returns.reduce((acc, r) => acc.times(new Decimal(1).plus(r ?? 0)), new Decimal(1)).minus(1);
}

/** Today's trades and the realised figures of each provider's live record. */
async function figuresOf(providerIds: string[], now: Date): Promise<Map<string, RunFigures>> {
  const out = new Map<string, RunFigures>();
  if (!providerIds.length) return out;
  const day = utcDayStart(now);
  const [published, closed, open] = await Promise.all([
    db
      .select({ providerId: signals.providerId, n: count() })
      .from(signals)
      .where(and(inArray(signals.providerId, providerIds), gte(signals.publishedAt, day)))
      .groupBy(signals.providerId),
    db
      .select({ providerId: signals.providerId, r: signals.resultPct, closedAt: signals.closedAt })
      .from(signals)
      .where(and(inArray(signals.providerId, providerIds), inArray(signals.status, [...FINISHED_SIGNAL_STATUSES]), isNotNull(signals.closedAt)))
      .orderBy(asc(signals.closedAt), asc(signals.id)),
    db
      .select({ providerId: signals.providerId, n: count() })
      .from(signals)
      .where(and(inArray(signals.providerId, providerIds), inArray(signals.status, ["open", "pending"])))
      .groupBy(signals.providerId),
  ]);
  for (const id of providerIds) {
    const mine = closed.filter((c) => c.providerId === id);
    out.set(id, {
      tradesToday: published.find((p) => p.providerId === id)?.n ?? 0,
      realisedToday: compound(mine.filter((c) => c.closedAt! >= day).map((c) => c.r)).toFixed(8),
      realisedTotal: compound(mine.map((c) => c.r)).toFixed(8),
      closedSignals: mine.length,
      openSignals: open.find((p) => p.providerId === id)?.n ?? 0,
    });
  }
  return out;
}

export interface RunView {
  id: string;
  name: string;
  curatedId: string | null;
  strategyId: string | null;
  strategyVersion: number;
  params: Record<string, number>;
  symbol: string;
  timeframe: string;
  status: StrategyRunStatus;
  incubationEndsAt: Date;
  incubating: boolean;
  maxDailyLoss: string;
  maxTradesPerDay: number;
  processedUntil: Date | null;
  startedAt: Date;
  stoppedAt: Date | null;
  stopReason: string | null;
  provider: { id: string; slug: string; displayName: string };
  figures: RunFigures;
  /** Its price and subscribers (./pricing). */
  pricing: RunPricing;
}

const viewColumns = { run: strategyRuns, slug: providers.slug, displayName: providers.displayName };

const NO_PRICING: RunPricing = { priceCents: 0, trialDays: 0, priceReady: false, payoutsReady: false, subscribers: 0 };

function toView(row: { run: RunRow; slug: string; displayName: string }, figures: RunFigures | undefined, pricing: RunPricing | undefined, now: Date): RunView {
  const r = row.run;
  return {
    id: r.id,
    name: r.name,
    curatedId: r.curatedId,
    strategyId: r.strategyId,
    strategyVersion: r.strategyVersion,
    params: r.params,
    symbol: r.symbol,
    timeframe: r.timeframe,
    status: r.status,
    incubationEndsAt: r.incubationEndsAt,
    incubating: r.incubationEndsAt > now,
    maxDailyLoss: r.maxDailyLoss,
    maxTradesPerDay: r.maxTradesPerDay,
    processedUntil: r.processedUntil,
    startedAt: r.createdAt,
    stoppedAt: r.stoppedAt,
    stopReason: r.stopReason,
    provider: { id: r.providerId, slug: row.slug, displayName: row.displayName },
    figures: figures ?? { tradesToday: 0, realisedToday: "0.00000000", realisedTotal: "0.00000000", closedSignals: 0, openSignals: 0 },
    pricing: pricing ?? NO_PRICING,
  };
}

async function views(where: SQL | undefined, now: Date, page?: { page: number; pageSize: number }) {
  const q = db.select(viewColumns).from(strategyRuns).innerJoin(providers, eq(providers.id, strategyRuns.providerId)).where(where).orderBy(desc(strategyRuns.createdAt), asc(strategyRuns.id));
  const rows = page ? await q.limit(page.pageSize).offset((page.page - 1) * page.pageSize) : await q;
  const [figures, pricing] = await Promise.all([figuresOf(rows.map((r) => r.run.providerId), now), pricingOf(rows.map((r) => r.run))]);
  return rows.map((r) => toView(r, figures.get(r.run.providerId), pricing.get(r.run.providerId), now));
}

/** The caller's runs, newest first. */
export async function listOwnRuns(ctx: ActingContext): Promise<RunView[]> {
  return views(eq(strategyRuns.userId, ctx.actor.id), ctx.now);
}

/** One of the caller's runs; another's is NOT_FOUND. */
export async function getOwnRun(ctx: ActingContext, runId: string): Promise<RunView> {
  const [view] = await views(and(eq(strategyRuns.id, runId), eq(strategyRuns.userId, ctx.actor.id)), ctx.now);
  if (!view) throw new NotFoundError("No running strategy with that id");
  return view;
}

/** Admin: every run with its owner, running first. */
export async function adminListRuns(ctx: ActingContext, input: { status?: StrategyRunStatus; page: number; pageSize: number }) {
  const where = input.status ? eq(strategyRuns.status, input.status) : undefined;
  const [items, [total]] = await Promise.all([views(where, ctx.now, input), db.select({ n: count() }).from(strategyRuns).where(where)]);
  const owners = items.length
    ? await db
        .select({ runId: strategyRuns.id, email: users.email, name: users.name })
        .from(strategyRuns)
        .innerJoin(users, eq(users.id, strategyRuns.userId))
        .where(inArray(strategyRuns.id, items.map((i) => i.id)))
    : [];
  return {
    items: items.map((i) => {
      const o = owners.find((x) => x.runId === i.id);
      return { ...i, owner: { email: o?.email ?? "", name: o?.name ?? null } };
    }),
    total: total?.n ?? 0,
    page: input.page,
    pageSize: input.pageSize,
  };
}

/** The owner changes a run's daily limits (audited); they apply from the next tick. */
export async function updateRunLimits(ctx: ActingContext, runId: string, raw: unknown): Promise<RunRow> {
  const limits = parse(runLimitsSchema, raw);
  const run = await ownedRun(ctx, runId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(strategyRuns)
      .set({ maxDailyLoss: limits.maxDailyLoss, maxTradesPerDay: limits.maxTradesPerDay, updatedAt: ctx.now })
      .where(and(eq(strategyRuns.id, run.id), eq(strategyRuns.userId, ctx.actor.id)))
      .returning();
    if (!row) throw new NotFoundError("No running strategy with that id");
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: "strategy_run.limits_changed",
      targetType: "strategy_run",
      targetId: run.id,
      data: { from: { maxDailyLoss: run.maxDailyLoss, maxTradesPerDay: run.maxTradesPerDay }, to: limits },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return row;
  });
}


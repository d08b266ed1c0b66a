/**
 * The Strategy Library (issue 19): the curated catalogue with its stored reference backtests (./reference.ts),
 * filters, similar strategies, recommendations by the trader's profile, and the profile itself (risk tolerance and
 * experience, asked at onboarding and in Settings). Curated strategies are code and read-only: nothing here writes
 * them; the only writes are the reference runs (idempotent) and the caller's own profile.
 */
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { db } from "@/server/db";
import { strategyBacktestRuns, users } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import {
  CATALOGUE,
  COMPLEXITY_CAP,
  DRAWDOWN_CAP_PCT,
  recommend,
  RISK_LEVELS,
  similarStrategies,
  type CuratedStrategy,
  type Experience,
  type Market,
  type RiskLevel,
  type StrategyStats,
} from "@/lib/strategy-library";
import type { LibraryFilters, TradingProfileInput } from "@/lib/validation/strategy-library";
import { ensureReferenceBacktests, REFERENCE_DATASETS, REFERENCE_VERSION, type ReferenceData, type ReferenceDataset } from "./reference";

export { ensureReferenceBacktests, REFERENCE_DATASETS, REFERENCE_VERSION, downsampleEquity, MAX_EQUITY_POINTS, MAX_STORED_TRADES } from "./reference";

/** The figures a card shows, and the data they came from. */
export interface ReferenceSummary {
  market: Market;
  symbol: string;
  timeframe: string;
  data: ReferenceData;
  dataFrom: Date | null;
  dataTo: Date | null;
  tradeCount: number;
  stats: Record<string, number | null>;
}

function describeEntry(e: CuratedStrategy) {
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    markets: [...e.markets],
    timeframes: [...e.timeframes],
    tags: [...e.tags],
    complexity: e.complexity,
    riskLevel: e.riskLevel,
  };
}

const refColumns = {
  curatedId: strategyBacktestRuns.curatedId,
  symbol: strategyBacktestRuns.symbol,
  timeframe: strategyBacktestRuns.timeframe,
  settings: strategyBacktestRuns.settings,
  dataFrom: strategyBacktestRuns.dataFrom,
  dataTo: strategyBacktestRuns.dataTo,
  tradeCount: strategyBacktestRuns.tradeCount,
  stats: strategyBacktestRuns.stats,
};
const isReference = and(isNull(strategyBacktestRuns.userId), eq(strategyBacktestRuns.strategyVersion, REFERENCE_VERSION));

type RefRow = { curatedId: string | null; symbol: string; timeframe: string; settings: Record<string, unknown>; dataFrom: Date | null; dataTo: Date | null; tradeCount: number | null; stats: Record<string, number | null> | null };

function datasetOf(row: { symbol: string; timeframe: string }): ReferenceDataset | undefined {
  return REFERENCE_DATASETS.find((d) => d.symbol === row.symbol && d.timeframe === row.timeframe);
}

function summarise(row: RefRow): ReferenceSummary | null {
  const dataset = datasetOf(row);
  if (!dataset || !row.stats) return null;
  return {
    market: dataset.market,
    symbol: row.symbol,
    timeframe: row.timeframe,
    data: row.settings.data as ReferenceData,
    dataFrom: row.dataFrom,
    dataTo: row.dataTo,
    tradeCount: row.tradeCount ?? 0,
    stats: row.stats,
  };
}

/** Every curated strategy's reference summaries, in REFERENCE_DATASETS order. */
async function referenceSummaries(): Promise<Map<string, ReferenceSummary[]>> {
  await ensureReferenceBacktests();
  const rows = await db.select(refColumns).from(strategyBacktestRuns).where(isReference);
  const out = new Map<string, ReferenceSummary[]>();
  for (const row of rows) {
    const s = summarise(row);
    if (!s || !row.curatedId) continue;
    const list = out.get(row.curatedId) ?? [];
    list.push(s);
    out.set(row.curatedId, list);
  }
  const order = (s: ReferenceSummary) => REFERENCE_DATASETS.findIndex((d) => d.symbol === s.symbol && d.timeframe === s.timeframe);
  for (const list of out.values()) list.sort((a, b) => order(a) - order(b));
  return out;
}

export function matchesFilters(e: CuratedStrategy, f: LibraryFilters): boolean {
  return (
    (!f.market || e.markets.includes(f.market)) &&
    (!f.timeframe || e.timeframes.includes(f.timeframe)) &&
    (!f.tag || e.tags.includes(f.tag)) &&
    (!f.risk || e.riskLevel === f.risk) &&
    (!f.complexity || e.complexity === f.complexity)
  );
}

/** The catalogue, filtered, each entry with its reference backtests' figures. Public. */
export async function listLibrary(filters: LibraryFilters) {
  const refs = await referenceSummaries();
  return CATALOGUE.filter((e) => matchesFilters(e, filters)).map((e) => ({ ...describeEntry(e), references: refs.get(e.id) ?? [] }));
}

/**
 * One curated strategy: its parameters, every reference backtest's figures, the chosen market's equity curve (the
 * first available when none is asked for) and the strategies most like it on that same data. Public.
 */
export async function getLibraryEntry(id: string, market?: Market) {
  const entry = CATALOGUE.find((e) => e.id === id);
  if (!entry) throw new NotFoundError("No such strategy in the library");
  const refs = (await referenceSummaries()).get(id) ?? [];
  const chosen = refs.find((r) => r.market === market) ?? refs[0] ?? null;
  let equity: { time: number; equity: number; drawdownPct: number }[] = [];
  let closes: { exitTime: number; win: boolean }[] = [];
  let similar: { id: string; name: string; correlation: number | null; features: number; score: number }[] = [];
  if (chosen) {
    // Every curated strategy's curve on the same data: the correlation compares like with like.
    const curves = await db
      .select({ curatedId: strategyBacktestRuns.curatedId, equity: strategyBacktestRuns.equity, trades: strategyBacktestRuns.trades })
      .from(strategyBacktestRuns)
      .where(and(isReference, eq(strategyBacktestRuns.symbol, chosen.symbol), eq(strategyBacktestRuns.timeframe, chosen.timeframe)));
    const runs = curves
      .filter((c) => c.curatedId && c.equity && CATALOGUE.some((e) => e.id === c.curatedId))
      .map((c) => ({ key: c.curatedId!, strategyId: c.curatedId!, times: c.equity!.map((p) => p.time), equity: c.equity!.map((p) => p.equity) }));
    const own = curves.find((c) => c.curatedId === id);
    equity = own?.equity ?? [];
    // The stored trades (the last MAX_STORED_TRADES) as chart markers: when each closed and whether it made money.
    closes = (own?.trades ?? []).map((t) => ({ exitTime: t.exitTime, win: t.pnl > 0 }));
    if (runs.some((r) => r.key === id)) {
      similar = similarStrategies(id, runs).map((s) => ({ id: s.strategyId, name: CATALOGUE.find((e) => e.id === s.strategyId)!.name, correlation: s.correlation, features: s.features, score: s.score }));
    }
  }
  return {
    ...describeEntry(entry),
    params: entry.params.map((p) => ({ ...p })),
    references: refs,
    chosen: chosen ? { ...chosen, equity, closes } : null,
    similar,
  };
}

// ---- the trader's profile and recommendations ----

export interface TradingProfile {
  riskTolerance: RiskLevel | null;
  experience: Experience | null;
}

export async function getTradingProfile(ctx: ActingContext): Promise<TradingProfile> {
  const [row] = await db.select({ riskTolerance: users.riskTolerance, experience: users.experience }).from(users).where(eq(users.id, ctx.actor.id));
  if (!row) throw new NotFoundError("Account not found");
  return row;
}

/** The caller's own answers (null = not answered); audited. */
export async function setTradingProfile(ctx: ActingContext, input: TradingProfileInput): Promise<TradingProfile> {
  const userId = ctx.actor.id;
  await db.transaction(async (tx) => {
    const updated = await tx.update(users).set({ riskTolerance: input.riskTolerance, experience: input.experience }).where(eq(users.id, userId)).returning({ id: users.id });
    if (updated.length === 0) throw new NotFoundError("Account not found");
    await recordAudit(tx, {
      actorId: userId,
      action: "user.trading_profile_updated",
      targetType: "user",
      targetId: userId,
      data: { riskTolerance: input.riskTolerance, experience: input.experience },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
  });
  return { riskTolerance: input.riskTolerance, experience: input.experience };
}

const pct = (v: number) => `${v.toFixed(1)}%`;

/**
 * Recommendations for the caller's profile (lib/strategy-library/recommend's rule), judged on the stock reference
 * run (daily GOOG: the data the catalogue's risk levels are defined on), each with the reasons it passed.
 * Unanswered (either question) → no list, and the page asks the two questions.
 */
export async function recommendationsFor(ctx: ActingContext) {
  const profile = await getTradingProfile(ctx);
  if (!profile.riskTolerance || !profile.experience) return { profile, basis: null, items: [] };
  const refs = await referenceSummaries();
  const basis = REFERENCE_DATASETS.find((d) => d.market === "stocks")!;
  const stats: Record<string, StrategyStats | undefined> = {};
  let basisLabel: string | null = null;
  for (const [id, list] of refs) {
    const r = list.find((s) => s.symbol === basis.symbol && s.timeframe === basis.timeframe);
    if (r && typeof r.stats.maxDrawdownPct === "number") {
      stats[id] = { maxDrawdownPct: r.stats.maxDrawdownPct, sharpe: r.stats.sharpe ?? null };
      basisLabel ??= r.data.label;
    }
  }
  const full = { riskTolerance: profile.riskTolerance, experience: profile.experience };
  const cappedTolerance: RiskLevel = full.experience === "beginner" && full.riskTolerance === "high" ? "medium" : full.riskTolerance;
  const ddCap = DRAWDOWN_CAP_PCT[cappedTolerance];
  const items = recommend(full, CATALOGUE, stats).map((r, i) => {
    const reasons = [`Complexity ${r.strategy.complexity} of 3: within what we suggest to ${full.experience === "beginner" ? "a" : "an"} ${full.experience} trader (up to ${COMPLEXITY_CAP[full.experience]}).`];
    if (r.maxDrawdownPct !== null) {
      reasons.push(
        Number.isFinite(ddCap)
          ? `Its worst fall in the hypothetical backtest was ${pct(r.maxDrawdownPct)}, within the ${ddCap}% limit for ${cappedTolerance} risk tolerance${cappedTolerance !== full.riskTolerance ? " (a beginner's limit)" : ""}.`
          : `Its worst fall in the hypothetical backtest was ${pct(r.maxDrawdownPct)}; with high risk tolerance there is no drawdown limit.`,
      );
      if (RISK_LEVELS.indexOf(r.strategy.riskLevel) > RISK_LEVELS.indexOf(cappedTolerance)) {
        reasons.push(`Labelled ${r.strategy.riskLevel} risk for its volatility, which swings the account more than its drawdown alone suggests.`);
      }
    } else {
      reasons.push(`No backtest figures yet: its ${r.strategy.riskLevel} risk level is within your ${cappedTolerance} tolerance.`);
    }
    reasons.push(r.sharpe !== null ? `Ranked #${i + 1} by risk-adjusted return (Sharpe ${r.sharpe.toFixed(2)}).` : `Ranked #${i + 1}: no Sharpe ratio to rank it by.`);
    return { ...describeEntry(r.strategy), maxDrawdownPct: r.maxDrawdownPct, sharpe: r.sharpe, reasons };
  });
  return { profile, basis: basisLabel, items };
}

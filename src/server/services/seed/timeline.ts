/**
 * A demo plan's history as pure data: the strategy's proposals on each of the plan's instruments and every
 * lifecycle event that follows them, in time order, decided by the same lifecycle rules as live signals. No I/O:
 * track-records.ts writes it through the chain; the tests check it against the recordings directly.
 */
import "server-only";
import { lowerBound } from "@/lib/market-data/candles";
import { runCandles, type Candle, type LifecycleEvent, type LifecycleState } from "@/lib/lifecycle";
import * as S from "@/lib/strategies";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** The history a demo provider gets: a year, from a UTC midnight. */
export const HISTORY_MS = 365 * DAY;

export interface Plan {
  /** The instruments it trades, each on its own (one position at a time per instrument). */
  symbols: readonly string[];
  /** Strategy candles are this many hours long (built from the hourly record, on UTC boundaries); divides 24. */
  hours: number;
  strategy: S.PlanStrategy;
}

/** One instrument's hourly candles (closed, ascending) and price decimals. */
export interface PlanSeries {
  symbol: string;
  hourly: Candle[];
  decimals: number;
}

/** Where a demo history starts for a given "now": the UTC midnight a year back (so it does not move within a day). */
export function historyStart(now: number): number {
  return Math.floor((now - HISTORY_MS) / DAY) * DAY;
}

/**
 * Candles of `hours` hours on UTC boundaries of that length (4h candles open at 00:00, 04:00, ...), complete ones
 * only: a group with a missing hour is skipped, like an exchange outage, and an unfinished last group is not there.
 */
export function strategyCandles(hourly: Candle[], hours: number): Candle[] {
  if (hours === 1) return hourly;
  if (!Number.isInteger(hours) || hours < 1 || 24 % hours !== 0) throw new RangeError("hours must divide 24");
  const span = hours * HOUR;
  const out: Candle[] = [];
  for (let i = 0; i < hourly.length; ) {
    const bucket = Math.floor(hourly[i]!.openTime / span) * span;
    let j = i;
    while (j < hourly.length && hourly[j]!.openTime < bucket + span) j++;
    if (j - i === hours && hourly[i]!.openTime === bucket) out.push(...S.aggregate(hourly.slice(i, j), hours, HOUR));
    i = j;
  }
  return out;
}

export interface Proposal {
  /** Unique within the plan; orders publications at the same time (plan symbol order, then time). */
  key: number;
  symbol: string;
  proposal: S.ProposedSignal;
  /** State at publication (open for a market entry, pending for a limit). */
  state: LifecycleState;
}

/** Every signal the plan publishes by `now`, per instrument in plan order. */
export function proposalsOf(plan: Plan, series: readonly PlanSeries[], now: number): Proposal[] {
  const out: Proposal[] = [];
  for (const s of series) {
    const candles = strategyCandles(s.hourly, plan.hours);
    for (const p of plan.strategy({ candles, decimals: s.decimals })) {
      const publishedAt = new Date(candles[p.index]!.openTime + plan.hours * HOUR);
      if (publishedAt.getTime() > now) continue;
      out.push({ key: out.length, symbol: s.symbol, proposal: p, state: initialState(p, publishedAt) });
    }
  }
  return out;
}

export function initialState(p: S.ProposedSignal, publishedAt: Date): LifecycleState {
  const market = p.entryType === "market";
  return {
    side: p.side,
    status: market ? "open" : "pending",
    entryPrice: p.entryPrice,
    fillPrice: market ? p.entryPrice : null,
    stopLoss: p.stopLoss,
    takeProfits: p.takeProfits,
    targetsHit: [],
    remaining: "1",
    publishedAt,
    filledAt: market ? publishedAt : null,
    expiresAt: p.expiresInHours ? new Date(publishedAt.getTime() + p.expiresInHours * HOUR) : null,
  };
}

/** The lifecycle of one proposal over the hourly candles that open at or after its publication and close by `now`. */
export function lifecycleOf(p: Proposal, hourly: Candle[], times: ArrayLike<number>, now: number) {
  const from = lowerBound(times, p.state.publishedAt.getTime());
  const to = lowerBound(times, now - HOUR + 1);
  return runCandles(p.state, hourly.slice(from, Math.max(from, to)), HOUR);
}

export type Step =
  | { at: Date; order: 0; kind: "publish"; key: number; symbol: string; proposal: S.ProposedSignal; state: LifecycleState }
  | { at: Date; order: 1; kind: "event"; key: number; symbol: string; event: LifecycleEvent };

/** Every publication and lifecycle event of one plan, in time order (publications first at equal times). */
export function timeline(plan: Plan, series: readonly PlanSeries[], now: Date): { steps: Step[]; finalStates: Map<number, LifecycleState> } {
  const t = now.getTime();
  const bySymbol = new Map(series.map((s) => [s.symbol, { hourly: s.hourly, times: s.hourly.map((c) => c.openTime) }]));
  const steps: Step[] = [];
  const finalStates = new Map<number, LifecycleState>();
  for (const p of proposalsOf(plan, series, t)) {
    const { hourly, times } = bySymbol.get(p.symbol)!;
    steps.push({ at: p.state.publishedAt, order: 0, kind: "publish", key: p.key, symbol: p.symbol, proposal: p.proposal, state: p.state });
    const run = lifecycleOf(p, hourly, times, t);
    for (const event of run.events) steps.push({ at: event.at, order: 1, kind: "event", key: p.key, symbol: p.symbol, event });
    finalStates.set(p.key, run.state);
  }
  steps.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order || a.key - b.key);
  return { steps, finalStates };
}

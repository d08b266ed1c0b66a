/**
 * Per-window track-record statistics and the ranking decision, built on the standard account (./account) and
 * the per-signal figures (./signal). Rounds only when building the returned object.
 */
import type Decimal from "decimal.js";
import {
  ANNUALISATION_DAYS,
  DAY_MS,
  FULL_WEIGHT_SIGNALS,
  HOUR_MS,
  INITIAL_EQUITY,
  MIN_CLOSED_SIGNALS,
  MIN_TRACK_RECORD_DAYS,
  WINDOWS,
} from "./constants";
import { D, parseTime, toOutput } from "./decimal";
import { earliestOpen, runAccount, selectWindow, windowStart } from "./account";
import { parseSignals, type ParsedSignal } from "./signal";
import type { ClosedSignal, TrackRecordStats, TrackRecordWindow } from "./types";

const INITIAL = new D(INITIAL_EQUITY);
const SQRT_ANNUALISATION = new D(ANNUALISATION_DAYS).sqrt();

export interface StatsOptions {
  /**
   * First openedAt over ALL the provider's signals (open ones included), for the ranking age rule.
   * Omitted: the earliest openedAt in `signals` (conservative when open signals are not passed).
   * null: no track record, never ranked.
   */
  trackRecordStart?: Date | null;
}

function sum(values: readonly Decimal[]): Decimal {
  return values.reduce((acc, v) => acc.plus(v), new D(0));
}

function mean(values: readonly Decimal[]): Decimal | null {
  return values.length === 0 ? null : sum(values).div(values.length);
}

/** mean / sample stdev (n − 1) × √365; null below 2 returns or with zero stdev. */
export function sharpeRatio(dailyReturns: readonly Decimal[]): Decimal | null {
  const m = mean(dailyReturns);
  if (m === null || dailyReturns.length < 2) return null;
  const variance = sum(dailyReturns.map((r) => r.minus(m).pow(2))).div(dailyReturns.length - 1);
  if (variance.isZero()) return null;
  return m.div(variance.sqrt()).times(SQRT_ANNUALISATION);
}

/** mean / √(mean over all days of min(0, r)²) × √365; null below 2 returns or without a losing day. */
export function sortinoRatio(dailyReturns: readonly Decimal[]): Decimal | null {
  const m = mean(dailyReturns);
  if (m === null || dailyReturns.length < 2) return null;
  const downsideVariance = sum(dailyReturns.map((r) => (r.isNegative() ? r.pow(2) : new D(0)))).div(dailyReturns.length);
  if (downsideVariance.isZero()) return null;
  return m.div(downsideVariance.sqrt()).times(SQRT_ANNUALISATION);
}

function outputOrNull(value: Decimal | null): string | null {
  return value === null ? null : toOutput(value);
}

function windowStats(
  all: readonly ParsedSignal[],
  window: TrackRecordWindow,
  now: Date,
  trackRecordStart: number | null,
): TrackRecordStats {
  const nowMs = now.getTime();
  const start = windowStart(window, now);
  const selected = selectWindow(all, start === null ? null : start.getTime(), nowMs);
  const signals = selected.signals;
  const run = runAccount(signals, selected.start, nowMs);
  const n = signals.length;

  const returns = signals.map((s) => s.r);
  const wins = returns.filter((r) => r.isPositive() && !r.isZero()).length;
  const gains = sum(returns.filter((r) => r.isPositive()));
  const losses = sum(returns.filter((r) => r.isNegative())).abs();
  const rMultiples = signals.flatMap((s) => (s.rMultiple === null ? [] : [s.rMultiple]));
  const holdHours = signals.map((s) => new D(s.closedAt - s.openedAt).div(HOUR_MS));
  const sharpe = sharpeRatio(run.dailyReturns);

  const ranked =
    n >= MIN_CLOSED_SIGNALS && trackRecordStart !== null && nowMs - trackRecordStart >= MIN_TRACK_RECORD_DAYS * DAY_MS;
  // Shrinks small samples toward 0 so a lucky handful of signals cannot top the board.
  const score = ranked && sharpe !== null ? sharpe.times(D.min(1, new D(n).div(FULL_WEIGHT_SIGNALS))) : null;
  const zero = new D(0);

  return {
    window,
    closedSignals: n,
    wins,
    roi: toOutput(run.finalEquity.div(INITIAL).minus(1)),
    winRate: toOutput(n === 0 ? zero : new D(wins).div(n)),
    profitFactor: losses.isZero() ? null : toOutput(gains.div(losses)),
    maxDrawdown: toOutput(run.maxDrawdown),
    sharpe: outputOrNull(sharpe),
    sortino: outputOrNull(sortinoRatio(run.dailyReturns)),
    expectancy: toOutput(mean(returns) ?? zero),
    avgR: outputOrNull(mean(rMultiples)),
    avgHoldHours: toOutput(mean(holdHours) ?? zero),
    firstSignalAt: n === 0 ? null : new Date(earliestOpen(signals)),
    score: outputOrNull(score),
    ranked,
  };
}

function resolveTrackRecordStart(signals: readonly ParsedSignal[], options: StatsOptions): number | null {
  if (options.trackRecordStart === null) return null;
  if (options.trackRecordStart !== undefined) return parseTime(options.trackRecordStart, "trackRecordStart");
  return signals.length === 0 ? null : earliestOpen(signals);
}

function assertWindow(window: unknown): asserts window is TrackRecordWindow {
  if (!(WINDOWS as readonly unknown[]).includes(window)) throw new RangeError(`unknown window ${JSON.stringify(window)}`);
}

/** Stats of one window ending at `now`. Every signal is validated, including those outside the window. */
export function computeStats(
  signals: readonly ClosedSignal[],
  window: TrackRecordWindow,
  now: Date,
  options: StatsOptions = {},
): TrackRecordStats {
  assertWindow(window);
  parseTime(now, "now");
  const parsed = parseSignals(signals);
  return windowStats(parsed, window, now, resolveTrackRecordStart(parsed, options));
}

/** Stats of every window ("30d", "90d", "1y", "all"), validating the signals once. */
export function computeAllWindows(
  signals: readonly ClosedSignal[],
  now: Date,
  options: StatsOptions = {},
): Record<TrackRecordWindow, TrackRecordStats> {
  parseTime(now, "now");
  const parsed = parseSignals(signals);
  const trackRecordStart = resolveTrackRecordStart(parsed, options);
  const stats = (window: TrackRecordWindow) => windowStats(parsed, window, now, trackRecordStart);
  return { "30d": stats("30d"), "90d": stats("90d"), "1y": stats("1y"), all: stats("all") };
}

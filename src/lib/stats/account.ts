/**
 * The standard account: which signals a window holds, and the equity curve they produce (realized equity at
 * every leg and UTC day end, the daily series and drawdowns). The profile chart and the stats share this code.
 */
import type Decimal from "decimal.js";
import { ALLOCATION, DAY_MS, INITIAL_EQUITY } from "./constants";
import { D, parseTime, toOutput } from "./decimal";
import { parseSignals, type ParsedSignal } from "./signal";
import type { ClosedSignal, EquityCurve, TrackRecordWindow } from "./types";

const INITIAL = new D(INITIAL_EQUITY);
const ALLOCATION_D = new D(ALLOCATION);

const WINDOW_DAYS: Record<Exclude<TrackRecordWindow, "all">, number> = { "30d": 30, "90d": 90, "1y": 365 };

/** Start of a window ending at `now`; null for "all", whose account opens at its first signal's openedAt. */
export function windowStart(window: TrackRecordWindow, now: Date): Date | null {
  const nowMs = parseTime(now, "now");
  if (window === "all") return null;
  const days = WINDOW_DAYS[window] as number | undefined;
  if (days === undefined) throw new RangeError(`unknown window ${JSON.stringify(window)}`);
  return new Date(nowMs - days * DAY_MS);
}

/** Earliest openedAt (ms); +Infinity for no signals. A loop, not Math.min(...xs), which overflows the stack. */
export function earliestOpen(signals: readonly ParsedSignal[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const s of signals) if (s.openedAt < first) first = s.openedAt;
  return first;
}

/**
 * Signals with closedAt in (start, now] (with start null: closedAt ≤ now), and the account's opening time:
 * `start`, or for null the earliest openedAt among them (`now` when there are none).
 */
export function selectWindow(
  signals: readonly ParsedSignal[],
  start: number | null,
  now: number,
): { start: number; signals: ParsedSignal[] } {
  const included = signals.filter((s) => s.closedAt <= now && (start === null || s.closedAt > start));
  if (start !== null) return { start, signals: included };
  return { start: included.length === 0 ? now : earliestOpen(included), signals: included };
}

export interface AccountRun {
  /** `drawdown` = (running peak − equity) / running peak. */
  points: { time: number; equity: Decimal; drawdown: Decimal }[];
  daily: { time: number; equity: Decimal }[];
  /** E_d / E_{d−1} − 1 per day end, E_0 being INITIAL_EQUITY at the start. */
  dailyReturns: Decimal[];
  maxDrawdown: Decimal;
  finalEquity: Decimal;
}

type AccountEvent =
  | { time: number; kind: 0; signal: ParsedSignal }
  | { time: number; kind: 1; signal: ParsedSignal; leg: number; share: Decimal; r: Decimal };

function compareEvents(a: AccountEvent, b: AccountEvent): number {
  if (a.time !== b.time) return a.time - b.time;
  // Opens before exits at the same instant: an allocation sees only P&L realized strictly before it.
  if (a.kind !== b.kind) return a.kind - b.kind;
  if (a.signal.id !== b.signal.id) return a.signal.id < b.signal.id ? -1 : 1;
  if (a.signal.index !== b.signal.index) return a.signal.index - b.signal.index;
  return a.kind === 1 && b.kind === 1 ? a.leg - b.leg : 0;
}

/**
 * Runs the standard account over `signals` (already selected for the window) from `start` to `now`.
 * Events before `start` (opens and legs of signals opened before a window began) take effect at `start`.
 */
export function runAccount(signals: readonly ParsedSignal[], start: number, now: number): AccountRun {
  const events: AccountEvent[] = [];
  const pointTimes = new Set<number>([start]);
  for (const signal of signals) {
    events.push({ time: Math.max(signal.openedAt, start), kind: 0, signal });
    signal.legs.forEach((leg, i) => {
      const time = Math.max(leg.at, start);
      events.push({ time, kind: 1, signal, leg: i, share: leg.share, r: leg.r });
      pointTimes.add(time);
    });
  }
  events.sort(compareEvents);
  for (let t = (Math.floor(start / DAY_MS) + 1) * DAY_MS; t <= now; t += DAY_MS) pointTimes.add(t);
  const times = [...pointTimes].sort((a, b) => a - b);

  const allocations = new Map<ParsedSignal, Decimal>();
  let equity = INITIAL;
  // The account opens at INITIAL_EQUITY, so that is the first peak even if legs realized at `start` lost.
  let peak = INITIAL;
  let maxDrawdown = new D(0);
  let next = 0;
  const points: AccountRun["points"] = [];
  const daily: AccountRun["daily"] = [];
  for (const time of times) {
    // A mark at `time` includes everything realized at or before `time`.
    for (let event = events[next]; event !== undefined && event.time <= time; event = events[++next]) {
      if (event.kind === 0) {
        allocations.set(event.signal, equity.times(ALLOCATION_D));
        continue;
      }
      const allocation = allocations.get(event.signal);
      // INVARIANT: a signal's open sorts before its legs (same effective time or earlier, opens first).
      if (allocation === undefined) throw new Error(`stats: leg of ${event.signal.id} before its open`);
      equity = equity.plus(allocation.times(event.share).times(event.r));
      if (!equity.isPositive() || equity.isZero()) {
        throw new RangeError(`stats: standard account equity fell to ${equity.toString()} at ${new Date(event.time).toISOString()}`);
      }
    }
    if (equity.gt(peak)) peak = equity;
    const drawdown = peak.minus(equity).div(peak);
    if (drawdown.gt(maxDrawdown)) maxDrawdown = drawdown;
    points.push({ time, equity, drawdown });
    if (time > start && time % DAY_MS === 0) daily.push({ time, equity });
  }
  // INVARIANT: every leg time is a point time, so every event has been applied.
  if (next !== events.length) throw new Error("stats: account events left unprocessed");

  const dailyReturns: Decimal[] = [];
  let previous = INITIAL;
  for (const { equity: e } of daily) {
    dailyReturns.push(e.div(previous).minus(1));
    previous = e;
  }

  return { points, daily, dailyReturns, maxDrawdown, finalEquity: equity };
}

/**
 * The standard account's equity curve for the chart. Holds the signals with closedAt in (start, now]; with
 * `start: null` (the "all" window) those closed by `now`, the account opening at the first one's openedAt.
 * Use `windowStart(window, now)` for a window's start.
 */
export function equityCurve(signals: readonly ClosedSignal[], { start, now }: { start: Date | null; now: Date }): EquityCurve {
  const nowMs = parseTime(now, "now");
  const startMs = start === null ? null : parseTime(start, "start");
  if (startMs !== null && startMs > nowMs) throw new RangeError("start must not be after now");
  const selected = selectWindow(parseSignals(signals), startMs, nowMs);
  const run = runAccount(selected.signals, selected.start, nowMs);
  return curveOutput(selected.start, run);
}

export function curveOutput(start: number, run: AccountRun): EquityCurve {
  return {
    start: new Date(start),
    points: run.points.map((p) => ({ time: new Date(p.time), equity: toOutput(p.equity) })),
    daily: run.daily.map((p) => ({ time: new Date(p.time), equity: toOutput(p.equity) })),
    drawdown: run.points.map((p) => ({ time: new Date(p.time), drawdown: toOutput(p.drawdown) })),
    finalEquity: toOutput(run.finalEquity),
    maxDrawdown: toOutput(run.maxDrawdown),
  };
}

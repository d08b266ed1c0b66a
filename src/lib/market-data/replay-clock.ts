/**
 * Where "now" falls in a recorded series. The replay shifts each series by a fixed offset so its recorded candles
 * look live; this picks that offset, once, so that "now" lands near the end of the recording (its most recent
 * prices) and the rest of the recording is still ahead: the runway the replay plays forward into.
 *
 * INVARIANT: the offset is chosen once per series and database and then stored for good (prices must never jump),
 * so the runway is spent as time passes. When it is used up the recording has nothing newer: the last recorded
 * price stands still and no new candles appear (see `replayProgress`); a new database gets a new offset.
 */
import { DAY_MS } from "./candles";

export interface ReplayOffsetInput {
  /** Recorded open time of the first candle, ms. */
  firstOpen: number;
  /** Recorded close time of the last candle, ms. */
  lastClose: number;
  now: number;
  /** Recorded future left after "now" when the offset is chosen: how long the replay keeps moving. */
  runwayMs: number;
  /** The offset is a whole multiple of this: 1 day keeps daily candles on UTC midnight; 7 days also keeps
   * weekdays, so a forex or stock series' weekend gaps still fall on Saturdays and Sundays. */
  stepMs: number;
}

/** Default runway: a quarter of a year of recorded future after the offset is chosen (plus up to one step). */
export const DEFAULT_REPLAY_RUNWAY_MS = 90 * DAY_MS;

/**
 * The recorded times "now" can land on when the offset is chosen: `(from, to]`, one step wide, ending `runwayMs`
 * before the end of the recording (or at its first candle, for a series shorter than the runway, which then has
 * no history yet). Which instant within it depends only on the weekday and time of day of the real "now".
 */
export function replayAnchorWindow(i: Omit<ReplayOffsetInput, "now">): { from: number; to: number } {
  if (!(i.stepMs > 0) || i.stepMs % DAY_MS !== 0) throw new RangeError("stepMs must be a positive multiple of a day");
  if (!(i.lastClose > i.firstOpen)) throw new RangeError("empty series");
  if (!(i.runwayMs >= 0)) throw new RangeError("runwayMs must not be negative");
  const to = Math.max(i.lastClose - i.runwayMs, i.firstOpen);
  return { from: to - i.stepMs, to };
}

/**
 * Offset (ms) to add to recorded times, a whole number of steps, such that recorded(now) = now - offset lands in
 * `replayAnchorWindow`: at least `runwayMs` before the end of the recording and less than one step more.
 */
export function chooseReplayOffset(i: ReplayOffsetInput): number {
  const { to } = replayAnchorWindow(i);
  return Math.ceil((i.now - to) / i.stepMs) * i.stepMs;
}

export interface ReplayProgress {
  /** The recorded time shown as "now". */
  recordedNow: number;
  /** When (real time) the recording runs out: its last close, shifted. */
  endsAt: number;
  /** Recorded future still to play, ms (0 once used up). */
  runwayLeftMs: number;
  /** True once "now" is past the recording's last candle: the last price stands still from then on. */
  ended: boolean;
}

/** How far a replay with a stored offset has got at `now`. */
export function replayProgress(s: { lastClose: number; offsetMs: number }, now: number): ReplayProgress {
  const recordedNow = now - s.offsetMs;
  const endsAt = s.lastClose + s.offsetMs;
  return { recordedNow, endsAt, runwayLeftMs: Math.max(0, endsAt - now), ended: now >= endsAt };
}

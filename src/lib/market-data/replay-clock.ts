/**
 * Where "now" falls in a recorded series. The replay shifts each series by a fixed offset so its recorded
 * candles look live; this picks that offset, once, from the series' span.
 */
import { DAY_MS } from "./candles";

export interface ReplayOffsetInput {
  /** Recorded open time of the first candle, ms. */
  firstOpen: number;
  /** Recorded close time of the last candle, ms. */
  lastClose: number;
  now: number;
  /** History wanted before "now" (365 days). */
  minHistoryMs: number;
  /** When the series cannot give `minHistoryMs` and still leave this much recorded future, "now" is put this
   * far before the series end instead and the history is shorter. */
  runwayMs: number;
  /** The offset is a whole multiple of this: 1 day keeps daily candles on UTC midnight; 7 days also keeps
   * weekdays, so a forex or stock series' weekend gaps still fall on Saturdays and Sundays. */
  stepMs: number;
}

/**
 * Offset (ms) to add to recorded times. Long series: recorded(now) = now - offset lands in
 * [firstOpen + minHistory, firstOpen + minHistory + step), leaving the rest of the series as runway.
 * Short series: recorded(now) lands in (lastClose - runway - step, lastClose - runway].
 */
export function chooseReplayOffset(i: ReplayOffsetInput): number {
  if (!(i.stepMs > 0) || i.stepMs % DAY_MS !== 0) throw new RangeError("stepMs must be a positive multiple of a day");
  if (!(i.lastClose > i.firstOpen)) throw new RangeError("empty series");
  const longAnchor = i.firstOpen + i.minHistoryMs;
  if (longAnchor + i.stepMs <= i.lastClose - i.runwayMs) {
    return Math.floor((i.now - longAnchor) / i.stepMs) * i.stepMs;
  }
  const anchor = Math.max(i.lastClose - i.runwayMs, i.firstOpen);
  return Math.ceil((i.now - anchor) / i.stepMs) * i.stepMs;
}

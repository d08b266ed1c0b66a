/**
 * VWAP: Σ typical price · volume / Σ volume, typical price = (high + low + close) / 3, summed from the first candle
 * (session "none", the default) or from the first candle of each UTC day (session "utc-day", which reads
 * `candle.time`; TradingView's VWAP likewise restarts each session, by default each day). trading-signals 8.3 only
 * has the cumulative form. Ready with the first candle that has volume; a candle with zero volume leaves the value
 * where it was (trading-signals returns null from that update but keeps the value; a session that has seen no
 * volume yet has none: null).
 */
import { checkCandle, checkChoice, runSeries, type Candle, type Indicator } from "./core";

export const VWAP_SESSIONS = ["none", "utc-day"] as const;
export type VWAPSession = (typeof VWAP_SESSIONS)[number];

export interface VWAPParams {
  session?: VWAPSession;
}

const DAY_MS = 86_400_000;

export class VWAP implements Indicator<Candle, number> {
  readonly session: VWAPSession;
  readonly warmup = 1;
  private priceVolume = 0;
  private volume = 0;
  private day = NaN;
  private current: number | null = null;

  constructor({ session = "none" }: VWAPParams = {}) {
    this.session = checkChoice("VWAP", "session", session, VWAP_SESSIONS);
  }

  update(c: Candle): number | null {
    checkCandle("VWAP", c, true);
    if (this.session === "utc-day") {
      if (typeof c.time !== "number" || !Number.isFinite(c.time)) {
        throw new RangeError(`VWAP with session "utc-day" needs the candle's time (ms since epoch), got ${c.time}`);
      }
      const day = Math.floor(c.time / DAY_MS);
      if (day !== this.day) {
        this.day = day;
        this.priceVolume = 0;
        this.volume = 0;
        this.current = null;
      }
    }
    const volume = c.volume!;
    this.priceVolume += ((c.high + c.low + c.close) / 3) * volume;
    this.volume += volume;
    if (this.volume === 0) return null;
    return (this.current = this.priceVolume / this.volume);
  }

  get value(): number | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function vwap(candles: readonly Candle[], params: VWAPParams = {}): number[] {
  return runSeries(new VWAP(params), candles);
}

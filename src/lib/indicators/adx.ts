/**
 * ADX with the directional indicators (Wilder). Per candle after the first: up = high − prevHigh,
 * down = prevLow − low; +DM = up when up > down and up > 0, else 0; −DM = down when down > up and down > 0, else 0;
 * TR as in atr.ts. TR, +DM and −DM are each smoothed with Wilder's average over `period` (seeded with their mean);
 * +DI = 100 · avg(+DM) / avg(TR), −DI likewise (0 when the average range is 0: a flat market has no direction);
 * DX = 100 · |+DI − −DI| / (+DI + −DI) (0 when both are 0); ADX = Wilder's average of DX over `adxPeriod` (default
 * `period`). This is TradingView's ta.dmi. Warm-up: period + adxPeriod candles (the first candle only provides the
 * previous high, low and close). All three outputs are reported together, from the warm-up on.
 *
 * variant "trading-signals" reproduces trading-signals 8.3, which differs in two ways:
 * 1. The first candle counts: it enters the averages with +DM = −DM = 0 and TR = high − low, so the seeds are the
 *    means of candles 0…period−1 rather than 1…period, and everything is ready one candle earlier (warm-up
 *    period + adxPeriod − 1). The seed's effect decays by (1 − 1/period) per candle.
 * 2. Ties: when up = down > 0 it credits the move to both +DM and −DM; Wilder (and we) credit neither. This does
 *    not decay: each tie moves both averages. The recorded BTC/USDT hours hold 3 such ties, the GOOG days 1.
 * Its +DI and −DI are fractions (0…1); ours are percentages, as everywhere else.
 */
import { checkCandle, checkChoice, checkPeriod, runColumns, WilderAverage, type Candle, type Indicator } from "./core";
import { trueRange } from "./atr";

export const ADX_VARIANTS = ["wilder", "trading-signals"] as const;
export type ADXVariant = (typeof ADX_VARIANTS)[number];

export interface ADXParams {
  /** Smoothing of TR and the directional movements (the DI length). */
  period: number;
  /** Smoothing of DX into ADX; defaults to `period`. */
  adxPeriod?: number;
  variant?: ADXVariant;
}

export interface ADXValue {
  adx: number;
  plusDI: number;
  minusDI: number;
}

export const ADX_OUTPUTS = ["adx", "plusDI", "minusDI"] as const;

export class ADX implements Indicator<Candle, ADXValue> {
  readonly period: number;
  readonly adxPeriod: number;
  readonly variant: ADXVariant;
  readonly warmup: number;
  private readonly range: WilderAverage;
  private readonly plus: WilderAverage;
  private readonly minus: WilderAverage;
  private readonly dx: WilderAverage;
  private started = false;
  private prevHigh = NaN;
  private prevLow = NaN;
  private prevClose = NaN;
  private current: ADXValue | null = null;

  constructor({ period, adxPeriod = period, variant = "wilder" }: ADXParams) {
    this.period = checkPeriod("ADX", "period", period);
    this.adxPeriod = checkPeriod("ADX", "ADX smoothing period", adxPeriod);
    this.variant = checkChoice("ADX", "variant", variant, ADX_VARIANTS);
    this.warmup = this.period + this.adxPeriod - (this.variant === "wilder" ? 0 : 1);
    this.range = new WilderAverage(this.period);
    this.plus = new WilderAverage(this.period);
    this.minus = new WilderAverage(this.period);
    this.dx = new WilderAverage(this.adxPeriod);
  }

  update(c: Candle): ADXValue | null {
    checkCandle("ADX", c);
    let tr: number;
    let plusDM: number;
    let minusDM: number;
    if (!this.started) {
      this.started = true;
      this.remember(c);
      if (this.variant === "wilder") return null;
      tr = c.high - c.low;
      plusDM = 0;
      minusDM = 0;
    } else {
      const up = c.high - this.prevHigh;
      const down = this.prevLow - c.low;
      if (this.variant === "wilder") {
        plusDM = up > down && up > 0 ? up : 0;
        minusDM = down > up && down > 0 ? down : 0;
      } else {
        plusDM = up < 0 || up < down ? 0 : up;
        minusDM = down < 0 || down < up ? 0 : down;
      }
      tr = trueRange(c, this.prevClose);
      this.remember(c);
    }
    const avgRange = this.range.update(tr);
    const avgPlus = this.plus.update(plusDM);
    const avgMinus = this.minus.update(minusDM);
    // The three averages see the same number of inputs, so they are ready together.
    if (avgRange === null || avgPlus === null || avgMinus === null) return null;
    // Fractions here, percentages on output: trading-signals computes DX from the fractions, and so do we, so the
    // variant rounds as it does.
    const plusDI = avgRange === 0 ? 0 : avgPlus / avgRange;
    const minusDI = avgRange === 0 ? 0 : avgMinus / avgRange;
    const sum = plusDI + minusDI;
    const adx = this.dx.update(sum === 0 ? 0 : (Math.abs(plusDI - minusDI) / sum) * 100);
    if (adx === null) return null;
    return (this.current = { adx, plusDI: plusDI * 100, minusDI: minusDI * 100 });
  }

  private remember(c: Candle): void {
    this.prevHigh = c.high;
    this.prevLow = c.low;
    this.prevClose = c.close;
  }

  get value(): ADXValue | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function adx(candles: readonly Candle[], params: ADXParams): Record<keyof ADXValue, number[]> {
  return runColumns(new ADX(params), candles, ADX_OUTPUTS);
}

/**
 * Technical indicators: pure, float maths (they decide whether to trade; prices stay decimal strings elsewhere),
 * usable in the browser and on the server.
 *
 * Every indicator is a class, `new X(params)`, whose `update(input)` takes the next close (a number) or candle
 * (`{ high, low, close, volume? }` numbers; `toCandle` converts the app's decimal-string candles) and returns the
 * value after it, or null while warming up, in O(1) (amortised O(1) where noted); `value` and `ready` read the
 * state. Each has a batch function over an array that RUNS THE CLASS, so batch = incremental by construction:
 * it returns arrays aligned to the input with NaN wherever the class returned null (the warm-up; for the UTC-day
 * VWAP also a day's candles before its first volume). NaN rather than null keeps them number[], which charts and
 * array maths take as is; multi-valued indicators return one array per output. Inputs must be finite
 * (a NaN is refused at `update`, rather than poisoning a running sum); parameters are checked at construction
 * (IndicatorParamError). `INDICATORS` describes them all as data for the rule builder; `createIndicator` builds one
 * from such a description.
 *
 * Definitions, and warm-up (the first value comes with input number `warmup`), checked against trading-signals
 * 8.3.0 on all 45,024 recorded BTC/USDT 1h and 2,148 GOOG 1d candles to 1e-9 relative (reference.test.ts; the
 * largest scaled difference from it is 2e-15; the details are in each file):
 *   indicator             definition                                                              warm-up
 *   SMA(n)                mean of the last n closes                                               n
 *   EMA(n)                α = 2/(n+1), seeded with SMA(n) (seed "first": with the first close)    n
 *   WMA(n)                weights 1…n, newest heaviest                                            n
 *   RSI(n)                Wilder; 100 when the average loss is 0                                  n + 1
 *   MACD(f, s, sig)       EMA(f) − EMA(s); signal = EMA(sig) of that; histogram = difference      s + sig − 1
 *   Bollinger(n, k)       SMA(n) ± k · population σ                                               n
 *   ATR(n)                Wilder's average of TR; the first candle's TR is high − low             n
 *   Stochastic(k, ks, d)  %K = SMA(ks) of 100·(C − LL)/(HH − LL), 0 on no range; %D = SMA(d)      k + ks + d − 2
 *   Donchian(n)           highest high, lowest low of n candles (current included), midpoint      n
 *   VWAP                  Σ typical price·volume / Σ volume, cumulative or from each UTC midnight  1 (with volume)
 *   OBV                   running ±volume by the close's direction, 0 on the first candle         1
 *   ADX(n, m)             Wilder's +DI, −DI (percent) and ADX = Wilder(m) of DX                   n + m
 *                         (variant "trading-signals": n + m − 1)
 *
 * Where trading-signals' definition differs, and how the tests pin it:
 * - EMA: trading-signals seeds with the first close. Option seed: "first" equals it; the default ("sma") differs by
 *   d·(1 − α)^(i − n + 1), d being the difference at the first value, which the test checks at every index.
 * - MACD: with seed "first" equal from our warm-up on; trading-signals already reports from input s, with a signal
 *   EMA that has seen fewer than sig values (pinned: exactly those indices). The default seeds with SMAs (TradingView).
 * - OBV: trading-signals' OBV(2) has no value on the first candle; from the second on it is equal (pinned).
 * - ADX: trading-signals counts the first candle (DM 0, TR high − low) and credits equal up and down moves to both
 *   sides; variant "trading-signals" equals it (its ±DI are fractions: ours are ×100). The default, Wilder's
 *   (TradingView's ta.dmi), is checked against an independent formula instead.
 * - VWAP: trading-signals has no session reset; cumulative VWAP equals it. Stochastic on a range-less window and
 *   ADX's ±DI on a range-less stretch: 0 here; trading-signals gives the same 0 for the first when the close lies
 *   in its candle, and NaN (0/0) for the second.
 */
export { IndicatorParamError, MonotonicQueue, RunningSum, toCandle, toCandles, type Candle, type Indicator } from "./core";
export { SMA, sma, type SMAParams } from "./sma";
export { EMA, ema, EMA_SEEDS, type EMAParams, type EMASeed } from "./ema";
export { WMA, wma, type WMAParams } from "./wma";
export { RSI, rsi, type RSIParams } from "./rsi";
export { MACD, macd, MACD_OUTPUTS, type MACDParams, type MACDValue } from "./macd";
export { BollingerBands, bollingerBands, BOLLINGER_OUTPUTS, type BollingerParams, type BollingerValue } from "./bollinger";
export { ATR, atr, trueRange, type ATRParams } from "./atr";
export { Stochastic, stochastic, STOCHASTIC_OUTPUTS, type StochasticParams, type StochasticValue } from "./stochastic";
export { Donchian, donchian, DONCHIAN_OUTPUTS, type DonchianParams, type DonchianValue } from "./donchian";
export { VWAP, vwap, VWAP_SESSIONS, type VWAPParams, type VWAPSession } from "./vwap";
export { OBV, obv } from "./obv";
export { ADX, adx, ADX_OUTPUTS, ADX_VARIANTS, type ADXParams, type ADXValue, type ADXVariant } from "./adx";
export {
  createIndicator,
  INDICATOR_IDS,
  INDICATORS,
  resolveParams,
  type CandleIndicator,
  type IndicatorId,
  type IndicatorSpec,
  type OutputScale,
  type OutputSpec,
  type ParamSpec,
  type ParamValues,
} from "./registry";

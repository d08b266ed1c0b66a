/**
 * The demo providers' strategies, as engine strategies (src/lib/engine) on the lab's indicators (src/lib/indicators):
 * one implementation of the maths for the lab, the library and the seeded demo track records. Each reads closed
 * candles through the engine's bar view (so it cannot look ahead) and, at the close of the candle that triggers
 * it, states a signal intent: side, entry (market at that close, or a limit), stop, targets with their shares, a
 * note and, for limits, an expiry. The seed publishes exactly those intents (src/server/services/seed); the lifecycle
 * rules (src/lib/lifecycle) decide their outcomes from the candles that follow, exactly as for real providers.
 *
 * Indicator maths uses floats: it only decides *whether* to trade. Every level a signal carries is rounded to the
 * instrument's precision and handed on as a decimal string.
 *
 * Where the lab's indicators differ from the hand-written maths these strategies had before (measured on every plan
 * over every recording and the synthetic walk, 11,344 signals in 128 runs; the new code's equivalence is pinned
 * by src/server/services/seed/demo-strategies.test.ts against a plain simulation over the batch indicators):
 * - ATR, a definition difference, accepted deliberately: the lab's ATR (TradingView's ta.atr, trading-signals)
 *   counts the first candle's high − low in its Wilder seed and has its first value at candle n − 1; the old one
 *   skipped the first candle (TA-Lib's way) and started at candle n. The two differ by d·(1 − 1/n)^k k candles into a
 *   run, so only signals in the first ~180 candles of a run moved (308 of them: stops and targets, and Steady Swing's
 *   limit entries, which sit half an ATR from the close; a stop moved by a median of 4 ticks, at most by 0.4% of
 *   the entry price). Counts, candles and sides did not change. One ATR in the product, the one a trader's chart shows.
 * - SMA (and Bollinger's middle band) keeps a compensated running sum where the old code kept a plain one that
 *   drifted over thousands of candles. Means of decimal prices often land exactly on a rounding tie of a level
 *   (a 3-decimal SOL close plus 1.5 × a distance to a 20-candle mean ends in …5 in the 4th decimal), where the last
 *   bit decides the rounding: 162 levels in 120 signals of the two Bollinger plans differ by one tick, and one
 *   Golden Cross Club signal on the synthetic walk (an exact touch of the two SMAs) came one candle later.
 * - EMA (seeded with the SMA of the first n), RSI (Wilder, first value at input n + 1), Bollinger's population σ
 *   and the Donchian extremes are the same definitions as before: nothing moved because of them.
 */
import { ATR, BollingerBands, Donchian, EMA, RSI, SMA } from "@/lib/indicators";
import { Engine, toBarSeries, type BarView, type Strategy as EngineStrategy, type StrategyContext as EngineContext } from "@/lib/engine";
import type { Candle } from "@/lib/lifecycle";

/** What a strategy intends to publish at the close of a candle. */
export interface SignalIntent {
  side: "long" | "short";
  entryType: "market" | "limit";
  entryPrice: string;
  stopLoss: string;
  takeProfits: { price: string; share: string }[];
  note: string;
  /** For limits: hours until the entry expires. */
  expiresInHours?: number;
}

/** A signal intent and the index of the candle at whose close it is published. */
export interface ProposedSignal extends SignalIntent {
  index: number;
}

// ---- level helpers ----

export function roundTo(value: number, decimals: number): string {
  return value.toFixed(decimals).replace(/\.?0+$/, "") || "0";
}

type Levels = { side: "long" | "short"; entry: number; risk: number; targetsR: number[]; shares: string[] };

function levels({ side, entry, risk, targetsR, shares }: Levels, decimals: number) {
  const dir = side === "long" ? 1 : -1;
  return {
    entryPrice: roundTo(entry, decimals),
    stopLoss: roundTo(entry - dir * risk, decimals),
    takeProfits: targetsR.map((r, k) => ({ price: roundTo(entry + dir * risk * r, decimals), share: shares[k]! })),
  };
}

/** The bar as the indicators take it. */
function candleAt(bars: BarView, i: number) {
  return { high: bars.high(i), low: bars.low(i), close: bars.close(i) };
}

/** `value ?? NaN`: an indicator still warming up compares false, as the old NaN arrays did. */
const num = (v: number | null | undefined): number => v ?? NaN;

// ---- the engine strategy every demo strategy is ----

/**
 * An engine strategy that publishes signals rather than managing orders. It proposes at most one position at a
 * time per instrument: after a signal it waits `cooldown` candles (a proxy for the position's life) before it may
 * signal again, like a trader who manages one trade per instrument. Its indicators see every closed candle from the
 * first; it decides from bar `warmupBars` on. Instances keep state: build a fresh one per run.
 */
export abstract class SignalStrategy implements EngineStrategy {
  abstract readonly name: string;
  readonly warmupBars: number;
  readonly cooldown: number;
  /** Price decimals of the instrument: every level is rounded to them. */
  readonly decimals: number;
  /** Every intent so far, with the index of its candle. */
  readonly signals: ProposedSignal[] = [];
  /** Called with each intent as it is made (a live runner publishes it). */
  onSignal: ((signal: ProposedSignal) => void) | null = null;
  private next: number;

  constructor(decimals: number, cooldown: number, warmupBars: number) {
    this.decimals = decimals;
    this.cooldown = cooldown;
    this.warmupBars = warmupBars;
    this.next = warmupBars;
  }

  /** Feeds bar `i` (just closed) to the indicators. */
  protected abstract update(bars: BarView, i: number): void;
  /** The intent at the close of bar `i`, or null. Runs after `update(bars, i)`. */
  protected abstract decide(bars: BarView, i: number): SignalIntent | null;

  onBar(ctx: EngineContext): void {
    const bars = ctx.bars;
    const i = bars.index;
    this.update(bars, i);
    if (i < this.next) return;
    const intent = this.decide(bars, i);
    if (!intent) return;
    const signal = { index: i, ...intent };
    this.signals.push(signal);
    this.next = i + this.cooldown;
    this.onSignal?.(signal);
  }

  protected levels(l: Levels) {
    return levels(l, this.decimals);
  }
}

/**
 * Runs a demo strategy through the engine over closed candles (a backtest's replay: bar by bar, each seeing only
 * the closed ones) and returns its signal intents. It places no orders: outcomes are the lifecycle's business.
 */
export function proposeSignals(strategy: SignalStrategy, candles: readonly Candle[]): ProposedSignal[] {
  if (candles.length > 0) new Engine(strategy, {}, toBarSeries(candles)).run();
  return strategy.signals;
}

/** A demo plan's strategy: its signals over an instrument's candles (a fresh engine strategy per call). */
export type PlanStrategy = ((ctx: { candles: readonly Candle[]; decimals: number }) => ProposedSignal[]) & {
  /** Builds the engine strategy for an instrument with these price decimals. */
  create(decimals: number): SignalStrategy;
};

function plan(create: (decimals: number) => SignalStrategy): PlanStrategy {
  return Object.assign((ctx: { candles: readonly Candle[]; decimals: number }) => proposeSignals(create(ctx.decimals), ctx.candles), { create });
}

// ---- strategies ----

/** Fast/slow EMA cross (EMAs seeded with an SMA); stop `atrMult` ATR(atrN) away; half off at 2R, the rest at 3R. */
export class EmaTrend extends SignalStrategy {
  readonly name: string;
  private readonly fast: EMA;
  private readonly slow: EMA;
  private readonly atr: ATR;
  private f = [NaN, NaN];
  private s = [NaN, NaN];

  constructor(
    readonly p: { fast: number; slow: number; atrN: number; atrMult: number; cooldown: number },
    decimals: number,
  ) {
    super(decimals, p.cooldown, p.slow + 1);
    this.name = `EmaTrend(${p.fast}, ${p.slow})`;
    this.fast = new EMA({ period: p.fast });
    this.slow = new EMA({ period: p.slow });
    this.atr = new ATR({ period: p.atrN });
  }

  protected update(bars: BarView, i: number): void {
    const close = bars.close(i);
    this.f = [this.f[1]!, num(this.fast.update(close))];
    this.s = [this.s[1]!, num(this.slow.update(close))];
    this.atr.update(candleAt(bars, i));
  }

  protected decide(bars: BarView, i: number): SignalIntent | null {
    const [f0, f1] = this.f as [number, number];
    const [s0, s1] = this.s as [number, number];
    const up = f0 <= s0 && f1 > s1;
    const down = f0 >= s0 && f1 < s1;
    if (!up && !down) return null;
    const side = up ? "long" : "short";
    const risk = num(this.atr.value) * this.p.atrMult;
    const note = `EMA ${this.p.fast}/${this.p.slow} cross ${up ? "up" : "down"}`;
    return { side, entryType: "market", ...this.levels({ side, entry: bars.close(i), risk, targetsR: [2, 3], shares: ["0.5", "0.5"] }), note };
  }
}

/** Fades RSI(n) extremes (below `low`, above `high`); stop `atrMult` ATR(14) away; targets at 1R and 2R. */
export class RsiFade extends SignalStrategy {
  readonly name: string;
  private readonly rsi: RSI;
  private readonly atr = new ATR({ period: 14 });

  constructor(
    readonly p: { n: number; low: number; high: number; atrMult: number; cooldown: number },
    decimals: number,
  ) {
    super(decimals, p.cooldown, Math.max(p.n, 15));
    this.name = `RsiFade(${p.n}, ${p.low}/${p.high})`;
    this.rsi = new RSI({ period: p.n });
  }

  protected update(bars: BarView, i: number): void {
    this.rsi.update(bars.close(i));
    this.atr.update(candleAt(bars, i));
  }

  protected decide(bars: BarView, i: number): SignalIntent | null {
    const r = num(this.rsi.value);
    const side = r < this.p.low ? "long" : r > this.p.high ? "short" : null;
    if (!side) return null;
    const risk = num(this.atr.value) * this.p.atrMult;
    const note = `RSI(${this.p.n}) ${r.toFixed(1)}: fading the extreme`;
    return { side, entryType: "market", ...this.levels({ side, entry: bars.close(i), risk, targetsR: [1, 2], shares: ["0.5", "0.5"] }), note };
  }
}

/**
 * A close outside Bollinger(n, k) right after a squeeze: the previous candle's band width ((upper − lower) / middle)
 * below `squeeze` times its SMA over 3n candles. Stop at the middle band's distance; targets at 1.5R and 3R.
 */
export class BollingerSqueeze extends SignalStrategy {
  readonly name: string;
  private readonly bands: BollingerBands;
  private readonly avgWidth: SMA;
  private width = [NaN, NaN];
  private avg = [NaN, NaN];

  constructor(
    readonly p: { n: number; k: number; squeeze: number; cooldown: number },
    decimals: number,
  ) {
    super(decimals, p.cooldown, p.n * 3);
    this.name = `BollingerSqueeze(${p.n}, ${p.k})`;
    this.bands = new BollingerBands({ period: p.n, multiplier: p.k });
    this.avgWidth = new SMA({ period: p.n * 3 });
  }

  protected update(bars: BarView, i: number): void {
    const b = this.bands.update(bars.close(i));
    const width = b === null ? NaN : (b.upper - b.lower) / b.middle;
    this.width = [this.width[1]!, width];
    // The average counts the bands' warm-up as zero width (so the first averages read low): the rule as it has
    // always run, kept so the demo's signals stay the same.
    this.avg = [this.avg[1]!, num(this.avgWidth.update(Number.isNaN(width) ? 0 : width))];
  }

  protected decide(bars: BarView, i: number): SignalIntent | null {
    const b = this.bands.value;
    if (!b || !(this.width[0]! < this.avg[0]! * this.p.squeeze)) return null;
    const close = bars.close(i);
    const side = close > b.upper ? "long" : close < b.lower ? "short" : null;
    if (!side) return null;
    const risk = Math.abs(close - b.middle);
    return { side, entryType: "market", ...this.levels({ side, entry: close, risk, targetsR: [1.5, 3], shares: ["0.5", "0.5"] }), note: "Breakout from a Bollinger squeeze" };
  }
}

/** A close beyond the previous `entryN` candles' channel; stop `atrMult` ATR(20) away; targets at 2R and 4R. */
export class ChannelBreakout extends SignalStrategy {
  readonly name: string;
  private readonly channel: Donchian;
  private readonly atr = new ATR({ period: 20 });
  /** The channel as it stood after the previous candle. */
  private prev: { upper: number; lower: number } | null = null;

  constructor(
    readonly p: { entryN: number; atrMult: number; cooldown: number },
    decimals: number,
  ) {
    super(decimals, p.cooldown, p.entryN + 1);
    this.name = `ChannelBreakout(${p.entryN})`;
    this.channel = new Donchian({ period: p.entryN });
  }

  protected update(bars: BarView, i: number): void {
    this.prev = this.channel.value;
    const c = candleAt(bars, i);
    this.channel.update(c);
    this.atr.update(c);
  }

  protected decide(bars: BarView, i: number): SignalIntent | null {
    if (!this.prev) return null;
    const close = bars.close(i);
    const side = close > this.prev.upper ? "long" : close < this.prev.lower ? "short" : null;
    if (!side) return null;
    const risk = num(this.atr.value) * this.p.atrMult;
    const note = `${this.p.entryN}-period channel breakout`;
    return { side, entryType: "market", ...this.levels({ side, entry: close, risk, targetsR: [2, 4], shares: ["0.5", "0.5"] }), note };
  }
}

/** SMA fast/slow crossover (optionally long only); stop `atrMult` ATR(14) away; one target at 2R. */
export class SmaCrossover extends SignalStrategy {
  readonly name: string;
  private readonly fast: SMA;
  private readonly slow: SMA;
  private readonly atr = new ATR({ period: 14 });
  private f = [NaN, NaN];
  private s = [NaN, NaN];

  constructor(
    readonly p: { fast: number; slow: number; atrMult: number; cooldown: number; longOnly?: boolean },
    decimals: number,
  ) {
    super(decimals, p.cooldown, p.slow + 1);
    this.name = `SmaCrossover(${p.fast}, ${p.slow})`;
    this.fast = new SMA({ period: p.fast });
    this.slow = new SMA({ period: p.slow });
  }

  protected update(bars: BarView, i: number): void {
    const close = bars.close(i);
    this.f = [this.f[1]!, num(this.fast.update(close))];
    this.s = [this.s[1]!, num(this.slow.update(close))];
    this.atr.update(candleAt(bars, i));
  }

  protected decide(bars: BarView, i: number): SignalIntent | null {
    const [f0, f1] = this.f as [number, number];
    const [s0, s1] = this.s as [number, number];
    const up = f0 <= s0 && f1 > s1;
    const down = !this.p.longOnly && f0 >= s0 && f1 < s1;
    if (!up && !down) return null;
    const side = up ? "long" : "short";
    const risk = num(this.atr.value) * this.p.atrMult;
    const note = `SMA ${this.p.fast}/${this.p.slow} crossover`;
    return { side, entryType: "market", ...this.levels({ side, entry: bars.close(i), risk, targetsR: [2], shares: ["1"] }), note };
  }
}

/**
 * RSI(n) crossing up through 60 above EMA(trendN), or down through 40 below it; stop beyond the 10-candle swing
 * (this candle included), 1% of the close when there is no room; targets at 1.5R (60%) and 2.5R (40%).
 */
export class Momentum extends SignalStrategy {
  readonly name: string;
  private readonly rsi: RSI;
  private readonly trend: EMA;
  private readonly swing = new Donchian({ period: 10 });
  private r = [NaN, NaN];

  constructor(
    readonly p: { n: number; trendN: number; cooldown: number },
    decimals: number,
  ) {
    super(decimals, p.cooldown, p.trendN + 1);
    this.name = `Momentum(${p.n}, ${p.trendN})`;
    this.rsi = new RSI({ period: p.n });
    this.trend = new EMA({ period: p.trendN });
  }

  protected update(bars: BarView, i: number): void {
    const close = bars.close(i);
    this.r = [this.r[1]!, num(this.rsi.update(close))];
    this.trend.update(close);
    this.swing.update(candleAt(bars, i));
  }

  protected decide(bars: BarView, i: number): SignalIntent | null {
    const [r0, r1] = this.r as [number, number];
    const close = bars.close(i);
    const trend = num(this.trend.value);
    const longSig = r0 < 60 && r1 >= 60 && close > trend;
    const shortSig = r0 > 40 && r1 <= 40 && close < trend;
    if (!longSig && !shortSig) return null;
    const side = longSig ? "long" : "short";
    const swing = this.swing.value;
    const level = swing === null ? NaN : longSig ? swing.lower : swing.upper;
    const risk = Math.abs(close - level) || close * 0.01;
    const note = `Momentum: RSI(${this.p.n}) through ${longSig ? 60 : 40} with the trend`;
    return { side, entryType: "market", ...this.levels({ side, entry: close, risk, targetsR: [1.5, 2.5], shares: ["0.6", "0.4"] }), note };
  }
}

/**
 * Fades a candle whose return is at least `sigmas` population standard deviations of the previous n returns (σ
 * from the lab's Bollinger bands over returns: upper − middle with a multiplier of 1); stop 60% of the candle's body
 * away (1% of the close without a body); one target at 1R.
 */
export class Contrarian extends SignalStrategy {
  readonly name: string;
  private readonly sd: BollingerBands;
  private prevClose = NaN;
  private ret = 0;
  /** σ of the n returns before this candle's. */
  private prevSd = NaN;

  constructor(
    readonly p: { n: number; sigmas: number; cooldown: number },
    decimals: number,
  ) {
    super(decimals, p.cooldown, p.n + 1);
    this.name = `Contrarian(${p.n}, ${p.sigmas}σ)`;
    this.sd = new BollingerBands({ period: p.n, multiplier: 1 });
  }

  protected update(bars: BarView, i: number): void {
    const close = bars.close(i);
    // The first candle has no return: it counts as 0 (only in σ windows before any decision).
    this.ret = i === 0 ? 0 : close / this.prevClose - 1;
    this.prevClose = close;
    const b = this.sd.value;
    this.prevSd = b === null ? NaN : b.upper - b.middle;
    this.sd.update(this.ret);
  }

  protected decide(bars: BarView, i: number): SignalIntent | null {
    const z = this.ret / this.prevSd;
    if (!Number.isFinite(z) || Math.abs(z) < this.p.sigmas) return null;
    const side = z < 0 ? "long" : "short";
    const close = bars.close(i);
    const risk = Math.abs(close - bars.open(i)) * 0.6 || close * 0.01;
    return { side, entryType: "market", ...this.levels({ side, entry: close, risk, targetsR: [1], shares: ["1"] }), note: `${Math.abs(z).toFixed(1)}-sigma move: fading it` };
  }
}

/**
 * Limit entries at a recent support/resistance, for people who cannot watch the screen: in an up-trend (close above
 * SMA(trendN), which is above its value 5 candles ago) a buy limit at the `lookback`-candle low, no further than half
 * an ATR(14) below the close (a down-trend mirrors it); stop 1.2 ATR away; targets at 1.5R and 2.5R; expires after
 * `expiresInHours`.
 */
export class SwingLimit extends SignalStrategy {
  readonly name: string;
  private readonly trend: SMA;
  private readonly atr = new ATR({ period: 14 });
  private readonly range: Donchian;
  /** The trend SMA's last six values, oldest first (NaN while warming up). */
  private readonly trendRing = [NaN, NaN, NaN, NaN, NaN, NaN];

  constructor(
    readonly p: { lookback: number; trendN: number; cooldown: number; expiresInHours: number },
    decimals: number,
  ) {
    super(decimals, p.cooldown, p.trendN + 1);
    this.name = `SwingLimit(${p.lookback}, ${p.trendN})`;
    this.trend = new SMA({ period: p.trendN });
    this.range = new Donchian({ period: p.lookback });
  }

  protected update(bars: BarView, i: number): void {
    this.trendRing.shift();
    this.trendRing.push(num(this.trend.update(bars.close(i))));
    const c = candleAt(bars, i);
    this.atr.update(c);
    this.range.update(c);
  }

  protected decide(bars: BarView, i: number): SignalIntent | null {
    const close = bars.close(i);
    const trend = this.trendRing[5]!;
    const before = this.trendRing[0]!;
    const upTrend = close > trend && trend > before;
    const downTrend = close < trend && trend < before;
    const range = this.range.value;
    if ((!upTrend && !downTrend) || !range) return null;
    const side = upTrend ? "long" : "short";
    const a = num(this.atr.value);
    const entry = upTrend ? Math.max(range.lower, close - a * 0.5) : Math.min(range.upper, close + a * 0.5);
    if ((upTrend && entry >= close) || (downTrend && entry <= close)) return null;
    return {
      side,
      entryType: "limit",
      ...this.levels({ side, entry, risk: a * 1.2, targetsR: [1.5, 2.5], shares: ["0.5", "0.5"] }),
      note: `Limit at the ${this.p.lookback}-period ${upTrend ? "support" : "resistance"}`,
      expiresInHours: this.p.expiresInHours,
    };
  }
}

// ---- the demo plans' constructors (src/server/services/seed/track-records.ts) ----

export const emaTrend = (p: ConstructorParameters<typeof EmaTrend>[0]) => plan((d) => new EmaTrend(p, d));
export const rsiReversion = (p: ConstructorParameters<typeof RsiFade>[0]) => plan((d) => new RsiFade(p, d));
export const bollingerBreakout = (p: ConstructorParameters<typeof BollingerSqueeze>[0]) => plan((d) => new BollingerSqueeze(p, d));
export const donchian = (p: ConstructorParameters<typeof ChannelBreakout>[0]) => plan((d) => new ChannelBreakout(p, d));
export const smaCross = (p: ConstructorParameters<typeof SmaCrossover>[0]) => plan((d) => new SmaCrossover(p, d));
export const momentum = (p: ConstructorParameters<typeof Momentum>[0]) => plan((d) => new Momentum(p, d));
export const contrarian = (p: ConstructorParameters<typeof Contrarian>[0]) => plan((d) => new Contrarian(p, d));
export const swingLimit = (p: ConstructorParameters<typeof SwingLimit>[0]) => plan((d) => new SwingLimit(p, d));

/** Aggregates candles into groups of `k` (e.g. 1h → 4h), aligned to the first candle. */
export function aggregate(candles: Candle[], k: number, tfMs: number): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i + k <= candles.length; i += k) {
    const group = candles.slice(i, i + k);
    // Skip groups that span a data gap: they would not be real k-period candles.
    if (group[group.length - 1]!.openTime - group[0]!.openTime !== (k - 1) * tfMs) continue;
    out.push({
      openTime: group[0]!.openTime,
      open: group[0]!.open,
      high: group.reduce((m, c) => (Number(c.high) > Number(m) ? c.high : m), group[0]!.high),
      low: group.reduce((m, c) => (Number(c.low) < Number(m) ? c.low : m), group[0]!.low),
      close: group[group.length - 1]!.close,
      volume: group.reduce((acc, c) => acc + Number(c.volume), 0).toString(),
    });
  }
  return out;
}

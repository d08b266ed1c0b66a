/**
 * Deterministic trading strategies for the demo providers: each reads closed candles and proposes signals
 * (side, entry, stop, targets) at the close of the candle that triggered them. They do not decide outcomes: the
 * lifecycle rules (src/lib/lifecycle) do that from the candles that follow, exactly as for real providers.
 *
 * Indicator maths uses floats: they only decide *whether* to trade. Every level a signal carries is rounded to the
 * instrument's precision and handed on as a decimal string.
 */
import type { Candle } from "@/lib/lifecycle";

export interface ProposedSignal {
  /** Index of the candle at whose close the signal is published. */
  index: number;
  side: "long" | "short";
  entryType: "market" | "limit";
  entryPrice: string;
  stopLoss: string;
  takeProfits: { price: string; share: string }[];
  note: string;
  /** For limits: hours until the entry expires. */
  expiresInHours?: number;
}

export interface Series {
  close: number[];
  high: number[];
  low: number[];
  open: number[];
}

export function toSeries(candles: Candle[]): Series {
  return {
    open: candles.map((c) => Number(c.open)),
    high: candles.map((c) => Number(c.high)),
    low: candles.map((c) => Number(c.low)),
    close: candles.map((c) => Number(c.close)),
  };
}

// ---- indicators (NaN until enough data) ----

export function sma(values: number[], n: number): number[] {
  const out = new Array<number>(values.length).fill(NaN);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= n) sum -= values[i - n]!;
    if (i >= n - 1) out[i] = sum / n;
  }
  return out;
}

export function ema(values: number[], n: number): number[] {
  const out = new Array<number>(values.length).fill(NaN);
  const k = 2 / (n + 1);
  let prev = NaN;
  for (let i = 0; i < values.length; i++) {
    if (i === n - 1) prev = values.slice(0, n).reduce((a, b) => a + b, 0) / n;
    else if (i >= n) prev = values[i]! * k + prev * (1 - k);
    out[i] = i >= n - 1 ? prev : NaN;
  }
  return out;
}

/** Wilder's RSI. */
export function rsi(values: number[], n: number): number[] {
  const out = new Array<number>(values.length).fill(NaN);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < values.length; i++) {
    const d = values[i]! - values[i - 1]!;
    const g = Math.max(d, 0);
    const l = Math.max(-d, 0);
    if (i <= n) {
      gain += g / n;
      loss += l / n;
    } else {
      gain = (gain * (n - 1) + g) / n;
      loss = (loss * (n - 1) + l) / n;
    }
    if (i >= n) out[i] = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
  }
  return out;
}

/** Wilder's average true range. */
export function atr(s: Series, n: number): number[] {
  const out = new Array<number>(s.close.length).fill(NaN);
  let prev = NaN;
  for (let i = 1; i < s.close.length; i++) {
    const tr = Math.max(s.high[i]! - s.low[i]!, Math.abs(s.high[i]! - s.close[i - 1]!), Math.abs(s.low[i]! - s.close[i - 1]!));
    if (i < n) prev = Number.isNaN(prev) ? tr : prev + tr;
    else if (i === n) prev = (prev + tr) / n;
    else prev = (prev * (n - 1) + tr) / n;
    if (i >= n) out[i] = prev;
  }
  return out;
}

export function stdev(values: number[], n: number): number[] {
  const m = sma(values, n);
  return values.map((_, i) => {
    if (i < n - 1) return NaN;
    let acc = 0;
    for (let j = i - n + 1; j <= i; j++) acc += (values[j]! - m[i]!) ** 2;
    return Math.sqrt(acc / n);
  });
}

function highest(values: number[], i: number, n: number): number {
  let h = -Infinity;
  for (let j = Math.max(0, i - n + 1); j <= i; j++) h = Math.max(h, values[j]!);
  return h;
}

function lowest(values: number[], i: number, n: number): number {
  let l = Infinity;
  for (let j = Math.max(0, i - n + 1); j <= i; j++) l = Math.min(l, values[j]!);
  return l;
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

// ---- strategies ----

export interface StrategyContext {
  candles: Candle[];
  decimals: number;
}

export type Strategy = (ctx: StrategyContext) => ProposedSignal[];

/**
 * Proposes at most one position at a time: after a signal, the strategy waits `cooldown` candles (a proxy for the
 * position's life) before it may signal again, like a trader who manages one trade per instrument.
 */
function scan(ctx: StrategyContext, cooldown: number, warmup: number, decide: (i: number) => Omit<ProposedSignal, "index"> | null): ProposedSignal[] {
  const out: ProposedSignal[] = [];
  let next = warmup;
  for (let i = warmup; i < ctx.candles.length; i++) {
    if (i < next) continue;
    const p = decide(i);
    if (p) {
      out.push({ index: i, ...p });
      next = i + cooldown;
    }
  }
  return out;
}

export function emaTrend(p: { fast: number; slow: number; atrN: number; atrMult: number; cooldown: number }): Strategy {
  return (ctx) => {
    const s = toSeries(ctx.candles);
    const f = ema(s.close, p.fast);
    const sl = ema(s.close, p.slow);
    const a = atr(s, p.atrN);
    return scan(ctx, p.cooldown, p.slow + 1, (i) => {
      const up = f[i - 1]! <= sl[i - 1]! && f[i]! > sl[i]!;
      const down = f[i - 1]! >= sl[i - 1]! && f[i]! < sl[i]!;
      if (!up && !down) return null;
      const side = up ? "long" : "short";
      return { side, entryType: "market", ...levels({ side, entry: s.close[i]!, risk: a[i]! * p.atrMult, targetsR: [2, 3], shares: ["0.5", "0.5"] }, ctx.decimals), note: `EMA ${p.fast}/${p.slow} cross ${up ? "up" : "down"}` };
    });
  };
}

export function rsiReversion(p: { n: number; low: number; high: number; atrMult: number; cooldown: number }): Strategy {
  return (ctx) => {
    const s = toSeries(ctx.candles);
    const r = rsi(s.close, p.n);
    const a = atr(s, 14);
    return scan(ctx, p.cooldown, Math.max(p.n, 15), (i) => {
      const side = r[i]! < p.low ? "long" : r[i]! > p.high ? "short" : null;
      if (!side) return null;
      return { side, entryType: "market", ...levels({ side, entry: s.close[i]!, risk: a[i]! * p.atrMult, targetsR: [1, 2], shares: ["0.5", "0.5"] }, ctx.decimals), note: `RSI(${p.n}) ${r[i]!.toFixed(1)}: fading the extreme` };
    });
  };
}

export function bollingerBreakout(p: { n: number; k: number; squeeze: number; cooldown: number }): Strategy {
  return (ctx) => {
    const s = toSeries(ctx.candles);
    const m = sma(s.close, p.n);
    const sd = stdev(s.close, p.n);
    const width = m.map((v, i) => (2 * p.k * sd[i]!) / v);
    const avgWidth = sma(width.map((w) => (Number.isNaN(w) ? 0 : w)), p.n * 3);
    return scan(ctx, p.cooldown, p.n * 3, (i) => {
      const upper = m[i]! + p.k * sd[i]!;
      const lower = m[i]! - p.k * sd[i]!;
      const squeezed = width[i - 1]! < avgWidth[i - 1]! * p.squeeze;
      if (!squeezed) return null;
      const side = s.close[i]! > upper ? "long" : s.close[i]! < lower ? "short" : null;
      if (!side) return null;
      const risk = Math.abs(s.close[i]! - m[i]!);
      return { side, entryType: "market", ...levels({ side, entry: s.close[i]!, risk, targetsR: [1.5, 3], shares: ["0.5", "0.5"] }, ctx.decimals), note: "Breakout from a Bollinger squeeze" };
    });
  };
}

export function donchian(p: { entryN: number; atrMult: number; cooldown: number }): Strategy {
  return (ctx) => {
    const s = toSeries(ctx.candles);
    const a = atr(s, 20);
    return scan(ctx, p.cooldown, p.entryN + 1, (i) => {
      const hi = highest(s.high, i - 1, p.entryN);
      const lo = lowest(s.low, i - 1, p.entryN);
      const side = s.close[i]! > hi ? "long" : s.close[i]! < lo ? "short" : null;
      if (!side) return null;
      return { side, entryType: "market", ...levels({ side, entry: s.close[i]!, risk: a[i]! * p.atrMult, targetsR: [2, 4], shares: ["0.5", "0.5"] }, ctx.decimals), note: `${p.entryN}-period channel breakout` };
    });
  };
}

export function smaCross(p: { fast: number; slow: number; atrMult: number; cooldown: number; longOnly?: boolean }): Strategy {
  return (ctx) => {
    const s = toSeries(ctx.candles);
    const f = sma(s.close, p.fast);
    const sl = sma(s.close, p.slow);
    const a = atr(s, 14);
    return scan(ctx, p.cooldown, p.slow + 1, (i) => {
      const up = f[i - 1]! <= sl[i - 1]! && f[i]! > sl[i]!;
      const down = !p.longOnly && f[i - 1]! >= sl[i - 1]! && f[i]! < sl[i]!;
      if (!up && !down) return null;
      const side = up ? "long" : "short";
      return { side, entryType: "market", ...levels({ side, entry: s.close[i]!, risk: a[i]! * p.atrMult, targetsR: [2], shares: ["1"] }, ctx.decimals), note: `SMA ${p.fast}/${p.slow} crossover` };
    });
  };
}

export function momentum(p: { n: number; trendN: number; cooldown: number }): Strategy {
  return (ctx) => {
    const s = toSeries(ctx.candles);
    const r = rsi(s.close, p.n);
    const trend = ema(s.close, p.trendN);
    return scan(ctx, p.cooldown, p.trendN + 1, (i) => {
      const longSig = r[i - 1]! < 60 && r[i]! >= 60 && s.close[i]! > trend[i]!;
      const shortSig = r[i - 1]! > 40 && r[i]! <= 40 && s.close[i]! < trend[i]!;
      if (!longSig && !shortSig) return null;
      const side = longSig ? "long" : "short";
      const swing = longSig ? lowest(s.low, i, 10) : highest(s.high, i, 10);
      const risk = Math.abs(s.close[i]! - swing) || s.close[i]! * 0.01;
      return { side, entryType: "market", ...levels({ side, entry: s.close[i]!, risk, targetsR: [1.5, 2.5], shares: ["0.6", "0.4"] }, ctx.decimals), note: `Momentum: RSI(${p.n}) through ${longSig ? 60 : 40} with the trend` };
    });
  };
}

export function contrarian(p: { n: number; sigmas: number; cooldown: number }): Strategy {
  return (ctx) => {
    const s = toSeries(ctx.candles);
    const rets = s.close.map((c, i) => (i === 0 ? 0 : c / s.close[i - 1]! - 1));
    const sd = stdev(rets, p.n);
    return scan(ctx, p.cooldown, p.n + 1, (i) => {
      const z = rets[i]! / sd[i - 1]!;
      if (!Number.isFinite(z) || Math.abs(z) < p.sigmas) return null;
      const side = z < 0 ? "long" : "short";
      const risk = Math.abs(s.close[i]! - s.open[i]!) * 0.6 || s.close[i]! * 0.01;
      return { side, entryType: "market", ...levels({ side, entry: s.close[i]!, risk, targetsR: [1], shares: ["1"] }, ctx.decimals), note: `${Math.abs(z).toFixed(1)}-sigma move: fading it` };
    });
  };
}

/** Limit entries at a recent support/resistance, for people who cannot watch the screen. */
export function swingLimit(p: { lookback: number; trendN: number; cooldown: number; expiresInHours: number }): Strategy {
  return (ctx) => {
    const s = toSeries(ctx.candles);
    const trend = sma(s.close, p.trendN);
    const a = atr(s, 14);
    return scan(ctx, p.cooldown, p.trendN + 1, (i) => {
      const upTrend = s.close[i]! > trend[i]! && trend[i]! > trend[i - 5]!;
      const downTrend = s.close[i]! < trend[i]! && trend[i]! < trend[i - 5]!;
      if (!upTrend && !downTrend) return null;
      const side = upTrend ? "long" : "short";
      const level = upTrend ? lowest(s.low, i, p.lookback) : highest(s.high, i, p.lookback);
      const entry = upTrend ? Math.max(level, s.close[i]! - a[i]! * 0.5) : Math.min(level, s.close[i]! + a[i]! * 0.5);
      if ((upTrend && entry >= s.close[i]!) || (downTrend && entry <= s.close[i]!)) return null;
      return {
        side,
        entryType: "limit",
        ...levels({ side, entry, risk: a[i]! * 1.2, targetsR: [1.5, 2.5], shares: ["0.5", "0.5"] }, ctx.decimals),
        note: `Limit at the ${p.lookback}-period ${upTrend ? "support" : "resistance"}`,
        expiresInHours: p.expiresInHours,
      };
    });
  };
}

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

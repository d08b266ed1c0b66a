/**
 * The demo providers' strategies are engine strategies (src/lib/strategies) on the lab's indicators: this pins that
 * what the seed publishes for every DEMO_PLANS entry is exactly what a straightforward simulation over the batch
 * indicators of src/lib/indicators gives (index, side, entry, stop, targets, note, expiry), written here as plain
 * loops over arrays, independently of the engine and of the strategies' incremental state. It runs on the synthetic
 * walk the demo falls back to (always) and on every recording of every plan's instruments (skipped without them),
 * and checks that feeding the same candles one by one, as a live runner does, gives the same signals as a backtest.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { atr, bollingerBands, donchian, ema, rsi, sma } from "@/lib/indicators";
import { Engine } from "@/lib/engine";
import type { Candle } from "@/lib/lifecycle";
import { SYNTHETIC_SYMBOLS, createSyntheticSeries } from "@/lib/market-data/synthetic";
import * as S from "@/lib/strategies";
import { REPLAY_SERIES, loadRecordedSeries, replayAvailable } from "@/server/integrations/market-data";
import { DEFAULT_SYNTHETIC_SEED } from "@/server/integrations/market-data/synthetic";
import { DAY, strategyCandles, type Plan } from "./timeline";
import { DEMO_PLANS } from "./track-records";

const fallback = path.resolve(import.meta.dirname, "../../../../../shared/data");
const dir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const available = replayAvailable(dir);
if (!available) console.warn(`[seed] demo strategy equivalence on the recordings skipped: no recorded candles (set MARKET_DATA_DIR; looked at ${dir ?? fallback})`);

// ---- the reference: each strategy's rule as a loop over batch indicator arrays ----

type Intent = Omit<S.ProposedSignal, "index">;

function levels(side: "long" | "short", entry: number, risk: number, targetsR: number[], shares: string[], decimals: number) {
  const dir = side === "long" ? 1 : -1;
  return {
    entryPrice: S.roundTo(entry, decimals),
    stopLoss: S.roundTo(entry - dir * risk, decimals),
    takeProfits: targetsR.map((r, k) => ({ price: S.roundTo(entry + dir * risk * r, decimals), share: shares[k]! })),
  };
}

/** One signal at a time: after one at bar i, nothing before bar i + cooldown. */
function scan(n: number, cooldown: number, warmup: number, decide: (i: number) => Intent | null): S.ProposedSignal[] {
  const out: S.ProposedSignal[] = [];
  for (let i = warmup; i < n; i++) {
    const p = decide(i);
    if (p) {
      out.push({ index: i, ...p });
      i += cooldown - 1;
    }
  }
  return out;
}

function reference(strategy: S.SignalStrategy, candles: readonly Candle[]): S.ProposedSignal[] {
  const d = strategy.decimals;
  const open = candles.map((c) => Number(c.open));
  const close = candles.map((c) => Number(c.close));
  const bars = candles.map((c) => ({ high: Number(c.high), low: Number(c.low), close: Number(c.close) }));
  const n = candles.length;
  const market = "market" as const;
  if (strategy instanceof S.EmaTrend || strategy instanceof S.SmaCrossover) {
    const p = strategy.p;
    const avg = strategy instanceof S.EmaTrend ? ema : sma;
    const f = avg(close, { period: p.fast });
    const s = avg(close, { period: p.slow });
    const a = atr(bars, { period: strategy instanceof S.EmaTrend ? strategy.p.atrN : 14 });
    const longOnly = strategy instanceof S.SmaCrossover && strategy.p.longOnly;
    return scan(n, p.cooldown, p.slow + 1, (i) => {
      const up = f[i - 1]! <= s[i - 1]! && f[i]! > s[i]!;
      const down = !longOnly && f[i - 1]! >= s[i - 1]! && f[i]! < s[i]!;
      if (!up && !down) return null;
      const side = up ? "long" : "short";
      const risk = a[i]! * p.atrMult;
      if (strategy instanceof S.EmaTrend) {
        return { side, entryType: market, ...levels(side, close[i]!, risk, [2, 3], ["0.5", "0.5"], d), note: `EMA ${p.fast}/${p.slow} cross ${up ? "up" : "down"}` };
      }
      return { side, entryType: market, ...levels(side, close[i]!, risk, [2], ["1"], d), note: `SMA ${p.fast}/${p.slow} crossover` };
    });
  }
  if (strategy instanceof S.RsiFade) {
    const p = strategy.p;
    const r = rsi(close, { period: p.n });
    const a = atr(bars, { period: 14 });
    return scan(n, p.cooldown, Math.max(p.n, 15), (i) => {
      const side = r[i]! < p.low ? "long" : r[i]! > p.high ? "short" : null;
      if (!side) return null;
      return { side, entryType: market, ...levels(side, close[i]!, a[i]! * p.atrMult, [1, 2], ["0.5", "0.5"], d), note: `RSI(${p.n}) ${r[i]!.toFixed(1)}: fading the extreme` };
    });
  }
  if (strategy instanceof S.BollingerSqueeze) {
    const p = strategy.p;
    const b = bollingerBands(close, { period: p.n, multiplier: p.k });
    const width = b.middle.map((m, i) => (b.upper[i]! - b.lower[i]!) / m);
    const avgWidth = sma(width.map((w) => (Number.isNaN(w) ? 0 : w)), { period: p.n * 3 });
    return scan(n, p.cooldown, p.n * 3, (i) => {
      if (!(width[i - 1]! < avgWidth[i - 1]! * p.squeeze)) return null;
      const side = close[i]! > b.upper[i]! ? "long" : close[i]! < b.lower[i]! ? "short" : null;
      if (!side) return null;
      const risk = Math.abs(close[i]! - b.middle[i]!);
      return { side, entryType: market, ...levels(side, close[i]!, risk, [1.5, 3], ["0.5", "0.5"], d), note: "Breakout from a Bollinger squeeze" };
    });
  }
  if (strategy instanceof S.ChannelBreakout) {
    const p = strategy.p;
    const ch = donchian(bars, { period: p.entryN });
    const a = atr(bars, { period: 20 });
    return scan(n, p.cooldown, p.entryN + 1, (i) => {
      const side = close[i]! > ch.upper[i - 1]! ? "long" : close[i]! < ch.lower[i - 1]! ? "short" : null;
      if (!side) return null;
      return { side, entryType: market, ...levels(side, close[i]!, a[i]! * p.atrMult, [2, 4], ["0.5", "0.5"], d), note: `${p.entryN}-period channel breakout` };
    });
  }
  if (strategy instanceof S.Momentum) {
    const p = strategy.p;
    const r = rsi(close, { period: p.n });
    const trend = ema(close, { period: p.trendN });
    const swing = donchian(bars, { period: 10 });
    return scan(n, p.cooldown, p.trendN + 1, (i) => {
      const longSig = r[i - 1]! < 60 && r[i]! >= 60 && close[i]! > trend[i]!;
      const shortSig = r[i - 1]! > 40 && r[i]! <= 40 && close[i]! < trend[i]!;
      if (!longSig && !shortSig) return null;
      const side = longSig ? "long" : "short";
      const risk = Math.abs(close[i]! - (longSig ? swing.lower[i]! : swing.upper[i]!)) || close[i]! * 0.01;
      return { side, entryType: market, ...levels(side, close[i]!, risk, [1.5, 2.5], ["0.6", "0.4"], d), note: `Momentum: RSI(${p.n}) through ${longSig ? 60 : 40} with the trend` };
    });
  }
  if (strategy instanceof S.Contrarian) {
    const p = strategy.p;
    const rets = close.map((c, i) => (i === 0 ? 0 : c / close[i - 1]! - 1));
    const b = bollingerBands(rets, { period: p.n, multiplier: 1 });
    return scan(n, p.cooldown, p.n + 1, (i) => {
      const z = rets[i]! / (b.upper[i - 1]! - b.middle[i - 1]!);
      if (!Number.isFinite(z) || Math.abs(z) < p.sigmas) return null;
      const side = z < 0 ? "long" : "short";
      const risk = Math.abs(close[i]! - open[i]!) * 0.6 || close[i]! * 0.01;
      return { side, entryType: market, ...levels(side, close[i]!, risk, [1], ["1"], d), note: `${Math.abs(z).toFixed(1)}-sigma move: fading it` };
    });
  }
  if (strategy instanceof S.SwingLimit) {
    const p = strategy.p;
    const trend = sma(close, { period: p.trendN });
    const a = atr(bars, { period: 14 });
    const range = donchian(bars, { period: p.lookback });
    return scan(n, p.cooldown, p.trendN + 1, (i) => {
      const upTrend = close[i]! > trend[i]! && trend[i]! > trend[i - 5]!;
      const downTrend = close[i]! < trend[i]! && trend[i]! < trend[i - 5]!;
      if ((!upTrend && !downTrend) || Number.isNaN(range.lower[i]!)) return null;
      const side = upTrend ? "long" : "short";
      const entry = upTrend ? Math.max(range.lower[i]!, close[i]! - a[i]! * 0.5) : Math.min(range.upper[i]!, close[i]! + a[i]! * 0.5);
      if ((upTrend && entry >= close[i]!) || (downTrend && entry <= close[i]!)) return null;
      return {
        side,
        entryType: "limit",
        ...levels(side, entry, a[i]! * 1.2, [1.5, 2.5], ["0.5", "0.5"], d),
        note: `Limit at the ${p.lookback}-period ${upTrend ? "support" : "resistance"}`,
        expiresInHours: p.expiresInHours,
      };
    });
  }
  throw new Error(`no reference for ${strategy.name}`);
}

/** The same strategy fed one closed candle at a time (a live runner's engine, no series up front). */
function live(plan: Plan, candles: readonly Candle[], decimals: number): S.ProposedSignal[] {
  const strategy = plan.strategy.create(decimals);
  const engine = new Engine(strategy);
  for (const c of candles) engine.onCandle({ time: c.openTime, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close), volume: Number(c.volume) });
  return strategy.signals;
}

interface Case {
  name: string;
  plan: Plan;
  symbol: string;
  decimals: number;
  hourly: readonly Candle[];
}

/** Compares one plan on one instrument three ways; returns the number of signals compared. */
function check({ name, plan, symbol, decimals, hourly }: Case): number {
  const candles = strategyCandles([...hourly], plan.hours);
  const published = plan.strategy({ candles, decimals });
  const expected = reference(plan.strategy.create(decimals), candles);
  expect(published, `${name} on ${symbol}`).toEqual(expected);
  expect(live(plan, candles, decimals), `${name} on ${symbol}, live`).toEqual(published);
  return published.length;
}

const plans = Object.entries(DEMO_PLANS);

describe("demo strategies on the synthetic walk", () => {
  const origin = Date.UTC(2025, 0, 1);
  it.each(plans)("%s publishes what the batch indicators say, backtest and live", (name, plan) => {
    let total = 0;
    for (const symbol of plan.symbols) {
      const spec = SYNTHETIC_SYMBOLS.find((s) => s.info.symbol === symbol)!;
      const hourly = createSyntheticSeries({ seed: DEFAULT_SYNTHETIC_SEED, spec, origin }).candles(origin, origin + 400 * DAY);
      total += check({ name, plan, symbol, decimals: spec.info.pricePrecision, hourly });
    }
    // Enough signals that the comparison means something (the slowest plan gives 20 here, 40 on the recordings).
    expect(total, name).toBeGreaterThanOrEqual(10);
  });
});

describe.skipIf(!available)("demo strategies on the recordings", () => {
  it.each(plans)("%s publishes what the batch indicators say over every recorded candle, backtest and live", async (name, plan) => {
    let total = 0;
    for (const symbol of plan.symbols) {
      const spec = REPLAY_SERIES.find((s) => s.info.symbol === symbol)!;
      const series = await loadRecordedSeries(dir!, spec);
      total += check({ name, plan, symbol, decimals: spec.info.pricePrecision, hourly: series.candles });
    }
    expect(total, name).toBeGreaterThanOrEqual(30);
  }, 60_000);
});

describe("demo strategies are engine strategies", () => {
  const spec = SYNTHETIC_SYMBOLS.find((s) => s.info.symbol === "BTC/USDT")!;
  const origin = Date.UTC(2025, 0, 1);
  const candles = strategyCandles(createSyntheticSeries({ seed: DEFAULT_SYNTHETIC_SEED, spec, origin }).candles(origin, origin + 120 * DAY), 4);

  it("decide from closed candles only: a shorter history gives a prefix of the signals", () => {
    const plan = DEMO_PLANS["Northwind Trend"]!;
    const all = plan.strategy({ candles, decimals: 2 });
    expect(all.length).toBeGreaterThan(3);
    const cut = all[2]!.index;
    expect(plan.strategy({ candles: candles.slice(0, cut + 1), decimals: 2 })).toEqual(all.slice(0, 3));
  });

  it("announce each signal as it is made, at the close of its candle", () => {
    const strategy = DEMO_PLANS["Momentum Desk"]!.strategy.create(2);
    const engine = new Engine(strategy);
    const heard: { index: number; lastClosed: number }[] = [];
    let lastClosed = -1;
    strategy.onSignal = (s) => heard.push({ index: s.index, lastClosed });
    for (const c of candles) {
      lastClosed++;
      engine.onCandle({ time: c.openTime, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close), volume: Number(c.volume) });
    }
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.map((h) => h.index)).toEqual(strategy.signals.map((s) => s.index));
    for (const h of heard) expect(h.index, "announced at the close of its own candle").toBe(h.lastClosed);
  });
});

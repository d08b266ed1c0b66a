/**
 * The curated strategies (rsi-reversion, ema-cross, macd-cross, bollinger-breakout, donchian-breakout): on recorded
 * BTC/USDT 1h (first 10,000 candles) and GOOG 1d data every entry and exit bar equals an independent simulation of
 * the documented rule over the batch indicator functions, runs are deterministic; hand-built candles pin each
 * rule's edges (nothing during the warm-up, the exit rule, filters).
 */
import { describe, expect, it } from "vitest";
import { bollingerBands, donchian, ema, macd, rsi, sma } from "@/lib/indicators";
import { btcHourly, googDaily } from "@/lib/strategy-library/test-data";
import { runBacktest } from "../backtest";
import type { Strategy } from "../engine";
import { toBarSeries } from "../series";
import type { BarSeries, EngineConfig } from "../types";
import { BollingerBreakout } from "./bollinger-breakout";
import { DonchianBreakout } from "./donchian-breakout";
import { EmaCross } from "./ema-cross";
import { MacdCross } from "./macd-cross";
import { RsiReversion } from "./rsi-reversion";

const CONFIG: Partial<EngineConfig> = { cash: 10_000, commission: { relative: 0.001, fixed: 0 }, quantityStep: 0 };

interface Rule {
  name: string;
  make(): Strategy;
  /** The rule's conditions at bar i, from batch indicator arrays (computed once per series). */
  conditions(s: BarSeries): { entry(i: number): boolean; exit(i: number): boolean };
}

const closes = (s: BarSeries) => Array.from(s.close);
const candles = (s: BarSeries) => Array.from({ length: s.length }, (_, i) => ({ high: s.high[i]!, low: s.low[i]!, close: s.close[i]! }));
const crossUp = (a: number[], b: number[], i: number) => a[i - 1]! <= b[i - 1]! && a[i]! > b[i]!;
const crossDown = (a: number[], b: number[], i: number) => a[i - 1]! >= b[i - 1]! && a[i]! < b[i]!;

const rsiRule = (period: number, entry: number, exit: number, trendPeriod: number): Rule => ({
  name: `RSI(${period}) reversion ${entry}/${exit}, SMA ${trendPeriod}`,
  make: () => new RsiReversion({ period, entry, exit, trendPeriod }),
  conditions(s) {
    const c = closes(s);
    const r = rsi(c, { period });
    const t = trendPeriod > 0 ? sma(c, { period: trendPeriod }) : null;
    return {
      entry: (i) => r[i]! < entry && (t === null || c[i]! > t[i]!),
      // The strategy only acts once every indicator has a value, the exit included.
      exit: (i) => r[i]! > exit && (t === null || !Number.isNaN(t[i]!)),
    };
  },
});

const RULES: Rule[] = [
  rsiRule(7, 30, 70, 200),
  rsiRule(3, 15, 60, 200),
  {
    name: "EMA crossover 12/26",
    make: () => new EmaCross({ fast: 12, slow: 26 }),
    conditions(s) {
      const f = ema(closes(s), { period: 12 });
      const l = ema(closes(s), { period: 26 });
      return { entry: (i) => crossUp(f, l, i), exit: (i) => crossDown(f, l, i) };
    },
  },
  {
    name: "MACD 12/26/9",
    make: () => new MacdCross({ fast: 12, slow: 26, signal: 9 }),
    conditions(s) {
      const m = macd(closes(s), { fast: 12, slow: 26, signal: 9 });
      return { entry: (i) => crossUp(m.macd, m.signal, i), exit: (i) => crossDown(m.macd, m.signal, i) };
    },
  },
  {
    name: "Bollinger breakout 20/2",
    make: () => new BollingerBreakout({ period: 20, multiplier: 2 }),
    conditions(s) {
      const c = closes(s);
      const b = bollingerBands(c, { period: 20, multiplier: 2 });
      return { entry: (i) => c[i]! > b.upper[i]!, exit: (i) => c[i]! < b.middle[i]! };
    },
  },
  {
    name: "Donchian breakout 20/10",
    make: () => new DonchianBreakout({ entryPeriod: 20, exitPeriod: 10 }),
    conditions(s) {
      const c = closes(s);
      const up = donchian(candles(s), { period: 20 }).upper;
      const low = donchian(candles(s), { period: 10 }).lower;
      return { entry: (i) => i > 0 && c[i]! > up[i - 1]!, exit: (i) => i > 0 && c[i]! < low[i - 1]! };
    },
  },
];

/**
 * The rule as a plain state machine: a signal at bar i's close fills at bar i + 1's open; a long position can exit
 * from the bar it was entered on; after an exit fills, the same bar can signal a new entry.
 */
function expectedTrades(rule: Rule, s: BarSeries): { entries: number[]; exits: number[] } {
  const { entry, exit } = rule.conditions(s);
  const entries: number[] = [];
  const exits: number[] = [];
  let long = false;
  for (let i = 0; i < s.length - 1; i++) {
    if (long) {
      if (exit(i)) {
        long = false;
        exits.push(i + 1);
      }
    } else if (entry(i)) {
      long = true;
      entries.push(i + 1);
    }
  }
  return { entries, exits };
}

for (const [label, load] of [
  ["BTC/USDT 1h (first 10,000)", btcHourly],
  ["GOOG 1d", googDaily],
] as const) {
  const series = load();
  describe.skipIf(!series)(`curated strategies on ${label}`, () => {
    for (const rule of RULES) {
      it(`${rule.name}: trades, entries and exits exactly where the rule says, deterministic`, () => {
        const s = series!;
        const a = runBacktest(rule.make(), s, CONFIG);
        const b = runBacktest(rule.make(), s, CONFIG);
        expect(a.result.tradeCount).toBeGreaterThan(0);
        expect(a.result.rejections).toEqual([]);
        expect(Array.from(b.result.equity)).toEqual(Array.from(a.result.equity));
        expect(b.result.trades).toEqual(a.result.trades);
        const want = expectedTrades(rule, s);
        const trades = a.result.trades;
        expect(trades.every((t) => t.side === "long")).toBe(true);
        expect(trades.map((t) => t.entryBar)).toEqual(want.entries);
        // The last trade may have been closed by the end of the data rather than by the rule.
        const ruleExits = trades.filter((t) => t.exitReason !== "end").map((t) => t.exitBar);
        expect(ruleExits).toEqual(want.exits.slice(0, ruleExits.length));
        expect(ruleExits.length).toBeGreaterThanOrEqual(want.exits.length - 1);
      });
    }
  });
}

// ---- hand-built candles ----

const DAY = 86_400_000;
/** One bar per close; open = close of the bar (so fills at "the next open" are at that bar's close), high/low given or = close. */
function bars(closeList: readonly number[], extremes: { high?: readonly number[]; low?: readonly number[] } = {}): BarSeries {
  return toBarSeries(
    closeList.map((c, i) => ({
      time: i * DAY,
      open: c,
      high: extremes.high?.[i] ?? c,
      low: extremes.low?.[i] ?? c,
      close: c,
      volume: 1,
    })),
  );
}
const entriesOf = (st: Strategy, s: BarSeries) => runBacktest(st, s, CONFIG).result.trades.map((t) => [t.entryBar, t.exitBar, t.exitReason] as const);

describe("RSI reversion edges", () => {
  it("enters on the first bar the RSI exists (bar `period`), never before; exits on the bar after RSI > exit", () => {
    // Falling from bar 0: RSI(3) is 0 (< 15) from its first value, at bar 3 → fill at bar 4's open.
    // Then rising: RSI(3) rises above 60 at bar 8 (first up move of size 5 against 3 losses of 1) → exit at bar 9.
    const s = bars([10, 9, 8, 7, 6, 5, 4, 3, 8, 9, 10]);
    const trades = entriesOf(new RsiReversion({ period: 3, entry: 15, exit: 60, trendPeriod: 0 }), s);
    expect(trades).toEqual([[4, 9, "close"]]);
  });

  it("the trend filter keeps it out below the SMA and lets a dip above it through", () => {
    const falling = bars([20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9]);
    expect(entriesOf(new RsiReversion({ period: 3, entry: 15, exit: 60, trendPeriod: 5 }), falling)).toEqual([]);
    // Rising by 2 (RSI(2) = 100), then −2 (bar 9: avg gain 1, avg loss 1, RSI 50, not < 45) and −0.5 (bar 10: 0.5
    // against 0.75, RSI 40 < 45) with 23.5 above SMA(8) = 21.6875 → fill at 11; bar 11's +2.5 lifts RSI to 80 > 70
    // → exit at 12.
    const dip = bars([10, 12, 14, 16, 18, 20, 22, 24, 26, 24, 23.5, 26, 28]);
    expect(entriesOf(new RsiReversion({ period: 2, entry: 45, exit: 70, trendPeriod: 8 }), dip)).toEqual([[11, 12, "close"]]);
    // The same dip with an SMA(12) filter: the SMA has no value before bar 11, so nothing is bought at bar 10.
    expect(entriesOf(new RsiReversion({ period: 2, entry: 45, exit: 70, trendPeriod: 12 }), dip)).toEqual([]);
  });

  it("refuses entry ≥ exit", () => {
    expect(() => new RsiReversion({ period: 3, entry: 60, exit: 60, trendPeriod: 0 })).toThrow(RangeError);
  });
});

describe("EMA crossover edges", () => {
  it("a series rising from its first bar never enters: no cross is seen once both EMAs exist", () => {
    const s = bars(Array.from({ length: 40 }, (_, i) => 100 + i));
    expect(entriesOf(new EmaCross({ fast: 3, slow: 6 }), s)).toEqual([]);
  });
  it("enters the bar after the fast EMA crosses above and exits the bar after it crosses below", () => {
    // Flat (fast = slow), a rise at bar 8 (cross up at bar 8 → fill 9), a fall at bar 14 (cross down → exit 15).
    const c = [...new Array<number>(8).fill(100), 101, 102, 103, 104, 105, 106, 90, 80, 70];
    expect(entriesOf(new EmaCross({ fast: 3, slow: 6 }), bars(c))).toEqual([[9, 15, "close"]]);
  });
});

describe("MACD crossover edges", () => {
  it("no entry before the signal line exists, even when MACD is above it from the first value", () => {
    const s = bars(Array.from({ length: 20 }, (_, i) => 100 + i * i));
    expect(entriesOf(new MacdCross({ fast: 2, slow: 4, signal: 3 }), s)).toEqual([]);
  });
  it("enters after the MACD line crosses above the signal line and exits after it crosses below", () => {
    const c = [...new Array<number>(10).fill(100), 102, 105, 109, 114, 113, 108, 100, 90];
    const m = macd(c, { fast: 2, slow: 4, signal: 3 });
    const up = c.findIndex((_, i) => i > 0 && crossUp(m.macd, m.signal, i));
    const down = c.findIndex((_, i) => i > up && crossDown(m.macd, m.signal, i));
    expect(up).toBe(10);
    expect(down).toBeGreaterThan(up);
    expect(entriesOf(new MacdCross({ fast: 2, slow: 4, signal: 3 }), bars(c))).toEqual([[up + 1, down + 1, "close"]]);
  });
});

describe("Bollinger breakout edges", () => {
  it("a jump during the warm-up is not traded", () => {
    const c = [100, 100, 130, ...new Array<number>(10).fill(100)];
    expect(entriesOf(new BollingerBreakout({ period: 5, multiplier: 2 }), bars(c))).toEqual([]);
  });
  it("enters after a close above the upper band and exits after a close below the middle", () => {
    // Bar 6 jumps to 110: window 100 ×4, 110 has mean 102, σ 4, upper (k = 1.5) 108 < 110 → fill at 7. (With k = 2
    // one outlier in 5 sits exactly on the band, never above it.) Bar 9 closes 99 < SMA 106.4 → exit at 10.
    const c = [100, 100, 100, 100, 100, 100, 110, 112, 111, 99, 99];
    expect(entriesOf(new BollingerBreakout({ period: 5, multiplier: 1.5 }), bars(c))).toEqual([[7, 10, "close"]]);
  });
});

describe("Donchian breakout edges", () => {
  it("a new high before `entryPeriod` bars exist is not traded", () => {
    const c = [100, 101, 102, 99, 98, 97, 96];
    expect(entriesOf(new DonchianBreakout({ entryPeriod: 5, exitPeriod: 2 }), bars(c))).toEqual([]);
  });
  it("enters after a close above the previous N highs (not its own), exits after a close below the previous M lows", () => {
    // Highs of bars 0–4 top out at 105 (bar 2's wick); bar 5 closes 104 (not above), bar 6 closes 106 → fill 7.
    // Lows of bars 6–7 (M = 2) are 105.5 and 106; bar 8 closes 105 < 105.5 → exit at 9.
    const c = [100, 101, 102, 101, 100, 104, 106, 107, 105, 104];
    const high = [100, 101, 105, 101, 100, 104, 106, 107, 105, 104];
    const low = [100, 101, 102, 101, 100, 104, 105.5, 106, 105, 104];
    expect(entriesOf(new DonchianBreakout({ entryPeriod: 5, exitPeriod: 2 }), bars(c, { high, low }))).toEqual([[7, 9, "close"]]);
  });
});

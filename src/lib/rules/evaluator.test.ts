import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, Engine, type Strategy, type StrategyContext } from "@/lib/engine";
import { toBarSeries } from "@/lib/engine/series";
import type { Bar, EngineConfig } from "@/lib/engine/types";
import { compileRules } from "./evaluator";
import { parseRules, type RulesDocument } from "./schema";

const DAY = 86_400_000;
/** Flat candles (open = high = low = close) unless given as [open, high, low, close]. */
function series(prices: readonly (number | readonly [number, number, number, number])[]) {
  const bars: Bar[] = prices.map((p, i) => {
    const [open, high, low, close] = typeof p === "number" ? [p, p, p, p] : p;
    return { time: Date.UTC(2024, 0, 1) + i * DAY, open, high, low, close, volume: 1 };
  });
  return toBarSeries(bars);
}
function valid(doc: unknown): RulesDocument {
  const r = parseRules(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.rules;
}
/** Records, bar by bar, whether each rule's action was attempted (by wrapping the strategy's context). */
function run(doc: unknown, prices: Parameters<typeof series>[0], config: Partial<EngineConfig> = DEFAULT_CONFIG) {
  const strategy = compileRules(valid(doc));
  const calls: string[] = [];
  const spy: Strategy = {
    name: strategy.name,
    onBar(ctx: StrategyContext) {
      const i = ctx.bars.index;
      // A plain delegate: the engine's context keeps its engine in a #private field, so it cannot be a prototype.
      const wrapped: StrategyContext = {
        bars: ctx.bars,
        get positionSize() {
          return ctx.positionSize;
        },
        get equity() {
          return ctx.equity;
        },
        get openTrades() {
          return ctx.openTrades;
        },
        get pendingOrders() {
          return ctx.pendingOrders;
        },
        buy: (o) => (calls.push(`${i}:buy`), ctx.buy(o)),
        sell: (o) => (calls.push(`${i}:sell`), ctx.sell(o)),
        closePosition: (p) => (calls.push(`${i}:close`), ctx.closePosition(p)),
        cancelOrders: () => ctx.cancelOrders(),
        setStopLoss: (p) => (calls.push(`${i}:sl=${p}`), ctx.setStopLoss(p)),
        setTakeProfit: (p) => ctx.setTakeProfit(p),
      };
      strategy.onBar(wrapped);
    },
  };
  const result = new Engine(spy, config, series(prices)).run();
  return { calls, result, strategy };
}
const sma = (period: number, offset?: number) => ({ indicator: "sma", params: { period }, ...(offset === undefined ? {} : { offset }) });
const close = (offset?: number) => ({ price: "close", ...(offset === undefined ? {} : { offset }) });

describe("the evaluator", () => {
  it("holds a condition false while an operand warms up, then evaluates it every bar", () => {
    const { calls, strategy } = run({ version: 1, rules: [{ when: { left: close(), op: ">", right: sma(3) }, then: { type: "enter_long" } }] }, [10, 9, 8, 12, 13, 14]);
    // SMA(3) has its first value at bar 2 (10, 9, 8 → 9; 8 is not above); at bar 3 close 12 > 9.67: enter. Later bars: already long.
    expect(calls).toEqual(["3:buy"]);
    expect(strategy.warmupBars).toBe(2);
  });

  it("crosses compare the previous and the current bar, strictly", () => {
    const doc = { version: 1, rules: [{ when: { left: close(), op: "crosses_above", right: { const: 10 } }, then: { type: "enter_long" } }, { when: { left: close(), op: "crosses_below", right: { const: 10 } }, then: { type: "exit" } }] };
    // 9 → 10 touches but does not cross; 10 → 11 does not either (10 is not below 10); 9 → 11 crosses.
    const { calls } = run(doc, [9, 10, 11, 9, 11, 12, 8]);
    expect(calls).toEqual(["4:buy", "6:close"]);
  });

  it("offsets read bars back, and make the condition false before the first bar", () => {
    const doc = { version: 1, rules: [{ when: { all: [{ left: close(), op: ">", right: close(1) }, { left: close(1), op: ">", right: close(2) }] }, then: { type: "enter_long" } }, { when: { left: close(), op: "<", right: close(1) }, then: { type: "exit" } }] };
    const { calls, strategy } = run(doc, [5, 6, 7, 6, 7, 8]);
    expect(calls).toEqual(["2:buy", "3:close", "5:buy"]);
    expect(strategy.warmupBars).toBe(2);
  });

  it("an indicator with an offset reads its own past values; `any` needs one item", () => {
    const doc = { version: 1, rules: [{ when: { any: [{ left: sma(2), op: ">", right: sma(2, 1) }, { left: close(), op: "==", right: { const: 100 } }] }, then: { type: "enter_long" } }] };
    // SMA(2): –, 10, 10, 11.5: rises first at bar 3; bar 1's close of 100 would fire `==` but that is bar 1 only.
    expect(run(doc, [10, 10, 10, 13]).calls).toEqual(["3:buy"]);
    expect(run(doc, [10, 100, 100, 100]).calls).toEqual(["1:buy"]);
  });

  it("enter_short from long closes first, then sells; one entry per bar (the first rule wins)", () => {
    const up = { left: close(), op: ">", right: close(1) };
    const doc = { version: 1, rules: [{ when: up, then: { type: "enter_long" } }, { when: { left: close(), op: "<", right: close(1) }, then: { type: "enter_short" } }, { when: up, then: { type: "enter_short" } }] };
    const { calls, result } = run(doc, [10, 11, 12, 11, 10, 10]);
    expect(calls).toEqual(["1:buy", "3:close", "3:sell"]);
    expect(result.trades.map((t) => [t.side, t.entryBar, t.exitBar])).toEqual([["long", 2, 4], ["short", 4, 5]]);
  });

  it("places the stop from the close and splits an entry across its targets, each leg its share", () => {
    const doc = {
      version: 1,
      rules: [{ when: { left: close(), op: ">", right: close(1) }, then: { type: "enter_long" } }],
      risk: { stop: { percent: 10 }, targets: [{ percent: 10, share: 0.5 }, { r: 2, share: 0.25 }], size: { quantity: 8 } },
    };
    const { result } = run(doc, [100, 100, [100, 100, 100, 100], [100, 100, 100, 100], [100, 111, 100, 110], [110, 125, 110, 120], [120, 120, 120, 120]], { ...DEFAULT_CONFIG, endOfData: "close-at-last-close" });
    // The close first rises at bar 4 (110 > 100): legs of 4, 2 and 2 units fill at bar 5's open (110). Levels come from
    // the decision close, 110: stop 99 (−10%), targets 121 (+10%) and 132 (2R, R = 11). Bar 5 reaches 121 only.
    const t = result.trades.map((x) => ({ size: x.size, entry: x.entryPrice, exit: x.exitPrice, reason: x.exitReason, sl: x.initialSl, tp: x.tp }));
    expect(t).toEqual([
      { size: 4, entry: 110, exit: 121, reason: "target", sl: 99, tp: 121 },
      { size: 2, entry: 110, exit: 120, reason: "end", sl: 99, tp: 132 },
      { size: 2, entry: 110, exit: 120, reason: "end", sl: 99, tp: null },
    ]);
  });

  it("move_stop only tightens, and never to the wrong side of the close", () => {
    const doc = {
      version: 1,
      rules: [
        { when: { left: close(), op: "==", right: { const: 100 } }, then: { type: "enter_long" } },
        { when: { left: close(), op: ">", right: { const: 100 } }, then: { type: "move_stop", stop: { percent: 5 } } },
        { when: { left: close(), op: "==", right: { const: 130 } }, then: { type: "move_stop", stop: "breakeven" } },
      ],
      risk: { stop: { percent: 20 } },
    };
    const { calls } = run(doc, [100, 100, 120, 118, 130, 140]);
    // Bar 2 (120): 114; bar 3 (118): 112.1 would loosen it, so nothing; bar 4 (130): 123.5 and breakeven (100) does not tighten; bar 5: 133.
    expect(calls.filter((c) => c.includes("sl="))).toEqual(["2:sl=114", "4:sl=123.5", "5:sl=133"]);
  });

  it("waits for the ATR before an ATR-stopped entry", () => {
    const doc = { version: 1, rules: [{ when: { left: close(), op: ">", right: { const: 0 } }, then: { type: "enter_long" } }], risk: { stop: { atr: 2 }, atrPeriod: 3 } };
    const { calls } = run(doc, [[10, 11, 9, 10], [10, 11, 9, 10], [10, 11, 9, 10], [10, 11, 9, 10]]);
    expect(calls).toEqual(["2:buy"]);
  });

  it("interprets data: no eval, no Function constructor in the module", () => {
    for (const f of ["evaluator.ts", "schema.ts", "io.ts"]) {
      const src = fs.readFileSync(path.join(import.meta.dirname, f), "utf8");
      expect(src).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(/);
    }
  });
});

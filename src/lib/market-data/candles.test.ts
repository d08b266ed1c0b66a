import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, aggregateCandles, decimalsOfTick, isTimeframe, lowerBound, toDecimalString } from "./candles";
import type { Candle } from "./types";

describe("toDecimalString", () => {
  it.each<[unknown, string]>([
    ["43519.34000000", "43519.34"],
    ["4360.0", "4360"],
    ["100", "100"],
    ["0.00000000", "0"],
    ["-0", "0"],
    ["-1.50", "-1.5"],
    ["007.10", "7.1"],
    ["1e-7", "0.0000001"],
    ["1.5E+3", "1500"],
    [0.972807, "0.972807"],
    [4360, "4360"],
    [1e-7, "0.0000001"],
    [1e21, "1000000000000000000000"],
    [" 12.30 ", "12.3"],
  ])("%j -> %s", (input, out) => expect(toDecimalString(input)).toBe(out));

  it.each<unknown>(["", "abc", "1,5", null, undefined, Number.NaN, Number.POSITIVE_INFINITY, "Infinity", {}])("rejects %j", (v) => {
    expect(() => toDecimalString(v)).toThrow();
  });
});

describe("decimalsOfTick", () => {
  it.each<[string | number, number]>([
    ["0.01000000", 2],
    ["0.00001", 5],
    [0.00000001, 8],
    ["1.00000000", 0],
    ["10", 0],
    ["0.5", 1],
    ["0.00025", 5],
  ])("%j -> %d", (tick, n) => expect(decimalsOfTick(tick)).toBe(n));

  it("rejects zero and negative ticks", () => {
    expect(() => decimalsOfTick("0")).toThrow(RangeError);
    expect(() => decimalsOfTick(-0.01)).toThrow(RangeError);
  });
});

describe("lowerBound", () => {
  const xs = [10, 20, 20, 30];
  it.each([
    [5, 0],
    [10, 0],
    [11, 1],
    [20, 1],
    [25, 3],
    [30, 3],
    [31, 4],
  ])("first >= %d is at %d", (v, i) => expect(lowerBound(xs, v)).toBe(i));
  it("handles empty input and typed arrays", () => {
    expect(lowerBound([], 1)).toBe(0);
    expect(lowerBound(Float64Array.from([1, 2, 3]), 2)).toBe(1);
  });
});

describe("isTimeframe", () => {
  it("accepts exactly 1m, 1h, 1d", () => {
    expect(["1m", "1h", "1d", "4h", "", 1, null].map(isTimeframe)).toEqual([true, true, true, false, false, false, false]);
  });
});

describe("aggregateCandles", () => {
  const day = Date.UTC(2020, 0, 1);
  const c = (h: number, o: string, hi: string, lo: string, cl: string, v: string): Candle => ({
    openTime: day + h * HOUR_MS,
    open: o,
    high: hi,
    low: lo,
    close: cl,
    volume: v,
  });

  it("takes first open, max high, min low, last close and the exact volume sum per UTC day", () => {
    const hours = [
      c(0, "100.5", "101", "99.9", "100.7", "0.1"),
      c(1, "100.7", "109.99", "100", "108", "0.2"),
      // a missing hour (2) and a zero-volume one stay as they are
      c(3, "108", "108", "95.01", "96", "0"),
      c(23, "96", "97", "95.5", "96.5", "12345678.12345678"),
      c(24, "96.5", "96.5", "96.5", "96.5", "1"),
    ];
    expect(aggregateCandles(hours, DAY_MS)).toEqual([
      { openTime: day, open: "100.5", high: "109.99", low: "95.01", close: "96.5", volume: "12345678.42345678" },
      { openTime: day + DAY_MS, open: "96.5", high: "96.5", low: "96.5", close: "96.5", volume: "1" },
    ]);
  });

  it("compares as decimals, not strings, and keeps a sum with many digits exact", () => {
    const hours = [c(0, "9", "9.5", "8", "9", "0.1"), c(1, "9", "10", "7.99999999", "9", "0.2")];
    const [d] = aggregateCandles(hours, DAY_MS);
    expect(d).toMatchObject({ high: "10", low: "7.99999999", volume: "0.3" });
    const many = Array.from({ length: 24 }, (_, h) => c(h, "1", "1", "1", "1", "123456789.12345678"));
    expect(aggregateCandles(many, DAY_MS)[0]?.volume).toBe("2962962938.96296272");
  });

  it("returns nothing for nothing and refuses unsorted input", () => {
    expect(aggregateCandles([], DAY_MS)).toEqual([]);
    expect(() => aggregateCandles([c(1, "1", "1", "1", "1", "1"), c(0, "1", "1", "1", "1", "1")], DAY_MS)).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { averagePrice, feeOf, marketFill, out, realisedPnl, slippageBpsOf } from "./fills";
import { D } from "@/lib/stats/decimal";

describe("out: the copy module's number edge", () => {
  it.each([
    ["60012.000", "60012"],
    ["0.000000005", "0.00000001"], // half-up, ties away from zero
    ["-0.000000005", "-0.00000001"],
    ["-0.000000004", "0"], // never "-0"
    ["1e-7", "0.0000001"], // never an exponent
    ["1e21", "1000000000000000000000"],
  ])("%s → %s", (value, expected) => {
    expect(out(new D(value))).toBe(expected);
  });
});

describe("marketFill: the price moved against the follower, 8 dp half-up", () => {
  it.each([
    ["buy", "60000", "2", "60012"],
    ["sell", "60000", "2", "59988"],
    ["buy", "0.15", "2.5", "0.1500375"],
    ["buy", "1.23456789", "3", "1.23493826"], // 1.234938260367
    ["sell", "1.00000001", "5000", "0.50000001"], // 0.500000005, a tie, rounds up
    ["buy", "3000", "0", "3000"],
  ] as const)("%s %s with %s bps → %s", (side, price, bps, expected) => {
    expect(marketFill(side, price, bps)).toBe(expected);
  });

  it("refuses a price that is not a decimal string", () => {
    expect(() => marketFill("buy", "NaN", "2")).toThrow(RangeError);
  });
});

describe("feeOf: 0.1% of the notional, 8 dp half-up", () => {
  it.each([
    ["0.00333", "60012", "0.19983996"],
    ["1", "10000", "10"],
    ["0.000005", "1", "0.00000001"], // 0.000000005, a tie, rounds up
    ["0.000004", "1", "0"],
    ["3000", "1.08423", "3.25269"],
  ])("%s × %s → %s", (q, p, expected) => {
    expect(feeOf(q, p)).toBe(expected);
  });
});

describe("slippageBpsOf: signed, positive is worse for the follower, 2 dp", () => {
  it.each([
    ["buy", "60000", "60012", "2"],
    ["sell", "60000", "59988", "2"],
    ["buy", "60000", "59940", "-10"], // bought cheaper: price improvement
    ["sell", "60000", "60060", "-10"],
    ["sell", "100", "99.98765", "1.24"], // 1.235, a tie, rounds up
    ["buy", "100", "100", "0"],
  ] as const)("%s asked %s filled %s → %s bps", (side, requested, fill, expected) => {
    expect(slippageBpsOf(side, requested, fill)).toBe(expected);
  });

  it("refuses a zero requested price", () => {
    expect(() => slippageBpsOf("buy", "0", "1")).toThrow(RangeError);
  });
});

describe("realisedPnl: before fees, 8 dp", () => {
  it.each([
    ["long", "60000", "63000", "0.00333", "9.99"],
    ["short", "60000", "63000", "0.00333", "-9.99"],
    ["short", "60000", "57000", "0.00333", "9.99"],
    ["long", "1.08423", "1.08311", "3000", "-3.36"],
    ["long", "1", "1.5", "0.000000015", "0.00000001"], // 0.0000000075 rounds up
  ] as const)("%s %s → %s × %s → %s", (side, entry, exit, q, expected) => {
    expect(realisedPnl(side, entry, exit, q)).toBe(expected);
  });
});

describe("averagePrice: quantity-weighted, 8 dp", () => {
  it.each([
    ["0.001", "60000", "0.002", "63000", "62000"],
    ["1", "1", "2", "2", "1.66666667"],
    ["0", "5", "2", "7", "7"],
  ])("%s@%s + %s@%s → %s", (q1, p1, q2, p2, expected) => {
    expect(averagePrice(q1, p1, q2, p2)).toBe(expected);
  });

  it("refuses a zero total quantity", () => {
    expect(() => averagePrice("0", "1", "0", "2")).toThrow(RangeError);
  });
});

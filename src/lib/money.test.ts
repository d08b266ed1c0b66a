import { describe, expect, it } from "vitest";
import { centsToInput, formatCents, parseDollars, splitRevenue } from "./money";

describe("splitRevenue (70/30)", () => {
  it.each([
    [300, 90, 210],
    [999, 300, 699],
    [100, 30, 70],
    [1, 0, 1],
    [5, 2, 3],
    [0, 0, 0],
    [123_456_789, 37_037_037, 86_419_752],
  ])("%i cents -> platform %i, provider %i", (amount, platform, provider) => {
    expect(splitRevenue(amount)).toEqual({ platformCents: platform, providerCents: provider });
  });

  it("refuses fractions and negatives", () => {
    expect(() => splitRevenue(1.5)).toThrow(RangeError);
    expect(() => splitRevenue(-1)).toThrow(RangeError);
  });
});

describe("formatCents", () => {
  it("formats without float drift", () => {
    expect(formatCents(300)).toBe("$3.00");
    expect(formatCents(999)).toBe("$9.99");
    expect(formatCents(123456789)).toBe("$1,234,567.89");
    expect(formatCents(-5)).toBe("-$0.05");
    expect(() => formatCents(0.1)).toThrow(RangeError);
  });
});

describe("parseDollars (typed dollars to integer cents, no floats)", () => {
  it.each([
    ["5", 500],
    ["5.00", 500],
    ["5.5", 550],
    ["4.99", 499],
    [".99", 99],
    ["0.07", 7],
    ["5.", 500],
    ["$3", 300],
    ["$ 12.30", 1230],
    ["  7.10 ", 710],
    ["1,000", 100_000],
    ["1,250.75", 125_075],
    ["007.01", 701],
    // Where binary floats go wrong: 0.29 * 100 is 28.999999999999996 and 1.005 * 100 is 100.49999999999999.
    ["0.29", 29],
    ["1.15", 115],
    ["4.35", 435],
  ])("%j -> %i cents", (input, cents) => {
    expect(parseDollars(input)).toEqual({ ok: true, cents });
  });

  it.each([
    ["", "Enter an amount in dollars"],
    ["   ", "Enter an amount in dollars"],
    ["-5", "The amount can't be negative"],
    ["5.999", "Use at most two decimal places (cents)"],
    ["abc", "Enter an amount like 5 or 4.99"],
    ["5e2", "Enter an amount like 5 or 4.99"],
    ["1,00", "Enter an amount like 5 or 4.99"],
    ["1.2.3", "Enter an amount like 5 or 4.99"],
    [".", "Enter an amount like 5 or 4.99"],
    ["0x10", "Enter an amount like 5 or 4.99"],
    ["99999999999999", "That amount is too large"],
  ])("%j is refused: %s", (input, message) => {
    expect(parseDollars(input)).toEqual({ ok: false, message });
  });

  it("round-trips with centsToInput", () => {
    for (const cents of [0, 1, 99, 100, 300, 499, 100_000]) {
      expect(parseDollars(centsToInput(cents))).toEqual({ ok: true, cents });
    }
    expect(centsToInput(500)).toBe("5.00");
    expect(() => centsToInput(1.5)).toThrow(RangeError);
  });
});

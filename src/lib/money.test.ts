import { describe, expect, it } from "vitest";
import { formatCents, splitRevenue } from "./money";

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

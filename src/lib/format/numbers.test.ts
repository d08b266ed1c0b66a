import { describe, expect, it } from "vitest";
import { formatCount, formatRatio, formatUsd, formatUsdCents } from "./numbers";

describe("number formats", () => {
  it("group thousands in counts", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(1234567)).toBe("1,234,567");
  });

  it("print a ratio as a percentage with at most one decimal", () => {
    expect(formatRatio(0)).toBe("0%");
    expect(formatRatio(0.1234)).toBe("12.3%");
    expect(formatRatio(0.5)).toBe("50%");
  });

  it("print dollars whole or to the cent, sign before the symbol", () => {
    expect(formatUsd(10234.5)).toBe("$10,235");
    expect(formatUsdCents(10234.5)).toBe("$10,234.50");
    expect(formatUsdCents(-3.456)).toBe("-$3.46");
  });
});

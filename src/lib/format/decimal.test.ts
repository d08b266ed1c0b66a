import { describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { parseDecimal } from "./decimal";

describe("parseDecimal", () => {
  it("reads decimal strings exactly", () => {
    expect(parseDecimal("0.1")!.plus("0.2").toString()).toBe("0.3");
    expect(parseDecimal("-43361.11")!.toFixed(2)).toBe("-43361.11");
  });

  it("answers null for missing, empty, malformed and infinite values", () => {
    for (const v of [null, undefined, "", "abc", "1.2.3", "Infinity", "NaN"]) expect(parseDecimal(v), String(v)).toBeNull();
  });

  it("rounds half up whatever the global Decimal settings", () => {
    const before = Decimal.rounding;
    Decimal.set({ rounding: Decimal.ROUND_DOWN });
    try {
      expect(parseDecimal("2.345")!.toFixed(2)).toBe("2.35");
    } finally {
      Decimal.set({ rounding: before });
    }
  });
});

import { describe, expect, it } from "vitest";
import { quantityRules } from "./market";

describe("quantityRules", () => {
  it.each([
    ["crypto", "60000", "0.00001", "0.00001", "5"],
    ["crypto", "99999.99", "0.00001", "0.00001", "5"],
    ["crypto", "100000", "0.000001", "0.000001", "5"],
    ["crypto", "3000", "0.0001", "0.0001", "5"],
    ["crypto", "150", "0.001", "0.001", "5"],
    ["crypto", "1", "0.1", "0.1", "5"],
    ["crypto", "0.15", "1", "1", "5"],
    ["crypto", "0.00001234", "10000", "10000", "5"],
    ["forex", "1.08423", "1000", "1000", "0"],
    ["stocks", "150.25", "0.0001", "0.0001", "1"],
  ] as const)("%s at %s → step %s, min quantity %s, min notional %s", (market, price, step, minQuantity, minNotional) => {
    expect(quantityRules({ market, price })).toEqual({ quantityStep: step, minQuantity, minNotional });
  });

  it("refuses a crypto price that is not positive", () => {
    expect(() => quantityRules({ market: "crypto", price: "0" })).toThrow(RangeError);
    expect(() => quantityRules({ market: "crypto", price: "abc" })).toThrow(RangeError);
  });
});

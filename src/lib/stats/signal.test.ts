import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { D, toOutput } from "./decimal";
import { rMultiple, signalReturn } from "./signal";
import type { ClosedSignal } from "./types";

const t = (iso: string) => new Date(iso);

function closed(
  side: ClosedSignal["side"],
  entryPrice: string,
  initialStop: string | null,
  legs: [price: string, share: string][],
): ClosedSignal {
  return {
    id: "s1",
    side,
    entryPrice,
    initialStop,
    openedAt: t("2025-01-01T10:00:00Z"),
    closedAt: t("2025-01-01T14:00:00Z"),
    legs: legs.map(([price, share]) => ({ price, share, at: t("2025-01-01T14:00:00Z") })),
  };
}

describe("signalReturn and rMultiple", () => {
  it("single long win", () => {
    // E = 100, X = 110, X/E = 1.1: r = 1.1 − 1 − 0.001 − 0.001·1.1 = 0.1 − 0.001 − 0.0011 = 0.0979
    // R = 0.0979 / (|100 − 95| / 100) = 0.0979 / 0.05 = 1.958
    const s = closed("long", "100", "95", [["110", "1"]]);
    expect(signalReturn(s)).toBe("0.09790000");
    expect(rMultiple(s)).toBe("1.95800000");
  });

  it("single short win", () => {
    // E = 200, X = 180: r = (200 − 180)/200 − 0.001 − 0.001·0.9 = 0.1 − 0.001 − 0.0009 = 0.0981
    // R = 0.0981 / (|200 − 210| / 200) = 0.0981 / 0.05 = 1.962
    const s = closed("short", "200", "210", [["180", "1"]]);
    expect(signalReturn(s)).toBe("0.09810000");
    expect(rMultiple(s)).toBe("1.96200000");
  });

  it("partial close weights each leg by its share (0.5 / 0.3 / 0.2)", () => {
    // E = 50, stop 45 (distance 5/50 = 0.1)
    // leg 1 X = 55, X/E = 1.1:  r1 = 0.1 − 0.001 − 0.0011   =  0.0979
    // leg 2 X = 60, X/E = 1.2:  r2 = 0.2 − 0.001 − 0.0012   =  0.1978
    // leg 3 X = 48, X/E = 0.96: r3 = −0.04 − 0.001 − 0.00096 = −0.04196
    // r = 0.5·0.0979 + 0.3·0.1978 + 0.2·(−0.04196) = 0.04895 + 0.05934 − 0.008392 = 0.099898
    // R = 0.099898 / 0.1 = 0.99898
    const s = closed("long", "50", "45", [
      ["55", "0.5"],
      ["60", "0.3"],
      ["48", "0.2"],
    ]);
    expect(signalReturn(s)).toBe("0.09989800");
    expect(rMultiple(s)).toBe("0.99898000");
  });

  it("same-candle stop and target: the single leg exits at the stop, so r and R are the stop's", () => {
    // Long E = 100, stop 95, target 110 hit in the same candle; the lifecycle filled the stop.
    // r = 0.95 − 1 − 0.001 − 0.001·0.95 = −0.05 − 0.001 − 0.00095 = −0.05195; R = −0.05195 / 0.05 = −1.039
    const long = closed("long", "100", "95", [["95", "1"]]);
    expect(signalReturn(long)).toBe("-0.05195000");
    expect(rMultiple(long)).toBe("-1.03900000");
    // Short E = 100, stop 105, target 90: r = (100 − 105)/100 − 0.001 − 0.001·1.05 = −0.05 − 0.001 − 0.00105
    // = −0.05205; R = −0.05205 / 0.05 = −1.041 (fees make a full stop slightly worse than −1R)
    const short = closed("short", "100", "105", [["105", "1"]]);
    expect(signalReturn(short)).toBe("-0.05205000");
    expect(rMultiple(short)).toBe("-1.04100000");
  });

  it("prints the exact value through an inexact division", () => {
    // E = 3, X = 4: r = (4/3)(1 − 0.001) − 1 − 0.001 = 1.332 − 1.001 = 0.331, though 4/3 never terminates.
    // R with stop 2: 0.331 / (1/3) = 0.993
    const s = closed("long", "3", "2", [["4", "1"]]);
    expect(signalReturn(s)).toBe("0.33100000");
    expect(rMultiple(s)).toBe("0.99300000");
  });

  it("has no R without an initial stop or with the stop at entry", () => {
    expect(rMultiple(closed("long", "100", null, [["110", "1"]]))).toBeNull();
    expect(rMultiple(closed("long", "100", "100", [["110", "1"]]))).toBeNull();
    expect(rMultiple(closed("long", "100", "100.000", [["110", "1"]]))).toBeNull();
  });

  it("does not depend on the global Decimal configuration", () => {
    const s = closed("long", "3", "2", [["4", "1"]]);
    const saved = { precision: Decimal.precision, rounding: Decimal.rounding };
    Decimal.set({ precision: 3, rounding: Decimal.ROUND_DOWN });
    try {
      expect(signalReturn(s)).toBe("0.33100000");
    } finally {
      Decimal.set(saved);
    }
  });
});

describe("validation", () => {
  it("requires leg shares to sum to exactly 1, in decimal", () => {
    expect(() =>
      signalReturn(closed("long", "100", "95", [["110", "0.5"], ["120", "0.3"], ["130", "0.3"]])),
    ).toThrow(/sum to exactly 1, got 1\.1/);
    expect(() => signalReturn(closed("long", "100", "95", [["110", "0.5"]]))).toThrow(RangeError);
    // 0.7 + 0.2 + 0.1 is 0.9999999999999999 in floats, exactly 1 here.
    // r = 0.7·(−0.05195) + 0.2·0.1978 + 0.1·0.0979 = −0.036365 + 0.03956 + 0.00979 = 0.012985
    expect(signalReturn(closed("long", "100", "95", [["95", "0.7"], ["120", "0.2"], ["110", "0.1"]]))).toBe("0.01298500");
  });

  it("rejects malformed signals", () => {
    const ok = closed("long", "100", "95", [["110", "1"]]);
    expect(() => signalReturn({ ...ok, legs: [] })).toThrow(/at least one leg/);
    expect(() => signalReturn({ ...ok, entryPrice: "abc" })).toThrow(/entryPrice must be a decimal string/);
    expect(() => signalReturn({ ...ok, entryPrice: "0x10" })).toThrow(RangeError);
    expect(() => signalReturn({ ...ok, entryPrice: "Infinity" })).toThrow(RangeError);
    expect(() => signalReturn({ ...ok, entryPrice: "0" })).toThrow(/entryPrice must be positive/);
    expect(() => signalReturn({ ...ok, initialStop: "-1" })).toThrow(/initialStop must be positive/);
    expect(() => signalReturn({ ...ok, side: "flat" as ClosedSignal["side"] })).toThrow(/side/);
    expect(() => signalReturn({ ...ok, openedAt: new Date("nope") })).toThrow(/openedAt must be a valid Date/);
    expect(() => signalReturn({ ...ok, closedAt: t("2025-01-01T09:00:00Z") })).toThrow(/closedAt is before openedAt/);
    expect(() =>
      signalReturn({ ...ok, legs: [{ price: "110", share: "1", at: t("2025-01-01T09:59:59Z") }] }),
    ).toThrow(/between openedAt and closedAt/);
    expect(() =>
      signalReturn({ ...ok, legs: [{ price: "110", share: "-0.5", at: t("2025-01-01T12:00:00Z") }, { price: "110", share: "1.5", at: t("2025-01-01T12:00:00Z") }] }),
    ).toThrow(/share must be positive/);
  });
});

describe("output rounding", () => {
  it("rounds half-up (ties away from zero) to 8 places, never printing -0", () => {
    expect(toOutput(new D("0.123456785"))).toBe("0.12345679");
    expect(toOutput(new D("0.1234567849"))).toBe("0.12345678");
    expect(toOutput(new D("-0.123456785"))).toBe("-0.12345679");
    expect(toOutput(new D("-0.000000004"))).toBe("0.00000000");
    expect(toOutput(new D("2"))).toBe("2.00000000");
    expect(toOutput(new D("123456789.1"))).toBe("123456789.10000000");
  });
});

import { describe, expect, it } from "vitest";
import { equityCurve, windowStart } from "./account";
import { sig, t } from "./test-fixtures";
import type { EquityCurve } from "./types";

/** The points as [iso time, equity] pairs, and the drawdowns likewise, for compact exact assertions. */
function table(curve: EquityCurve) {
  return {
    points: curve.points.map((p) => [p.time.toISOString(), p.equity]),
    daily: curve.daily.map((p) => [p.time.toISOString(), p.equity]),
    drawdown: curve.drawdown.map((p) => [p.time.toISOString(), p.drawdown]),
  };
}

function expectStrictlyAscending(curve: EquityCurve) {
  const times = curve.points.map((p) => p.time.getTime());
  expect(times).toEqual([...new Set(times)].sort((a, b) => a - b));
}

describe("windowStart", () => {
  it("counts whole days back from now; 1y is 365 days; all has none", () => {
    const now = t("2025-06-30T12:00:00Z");
    expect(windowStart("30d", now)).toEqual(t("2025-05-31T12:00:00Z"));
    expect(windowStart("90d", now)).toEqual(t("2025-04-01T12:00:00Z"));
    expect(windowStart("1y", now)).toEqual(t("2024-06-30T12:00:00Z"));
    expect(windowStart("all", now)).toBeNull();
  });
});

describe("equityCurve", () => {
  it("partial close: a point per leg and per UTC day end, drawdown from the running peak", () => {
    // Long E = 50, opened 2025-01-01 09:00 (the account opens then: window "all").
    // Allocation = 10% of 10,000 = 1,000. Leg P&L = 1,000 · share · r_i:
    //   01-01 12:00  0.5 · 0.0979   · 1000 =  48.95  -> 10,048.95
    //   01-02 12:00  0.3 · 0.1978   · 1000 =  59.34  -> 10,108.29 (peak)
    //   01-03 06:00  0.2 · −0.04196 · 1000 =  −8.392 -> 10,099.898
    // Day ends in (start, now = 01-03 18:00]: 01-02 00:00 and 01-03 00:00 carry realized equity forward.
    // Drawdown at the last leg = (10,108.29 − 10,099.898) / 10,108.29 = 8.392 / 10,108.29 = 0.000830211…
    const s = sig("p", "long", "50", "45", "2025-01-01T09:00:00Z", [
      ["55", "0.5", "2025-01-01T12:00:00Z"],
      ["60", "0.3", "2025-01-02T12:00:00Z"],
      ["48", "0.2", "2025-01-03T06:00:00Z"],
    ]);
    const curve = equityCurve([s], { start: null, now: t("2025-01-03T18:00:00Z") });
    expect(curve.start).toEqual(t("2025-01-01T09:00:00Z"));
    expect(table(curve)).toEqual({
      points: [
        ["2025-01-01T09:00:00.000Z", "10000.00000000"],
        ["2025-01-01T12:00:00.000Z", "10048.95000000"],
        ["2025-01-02T00:00:00.000Z", "10048.95000000"],
        ["2025-01-02T12:00:00.000Z", "10108.29000000"],
        ["2025-01-03T00:00:00.000Z", "10108.29000000"],
        ["2025-01-03T06:00:00.000Z", "10099.89800000"],
      ],
      daily: [
        ["2025-01-02T00:00:00.000Z", "10048.95000000"],
        ["2025-01-03T00:00:00.000Z", "10108.29000000"],
      ],
      drawdown: [
        ["2025-01-01T09:00:00.000Z", "0.00000000"],
        ["2025-01-01T12:00:00.000Z", "0.00000000"],
        ["2025-01-02T00:00:00.000Z", "0.00000000"],
        ["2025-01-02T12:00:00.000Z", "0.00000000"],
        ["2025-01-03T00:00:00.000Z", "0.00000000"],
        ["2025-01-03T06:00:00.000Z", "0.00083021"],
      ],
    });
    expect(curve.finalEquity).toBe("10099.89800000");
    expect(curve.maxDrawdown).toBe("0.00083021");
  });

  it("overlapping signals: each is allocated from realized equity at its own open", () => {
    // A long 100 -> 110 (r 0.0979)    01:00-04:00
    // B short 200 -> 180 (r 0.0981)   02:00-06:00  opens while A is open: realized equity 10,000 -> 1,000
    // C long 100 -> 95 (r −0.05195)   05:00-08:00  opens after A closed, while B is open:
    //                                               realized 10,097.9 -> 1,009.79 (B's open P&L is not counted)
    // 04:00 10,000 + 1,000 · 0.0979 = 10,097.9
    // 06:00 10,097.9 + 1,000 · 0.0981 = 10,196 (peak)
    // 08:00 10,196 − 1,009.79 · 0.05195 = 10,196 − 52.4585905 = 10,143.5414095
    // Drawdown = 52.4585905 / 10,196 = 0.0051450167…
    const signals = [
      sig("a", "long", "100", "95", "2025-01-01T01:00:00Z", [["110", "1", "2025-01-01T04:00:00Z"]]),
      sig("b", "short", "200", "210", "2025-01-01T02:00:00Z", [["180", "1", "2025-01-01T06:00:00Z"]]),
      sig("c", "long", "100", "95", "2025-01-01T05:00:00Z", [["95", "1", "2025-01-01T08:00:00Z"]]),
    ];
    const curve = equityCurve(signals, { start: null, now: t("2025-01-02T00:00:00Z") });
    expect(table(curve)).toEqual({
      points: [
        ["2025-01-01T01:00:00.000Z", "10000.00000000"],
        ["2025-01-01T04:00:00.000Z", "10097.90000000"],
        ["2025-01-01T06:00:00.000Z", "10196.00000000"],
        ["2025-01-01T08:00:00.000Z", "10143.54140950"],
        ["2025-01-02T00:00:00.000Z", "10143.54140950"],
      ],
      daily: [["2025-01-02T00:00:00.000Z", "10143.54140950"]],
      drawdown: [
        ["2025-01-01T01:00:00.000Z", "0.00000000"],
        ["2025-01-01T04:00:00.000Z", "0.00000000"],
        ["2025-01-01T06:00:00.000Z", "0.00000000"],
        ["2025-01-01T08:00:00.000Z", "0.00514502"],
        ["2025-01-02T00:00:00.000Z", "0.00514502"],
      ],
    });
    expect(curve.maxDrawdown).toBe("0.00514502");
  });

  it("an allocation at the instant another signal realizes P&L sees only what was realized before", () => {
    // P long 100 -> 110 closes at 04:00 (+1,000 · 0.0979 = 97.9); Q long 100 -> 120 opens at 04:00.
    // Q's allocation is 10% of 10,000 = 1,000 (not of 10,097.9): Q adds 1,000 · 0.1978 = 197.8.
    // Final = 10,000 + 97.9 + 197.8 = 10,295.7
    const signals = [
      sig("q", "long", "100", "95", "2025-01-01T04:00:00Z", [["120", "1", "2025-01-01T05:00:00Z"]]),
      sig("p", "long", "100", "95", "2025-01-01T01:00:00Z", [["110", "1", "2025-01-01T04:00:00Z"]]),
    ];
    const curve = equityCurve(signals, { start: null, now: t("2025-01-01T06:00:00Z") });
    expect(table(curve).points).toEqual([
      ["2025-01-01T01:00:00.000Z", "10000.00000000"],
      ["2025-01-01T04:00:00.000Z", "10097.90000000"],
      ["2025-01-01T05:00:00.000Z", "10295.70000000"],
    ]);
    expect(curve.daily).toEqual([]);
  });

  it("a leg at exactly 00:00 UTC is in that day-end mark, with one point for the instant", () => {
    const s = sig("m", "long", "100", "95", "2025-01-01T10:00:00Z", [["110", "1", "2025-01-02T00:00:00Z"]]);
    const curve = equityCurve([s], { start: null, now: t("2025-01-02T12:00:00Z") });
    expect(table(curve).points).toEqual([
      ["2025-01-01T10:00:00.000Z", "10000.00000000"],
      ["2025-01-02T00:00:00.000Z", "10097.90000000"],
    ]);
    expect(table(curve).daily).toEqual([["2025-01-02T00:00:00.000Z", "10097.90000000"]]);
  });

  it("a window holds signals closed in (start, now]; earlier opens and legs take effect at the start", () => {
    // 30d window ending 2025-06-30 12:00 starts 2025-05-31 12:00.
    // S opened 05-20 (before the start), half closed 05-25 (before the start), rest 06-10: it closed inside.
    // Allocation = 10% of the opening 10,000 = 1,000.
    // Leg 1 (X/E 1.1, r 0.0979) is realized at the start: 1,000 · 0.5 · 0.0979 = 48.95 -> 10,048.95
    // Leg 2 (X/E 1.2, r 0.1978) on 06-10 12:00:          1,000 · 0.5 · 0.1978 = 98.9  -> 10,147.85
    // O closed 05-31 12:00, exactly at the start: not in the window. F closes after now: not in the window.
    const now = t("2025-06-30T12:00:00Z");
    const signals = [
      sig("s", "long", "100", "90", "2025-05-20T12:00:00Z", [
        ["110", "0.5", "2025-05-25T12:00:00Z"],
        ["120", "0.5", "2025-06-10T12:00:00Z"],
      ]),
      sig("o", "long", "100", "90", "2025-05-31T00:00:00Z", [["50", "1", "2025-05-31T12:00:00Z"]]),
      sig("f", "long", "100", "90", "2025-06-30T00:00:00Z", [["50", "1", "2025-06-30T12:00:00.001Z"]]),
    ];
    const curve = equityCurve(signals, { start: windowStart("30d", now), now });
    expectStrictlyAscending(curve);
    expect(curve.start).toEqual(t("2025-05-31T12:00:00Z"));
    expect(curve.points[0]).toEqual({ time: t("2025-05-31T12:00:00Z"), equity: "10048.95000000" });
    expect(curve.daily).toHaveLength(30); // 06-01 … 06-30 00:00
    expect(curve.daily[0]).toEqual({ time: t("2025-06-01T00:00:00Z"), equity: "10048.95000000" });
    expect(curve.daily[9]).toEqual({ time: t("2025-06-10T00:00:00Z"), equity: "10048.95000000" });
    expect(curve.daily[10]).toEqual({ time: t("2025-06-11T00:00:00Z"), equity: "10147.85000000" });
    expect(curve.points).toContainEqual({ time: t("2025-06-10T12:00:00Z"), equity: "10147.85000000" });
    expect(curve.points).toHaveLength(32); // the opening mark, 30 day ends, one leg inside the window
    expect(curve.finalEquity).toBe("10147.85000000");
    expect(curve.maxDrawdown).toBe("0.00000000");
  });

  it("a first loss is a drawdown from the initial equity", () => {
    // Long 100 -> 95: −1,000 · 0.05195 = −51.95 -> 9,948.05; drawdown 51.95 / 10,000 = 0.005195
    const s = sig("l", "long", "100", "95", "2025-01-01T10:00:00Z", [["95", "1", "2025-01-01T11:00:00Z"]]);
    const curve = equityCurve([s], { start: null, now: t("2025-01-01T12:00:00Z") });
    expect(table(curve).drawdown).toEqual([
      ["2025-01-01T10:00:00.000Z", "0.00000000"],
      ["2025-01-01T11:00:00.000Z", "0.00519500"],
    ]);
    expect(curve.finalEquity).toBe("9948.05000000");
  });

  it("the peak starts at the initial equity even when the first point already holds a loss", () => {
    // 30d window from 05-31 12:00; S opened 05-20 lost half at 95 on 05-25 (realized at the start):
    // 1,000 · 0.5 · (−0.05195) = −25.975 -> the opening point is 9,974.025, drawdown 25.975 / 10,000 = 0.0025975.
    // The rest exits at 110 on 06-10: + 1,000 · 0.5 · 0.0979 = 48.95 -> 10,022.975.
    const now = t("2025-06-30T12:00:00Z");
    const s = sig("s", "long", "100", "90", "2025-05-20T12:00:00Z", [
      ["95", "0.5", "2025-05-25T12:00:00Z"],
      ["110", "0.5", "2025-06-10T12:00:00Z"],
    ]);
    const curve = equityCurve([s], { start: windowStart("30d", now), now });
    expect(curve.points[0]).toEqual({ time: t("2025-05-31T12:00:00Z"), equity: "9974.02500000" });
    expect(curve.drawdown[0]).toEqual({ time: t("2025-05-31T12:00:00Z"), drawdown: "0.00259750" });
    expect(curve.maxDrawdown).toBe("0.00259750");
    expect(curve.finalEquity).toBe("10022.97500000");
  });

  it("an empty account is flat at 10,000", () => {
    const now = t("2025-01-03T12:00:00Z");
    expect(equityCurve([], { start: null, now })).toEqual({
      start: now,
      points: [{ time: now, equity: "10000.00000000" }],
      daily: [],
      drawdown: [{ time: now, drawdown: "0.00000000" }],
      finalEquity: "10000.00000000",
      maxDrawdown: "0.00000000",
    });
    const windowed = equityCurve([], { start: t("2025-01-01T12:00:00Z"), now });
    expect(table(windowed).daily).toEqual([
      ["2025-01-02T00:00:00.000Z", "10000.00000000"],
      ["2025-01-03T00:00:00.000Z", "10000.00000000"],
    ]);
  });

  it("rejects a start after now and invalid dates", () => {
    expect(() => equityCurve([], { start: t("2025-01-02T00:00:00Z"), now: t("2025-01-01T00:00:00Z") })).toThrow(RangeError);
    expect(() => equityCurve([], { start: null, now: new Date(Number.NaN) })).toThrow(/now must be a valid Date/);
  });

  it("throws when the account is wiped out rather than producing meaningless ratios", () => {
    // Short 100 -> 1,200: r = −11 − 0.001 − 0.012 = −11.013; P&L = 1,000 · −11.013 = −11,013 -> −1,013
    const s = sig("x", "short", "100", null, "2025-01-01T10:00:00Z", [["1200", "1", "2025-01-01T11:00:00Z"]]);
    expect(() => equityCurve([s], { start: null, now: t("2025-01-02T00:00:00Z") })).toThrow(/equity fell to -1013/);
  });
});

/**
 * The chart's compact wire form: what the browser rebuilds is the server's chart data to the cent and to a
 * thousandth of a percent, and it is a fraction of the size of one object per point.
 */
import { describe, expect, it } from "vitest";
import type { EquityChartData } from "./chart-data";
import { fromChartWire, toChartWire } from "./chart-wire";

const DAY = 86_400;
const day0 = 20_460 * DAY;

/** A year of days (one missing), with unrounded values as the stats library produces them, and 240 closes. */
function aYear(): EquityChartData {
  const days = Array.from({ length: 366 }, (_, i) => i).filter((i) => i !== 200);
  return {
    equity: days.map((i) => ({ time: day0 + i * DAY, value: 10_000 + 1_000 * Math.sin(i / 17) + 0.123456789 })),
    drawdown: days.map((i) => ({ time: day0 + i * DAY, value: i % 5 ? -Math.abs(3.3 * Math.cos(i / 11)) - 0.0004321 : 0 })),
    markers: Array.from({ length: 240 }, (_, k) => ({ time: day0 + days[Math.floor(k * 1.5)]! * DAY, number: k + 1, win: k % 3 !== 0 })),
  };
}

describe("chart wire form", () => {
  it("round-trips days, markers and wins exactly, and values to what the chart shows", () => {
    const data = aYear();
    const back = fromChartWire(JSON.parse(JSON.stringify(toChartWire(data))));
    expect(back.equity.map((p) => p.time)).toEqual(data.equity.map((p) => p.time));
    expect(back.drawdown.map((p) => p.time)).toEqual(data.drawdown.map((p) => p.time));
    back.equity.forEach((p, i) => expect(Math.abs(p.value - data.equity[i]!.value)).toBeLessThanOrEqual(0.005 + 1e-9));
    back.drawdown.forEach((p, i) => expect(Math.abs(p.value - data.drawdown[i]!.value)).toBeLessThanOrEqual(0.0005 + 1e-9));
    expect(back.markers).toEqual(data.markers);
  });

  it("rounds equity to the cent and drawdown to 0.001%, with no -0", () => {
    const wire = toChartWire({
      equity: [
        { time: day0, value: 10_037.97194345 },
        { time: day0 + DAY, value: 9_999.995 },
      ],
      drawdown: [
        { time: day0, value: -2.13456 },
        { time: day0 + DAY, value: -0.0000001 },
      ],
      markers: [],
    });
    expect(wire).toEqual({ day0: day0 / DAY, days: [0, 1], equity: [10_037.97, 10_000], drawdown: [-2.135, 0], markers: { days: [], numbers: [], wins: [] } });
    expect(JSON.stringify(wire)).not.toContain("-0,");
  });

  it("is under a third of the size of one object per point", () => {
    const data = aYear();
    expect(JSON.stringify(toChartWire(data)).length).toBeLessThan(JSON.stringify(data).length / 3);
  });

  it("an empty chart stays empty", () => {
    expect(fromChartWire(toChartWire({ equity: [], drawdown: [], markers: [] }))).toEqual({ equity: [], drawdown: [], markers: [] });
  });
});

/**
 * The profile chart's data (buildChartData): day-end equity labelled with the day that ended, the worst drawdown
 * reached in each day, one marker per close on the first charted day at or after it, and the month table. Pinned
 * here because the function moved from decimal.js to plain numbers (it runs on every profile request).
 */
import { describe, expect, it } from "vitest";
import { buildChartData } from "./chart-data";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const JAN = (d: number, h = 0) => new Date(Date.UTC(2026, 0, d) + h * HOUR);
const sec = (d: Date) => d.getTime() / 1000;

const curve = {
  // Day-end marks at 00:00 close the day before.
  equity: [
    { time: JAN(11), value: "9800" },
    { time: JAN(12), value: "9900" },
    { time: JAN(13), value: "10100" },
  ],
  drawdown: [
    { time: JAN(10, 12), value: "0" },
    { time: JAN(10, 18), value: "0.02" },
    { time: JAN(11, 6), value: "0.01" },
    { time: JAN(12), value: "0" },
  ],
  finalEquity: "10100",
  maxDrawdown: "0.02",
};
const closes = [
  { number: 1, closedAt: JAN(10, 20), resultPct: "0.01" },
  // A day without a day-end mark (Jan 13) snaps to the next charted day.
  { number: 2, closedAt: JAN(13, 5), resultPct: "-0.005" },
  // Before the first day-end: the first charted day. A zero result is not a win.
  { number: 3, closedAt: JAN(9, 3), resultPct: "0" },
];

describe("buildChartData", () => {
  const { chart, months } = buildChartData(curve, closes, JAN(14, 15));

  it("labels each day-end with the day that ended, starts at $10,000 the day before, and ends today", () => {
    expect(chart.equity).toEqual([
      { time: sec(JAN(9)), value: 10_000 },
      { time: sec(JAN(10)), value: 9800 },
      { time: sec(JAN(11)), value: 9900 },
      { time: sec(JAN(12)), value: 10_100 },
      { time: sec(JAN(14)), value: 10_100 },
    ]);
  });

  it("gives each day the worst drawdown reached in it, carried over from the previous day's last level", () => {
    expect(chart.drawdown.map((p) => p.time)).toEqual(chart.equity.map((p) => p.time));
    expect(chart.drawdown.map((p) => p.value)).toEqual([0, -2, -2, 0, 0]);
    expect(chart.drawdown.every((p) => !Object.is(p.value, -0))).toBe(true);
  });

  it("marks each close on the first charted day at or after it, wins only above zero, in time order", () => {
    expect(chart.markers).toEqual([
      { time: sec(JAN(9)), number: 3, win: false },
      { time: sec(JAN(10)), number: 1, win: true },
      { time: sec(JAN(14)), number: 2, win: false },
    ]);
    expect(chart.equity.every((p, i) => i === 0 || p.time - chart.equity[i - 1]!.time >= DAY / 1000)).toBe(true);
  });

  it("summarises the months for the screen-reader table", () => {
    expect(months).toEqual([
      {
        month: "January 2026",
        equity: "$10,100.00",
        change: { text: "+1.00%", tone: "gain" },
        worstDrawdown: { text: "-2.00%", tone: "loss" },
        closed: 3,
        wins: 1,
      },
    ]);
  });
});

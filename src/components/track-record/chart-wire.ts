/**
 * The equity chart's data as the server sends it to the browser: columns of rounded numbers instead of one object
 * per point. A year of day-end points and a few hundred close markers as `{ time, value }` objects were most of the
 * profile page's RSC payload (~45 KB); as columns they are a fifth of that. Values are rounded to what the chart
 * shows (cents, thousandths of a percent), nothing finer. Pure, with no dependencies, so the client chart can
 * import it without pulling decimal.js into the browser bundle.
 */
import type { ChartMarker, ChartPoint, EquityChartData } from "./chart-data";

const DAY_SEC = 86_400;

export interface ChartWire {
  /** The first charted day, in days since 1970-01-01 (UTC). */
  day0: number;
  /** Each charted day as days after `day0`; equity[i] and drawdown[i] belong to days[i]. */
  days: number[];
  /** Standard-account equity in dollars, to the cent. */
  equity: number[];
  /** Worst drawdown of the day as a negative percentage, to a thousandth of a percent. */
  drawdown: number[];
  /** One marker per closed signal: its day (after `day0`), its number, and 1 for a win or 0 for a loss. */
  markers: { days: number[]; numbers: number[]; wins: number[] };
}

const round = (v: number, dp: number) => {
  const f = 10 ** dp;
  // `+ 0` turns a rounded -0 into 0, so JSON says 0 rather than -0 for a flat day.
  return Math.round(v * f) / f + 0;
};

const dayNumber = (timeSec: number) => Math.round(timeSec / DAY_SEC);

export function toChartWire(data: EquityChartData): ChartWire {
  const day0 = data.equity.length ? dayNumber(data.equity[0]!.time) : data.markers.length ? dayNumber(data.markers[0]!.time) : 0;
  const drawdownByDay = new Map(data.drawdown.map((p) => [dayNumber(p.time), p.value]));
  return {
    day0,
    days: data.equity.map((p) => dayNumber(p.time) - day0),
    equity: data.equity.map((p) => round(p.value, 2)),
    drawdown: data.equity.map((p) => round(drawdownByDay.get(dayNumber(p.time)) ?? 0, 3)),
    markers: {
      days: data.markers.map((m) => dayNumber(m.time) - day0),
      numbers: data.markers.map((m) => m.number),
      wins: data.markers.map((m) => (m.win ? 1 : 0)),
    },
  };
}

export function fromChartWire(wire: ChartWire): EquityChartData {
  const time = (offset: number) => (wire.day0 + offset) * DAY_SEC;
  const equity: ChartPoint[] = wire.days.map((d, i) => ({ time: time(d), value: wire.equity[i]! }));
  const drawdown: ChartPoint[] = wire.days.map((d, i) => ({ time: time(d), value: wire.drawdown[i]! }));
  const markers: ChartMarker[] = wire.markers.days.map((d, i) => ({ time: time(d), number: wire.markers.numbers[i]!, win: wire.markers.wins[i] === 1 }));
  return { equity, drawdown, markers };
}

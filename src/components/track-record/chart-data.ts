/**
 * Shapes a track record's equity curve for the profile chart: one point per UTC day, labelled with the day whose
 * close it is, the worst drawdown reached during each day, and one marker per closed signal on the day it closed.
 * The figures themselves come from src/lib/stats (via the trackRecord procedure); this only regroups them for
 * display, so Number() is fine here: nothing computed from these values is stored or compared.
 */
import Decimal from "decimal.js";
import { formatMonthYear } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import { INITIAL_EQUITY } from "@/lib/stats/constants";
import { drawdown as formatDrawdown, percent, utcDate, type Figure } from "./format";

const DAY_MS = 86_400_000;

export interface TrackRecordCurve {
  equity: { time: Date; value: string }[];
  drawdown: { time: Date; value: string }[];
  finalEquity: string;
  maxDrawdown: string;
}

export interface ClosedMark {
  number: number;
  closedAt: Date;
  resultPct: string;
}

/** `time` is UTC seconds at 00:00 of the day the value belongs to (lightweight-charts' UTCTimestamp). */
export interface ChartPoint {
  time: number;
  value: number;
}

export interface ChartMarker {
  time: number;
  number: number;
  win: boolean;
  /** Signal return as a percentage, for the marker's label. */
  resultPct: number;
}

export interface EquityChartData {
  equity: ChartPoint[];
  /** Worst drawdown reached during each day, as a negative percentage (-3.2 = 3.2% below the running peak). */
  drawdown: ChartPoint[];
  markers: ChartMarker[];
}

export interface MonthRow {
  month: string;
  equity: string;
  change: Figure;
  worstDrawdown: Figure;
  closed: number;
  wins: number;
}

const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
/** The day a curve instant belongs to: a day-end mark at 00:00 closes the day before it. */
const dayOf = (ms: number) => (ms % DAY_MS === 0 ? ms - DAY_MS : dayStart(ms));
const usd = (v: Decimal) => `$${v.toDecimalPlaces(2).toNumber().toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function buildChartData(curve: TrackRecordCurve, closes: ClosedMark[], now: Date = new Date()): { chart: EquityChartData; months: MonthRow[] } {
  // Day-end equity, labelled with the day that ended; then today's realized equity so far.
  const equity = new Map<number, Decimal>();
  const start = curve.drawdown[0]?.time.getTime();
  if (start !== undefined) equity.set(dayStart(start) - DAY_MS, new Decimal(INITIAL_EQUITY));
  for (const p of curve.equity) equity.set(dayOf(p.time.getTime()), new Decimal(p.value));
  const today = dayStart(now.getTime());
  const lastDay = Math.max(...equity.keys());
  if (today > lastDay) equity.set(today, new Decimal(curve.finalEquity));

  const days = [...equity.keys()].sort((a, b) => a - b);

  // Equity only moves at curve points, so the worst drawdown of a day is the larger of the level carried in from
  // the previous day's last point and every point inside the day.
  const pointsByDay = new Map<number, Decimal[]>();
  for (const p of curve.drawdown) {
    const day = dayOf(p.time.getTime());
    const list = pointsByDay.get(day) ?? [];
    list.push(new Decimal(p.value));
    pointsByDay.set(day, list);
  }
  const worst = new Map<number, Decimal>();
  let carried = new Decimal(0);
  for (const d of days) {
    const pts = pointsByDay.get(d) ?? [];
    worst.set(d, Decimal.max(carried, ...pts));
    if (pts.length) carried = pts[pts.length - 1]!;
  }
  const snap = (ms: number) => {
    const day = dayOf(ms);
    // First charted day at or after the close (closes before the first day-end belong to the first day).
    let lo = 0;
    let hi = days.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (days[mid]! >= day) hi = mid;
      else lo = mid + 1;
    }
    return days[lo]!;
  };

  const chart: EquityChartData = {
    equity: days.map((d) => ({ time: d / 1000, value: equity.get(d)!.toNumber() })),
    drawdown: days.map((d) => ({ time: d / 1000, value: -(worst.get(d) ?? new Decimal(0)).times(100).toNumber() })),
    markers: closes
      .map((c) => ({ time: snap(c.closedAt.getTime()) / 1000, number: c.number, win: new Decimal(c.resultPct).greaterThan(0), resultPct: new Decimal(c.resultPct).times(100).toNumber() }))
      .sort((a, b) => a.time - b.time || a.number - b.number),
  };

  // Month-by-month key points, for the table that stands in for the chart for screen-reader users.
  const months: MonthRow[] = [];
  let prevEnd = new Decimal(INITIAL_EQUITY);
  const byMonth = new Map<string, { last: number; worst: Decimal; closed: number; wins: number }>();
  const monthKey = (ms: number) => {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
  };
  for (const d of days) {
    const k = monthKey(d);
    const m = byMonth.get(k) ?? { last: d, worst: new Decimal(0), closed: 0, wins: 0 };
    m.last = d;
    const dd = worst.get(d);
    if (dd && dd.greaterThan(m.worst)) m.worst = dd;
    byMonth.set(k, m);
  }
  for (const c of closes) {
    const m = byMonth.get(monthKey(snap(c.closedAt.getTime())));
    if (!m) continue;
    m.closed += 1;
    if (new Decimal(c.resultPct).greaterThan(0)) m.wins += 1;
  }
  for (const [, m] of [...byMonth.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const end = equity.get(m.last)!;
    months.push({
      month: formatMonthYear(new Date(m.last)),
      equity: usd(end),
      change: percent(end.dividedBy(prevEnd).minus(1).toString()),
      worstDrawdown: formatDrawdown(m.worst.toString()),
      closed: m.closed,
      wins: m.wins,
    });
    prevEnd = end;
  }
  return { chart, months };
}

/** One sentence for the chart's accessible name. */
export function describeCurve(curve: TrackRecordCurve, closes: ClosedMark[], now: Date = new Date()): string {
  const start = curve.drawdown[0]?.time ?? now;
  const final = new Decimal(curve.finalEquity);
  const roi = percent(final.dividedBy(INITIAL_EQUITY).minus(1).toString());
  const wins = closes.filter((c) => new Decimal(c.resultPct).greaterThan(0)).length;
  return (
    `Equity of the standard $${formatCount(new Decimal(INITIAL_EQUITY).toNumber())} account from ${utcDate(start)} to ${utcDate(now)}: ` +
    `${usd(final)} (${roi.text}), maximum drawdown ${formatDrawdown(curve.maxDrawdown).text.replace("-", "")}. ` +
    `Markers show ${closes.length} closed signals: ${wins} wins and ${closes.length - wins} losses.`
  );
}

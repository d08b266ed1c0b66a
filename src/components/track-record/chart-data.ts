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
const dollars = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** A decimal string of dollars, rounded to the cent in decimal (the table reads as money, so no float rounding). */
const usd = (v: string) => `$${dollars.format(new Decimal(v).toDecimalPlaces(2).toNumber())}`;

/**
 * Plain numbers throughout: this runs on every profile request, and a year of points through decimal.js cost ~4 ms
 * of a 2-core server's time per request; the values are only drawn and shown to the cent or 0.01%.
 */
export function buildChartData(curve: TrackRecordCurve, closes: ClosedMark[], now: Date = new Date()): { chart: EquityChartData; months: MonthRow[] } {
  // Day-end equity, labelled with the day that ended; then today's realized equity so far.
  // The figures as given (decimal strings), for the month table; plain numbers for the chart.
  const equityText = new Map<number, string>();
  const start = curve.drawdown[0]?.time.getTime();
  if (start !== undefined) equityText.set(dayStart(start) - DAY_MS, INITIAL_EQUITY);
  for (const p of curve.equity) equityText.set(dayOf(p.time.getTime()), p.value);
  const today = dayStart(now.getTime());
  const lastDay = Math.max(...equityText.keys());
  if (today > lastDay) equityText.set(today, curve.finalEquity);
  const equity = new Map([...equityText].map(([d, v]) => [d, Number(v)]));

  const days = [...equity.keys()].sort((a, b) => a - b);

  // Equity only moves at curve points, so the worst drawdown of a day is the larger of the level carried in from
  // the previous day's last point and every point inside the day.
  const pointsByDay = new Map<number, number[]>();
  for (const p of curve.drawdown) {
    const day = dayOf(p.time.getTime());
    const list = pointsByDay.get(day) ?? [];
    list.push(Number(p.value));
    pointsByDay.set(day, list);
  }
  const worst = new Map<number, number>();
  let carried = 0;
  for (const d of days) {
    const pts = pointsByDay.get(d) ?? [];
    worst.set(d, Math.max(carried, ...pts));
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
  const won = (c: ClosedMark) => Number(c.resultPct) > 0;

  const chart: EquityChartData = {
    equity: days.map((d) => ({ time: d / 1000, value: equity.get(d)! })),
    // `+ 0` keeps a flat day at 0 rather than -0.
    drawdown: days.map((d) => ({ time: d / 1000, value: -(worst.get(d) ?? 0) * 100 + 0 })),
    markers: closes
      .map((c) => ({ time: snap(c.closedAt.getTime()) / 1000, number: c.number, win: won(c) }))
      .sort((a, b) => a.time - b.time || a.number - b.number),
  };

  // Month-by-month key points, for the table that stands in for the chart for screen-reader users.
  const months: MonthRow[] = [];
  let prevEnd = new Decimal(INITIAL_EQUITY);
  const byMonth = new Map<string, { last: number; worst: number; closed: number; wins: number }>();
  const monthKey = (ms: number) => {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
  };
  for (const d of days) {
    const k = monthKey(d);
    const m = byMonth.get(k) ?? { last: d, worst: 0, closed: 0, wins: 0 };
    m.last = d;
    const dd = worst.get(d);
    if (dd !== undefined && dd > m.worst) m.worst = dd;
    byMonth.set(k, m);
  }
  for (const c of closes) {
    const m = byMonth.get(monthKey(snap(c.closedAt.getTime())));
    if (!m) continue;
    m.closed += 1;
    if (won(c)) m.wins += 1;
  }
  for (const [, m] of [...byMonth.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const end = new Decimal(equityText.get(m.last)!);
    months.push({
      month: formatMonthYear(new Date(m.last)),
      equity: usd(end.toString()),
      change: percent(end.dividedBy(prevEnd).minus(1).toString()),
      worstDrawdown: formatDrawdown(String(m.worst)),
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
    `${usd(curve.finalEquity)} (${roi.text}), maximum drawdown ${formatDrawdown(curve.maxDrawdown).text.replace("-", "")}. ` +
    `Markers show ${closes.length} closed signals: ${wins} wins and ${closes.length - wins} losses.`
  );
}

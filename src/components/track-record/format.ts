/**
 * Display formatting for track-record figures. Inputs are the decimal strings the stats library and the signals
 * table produce (fractions, not percentages); formatting goes through decimal.js so a figure is never rounded twice
 * or through a float. Pure: used by server pages and client components alike.
 */
import type Decimal from "decimal.js";
import { parseDecimal } from "@/lib/format/decimal";
import { formatDate, formatUtcDateTime } from "@/lib/format/dates";


export type Tone = "gain" | "loss" | "flat";

export const toneClass: Record<Tone, string> = {
  gain: "text-gain",
  loss: "text-loss",
  flat: "text-slate-900",
};

function groupThousands(fixed: string): string {
  const [int = "", frac] = fixed.split(".");
  const sign = int.startsWith("-") ? "-" : "";
  const digits = sign ? int.slice(1) : int;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${frac}`;
}

function toneOf(d: Decimal): Tone {
  return d.isZero() ? "flat" : d.isPositive() ? "gain" : "loss";
}

export interface Figure {
  text: string;
  tone: Tone;
}

const NONE: Figure = { text: "—", tone: "flat" };

/**
 * A fraction as a percentage: "0.01205724" -> "+1.21%". `signed: false` for magnitudes (win rate, drawdown).
 * The tone follows the rounded value, so "+0.00%" never shows in green.
 */
export function percent(v: string | null | undefined, { signed = true, dp = 2 }: { signed?: boolean; dp?: number } = {}): Figure {
  const d = parseDecimal(v);
  if (!d) return NONE;
  const pct = d.times(100).toDecimalPlaces(dp);
  const abs = groupThousands(pct.abs().toFixed(dp));
  if (!signed) return { text: `${abs}%`, tone: "flat" };
  if (pct.isZero()) return { text: `${abs}%`, tone: "flat" };
  return { text: `${pct.isNegative() ? "-" : "+"}${abs}%`, tone: toneOf(pct) };
}

/** Drawdown is a fall: shown as a negative percentage in the loss colour once it is not zero. */
export function drawdown(v: string | null | undefined): Figure {
  const d = parseDecimal(v);
  if (!d) return NONE;
  const pct = d.times(100).toDecimalPlaces(2);
  return pct.isZero() ? { text: "0.00%", tone: "flat" } : { text: `-${pct.abs().toFixed(2)}%`, tone: "loss" };
}

/** Ratios such as Sharpe, Sortino and profit factor, to 2 decimals, signed by tone but without a "+" sign. */
export function ratio(v: string | null | undefined, { toned = true }: { toned?: boolean } = {}): Figure {
  const d = parseDecimal(v);
  if (!d) return NONE;
  const r = d.toDecimalPlaces(2);
  return { text: groupThousands(r.toFixed(2)), tone: toned ? toneOf(r) : "flat" };
}

/** An R multiple: "+1.25R". */
export function rMultiple(v: string | null | undefined): Figure {
  const d = parseDecimal(v);
  if (!d) return NONE;
  const r = d.toDecimalPlaces(2);
  if (r.isZero()) return { text: "0.00R", tone: "flat" };
  return { text: `${r.isNegative() ? "-" : "+"}${r.abs().toFixed(2)}R`, tone: toneOf(r) };
}

/** An instrument price as stored, grouped, with at least 2 and at most 8 decimals and no float rounding. */
export function price(v: string | null | undefined): string {
  const d = parseDecimal(v);
  if (!d) return "—";
  const dp = Math.min(8, Math.max(2, d.decimalPlaces()));
  return groupThousands(d.toDecimalPlaces(dp).toFixed(dp));
}

/** Average holding time in hours ("36.5") as "1.5 days" or "6.2 hours". */
export function holdTime(hours: string | null | undefined): string {
  const d = parseDecimal(hours);
  if (!d) return "—";
  if (d.lessThan(48)) return `${d.toDecimalPlaces(1).toFixed(1)} h`;
  return `${d.dividedBy(24).toDecimalPlaces(1).toFixed(1)} days`;
}

/** First characters of a sha256 hex digest, enough to compare by eye. */
export function hashPrefix(hash: string, length = 10): string {
  return hash.slice(0, length);
}

/** Times are shown in UTC (the unit the track record is computed in), labelled so. */
export function utcDateTime(d: Date | string): string {
  return formatUtcDateTime(new Date(d));
}

/** Compact and unambiguous for tables: "2026-11-13 10:00" (UTC). */
export function utcStamp(d: Date | string): string {
  return new Date(d).toISOString().slice(0, 16).replace("T", " ");
}

export function utcDate(d: Date | string): string {
  return formatDate(new Date(d));
}

/** "3 h ago", "2 days ago": coarse on purpose, it is re-rendered on every refresh. */
export function timeAgo(d: Date | string, now: Date = new Date()): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(d).getTime()) / 1000));
  if (s < 60) return "just now";
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  const days = Math.floor(h / 24);
  return `${days} days ago`;
}

/** Whole days between two instants (for the track record's age). */
export function daysBetween(from: Date | string, to: Date = new Date()): number {
  return Math.floor((to.getTime() - new Date(from).getTime()) / 86_400_000);
}

export const WINDOW_LABEL = { "30d": "30 days", "90d": "90 days", "1y": "1 year", all: "All time" } as const;
export type StatsWindowKey = keyof typeof WINDOW_LABEL;
export const WINDOW_KEYS = ["30d", "90d", "1y", "all"] as const satisfies readonly StatsWindowKey[];

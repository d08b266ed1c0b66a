/**
 * Figures for digest emails, formatted once on the server and passed to the templates as strings: decimal strings
 * from the database (numeric columns, sums) go through decimal.js, never a JS float.
 */
import type Decimal from "decimal.js";
import { DisplayDecimal, parseDecimal } from "@/lib/format/decimal";

const D = DisplayDecimal;

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** A fraction as a signed percentage: "0.01205" -> "+1.21%"; null -> "—". */
export function signedPercent(v: string | null | undefined, dp = 2): string {
  const d = parseDecimal(v);
  if (!d) return "—";
  const pct = d.times(100).toDecimalPlaces(dp);
  const [int = "0", frac] = pct.abs().toFixed(dp).split(".");
  const abs = frac === undefined ? group(int) : `${group(int)}.${frac}`;
  return pct.isZero() ? `${abs}%` : `${pct.isNegative() ? "-" : "+"}${abs}%`;
}

/** A fraction as an unsigned percentage (a win rate): "0.625" -> "62.5%" at dp 1. */
export function plainPercent(v: string | null | undefined, dp = 1): string {
  const d = parseDecimal(v);
  if (!d) return "—";
  return `${d.times(100).toDecimalPlaces(dp).toFixed(dp)}%`;
}

/** A money amount in a decimal string (account currency units) as "+$12.34" / "-$0.50" / "$0.00". */
export function signedAmount(v: string | null | undefined, symbol = "$"): string {
  const d = parseDecimal(v) ?? new D(0);
  const r = d.toDecimalPlaces(2);
  const [int = "0", frac = "00"] = r.abs().toFixed(2).split(".");
  const body = `${symbol}${group(int)}.${frac}`;
  return r.isZero() ? body : `${r.isNegative() ? "-" : "+"}${body}`;
}

/** wins / closed as a fraction string for `plainPercent`, or null when nothing closed. */
export function ratioString(wins: number, closed: number): string | null {
  if (closed <= 0) return null;
  return new D(wins).div(closed).toString();
}

/** The compounded return of a list of per-signal returns (fractions): prod(1 + r) - 1, as a decimal string. */
export function compoundReturn(returns: readonly (string | null)[]): string | null {
  const rs = returns.map(parseDecimal).filter((d): d is Decimal => d !== null);
  if (rs.length === 0) return null;
  return rs.reduce((acc, r) => acc.times(r.plus(1)), new D(1)).minus(1).toString();
}

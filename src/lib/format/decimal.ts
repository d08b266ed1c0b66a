/**
 * Decimal strings from the database (numeric columns, sums, figures) read for display: one decimal.js clone with
 * its own precision and rounding (a Decimal.set elsewhere cannot change how figures are rounded), and one lenient
 * parse that answers null for a missing or malformed value instead of throwing. Never a JS float. Pure.
 */
import Decimal from "decimal.js";

/** The display clone: 40 significant digits, half-up rounding. */
export const DisplayDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** The value as a decimal, or null when it is missing, empty, not a number or not finite. */
export function parseDecimal(v: string | null | undefined): Decimal | null {
  if (v === null || v === undefined || v === "") return null;
  try {
    const d = new DisplayDecimal(v);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/**
 * Input and output plumbing for the track-record module: one private Decimal constructor, strict parsing of
 * decimal strings and dates, and the single output-rounding rule. Nothing here knows about signals.
 */
import Decimal from "decimal.js";

/**
 * A private clone so results never depend on a `Decimal.set()` made elsewhere in the app.
 * 40 significant digits for every intermediate result (divisions and square roots are the only inexact
 * operations); half-up rounding. Output is rounded once, to 8 decimal places, by {@link toOutput}.
 */
export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -50, toExpPos: 50 });

/** Decimal places of every numeric string this module returns. */
export const OUTPUT_DECIMAL_PLACES = 8;

// Plain decimal notation with an optional exponent. decimal.js alone would also take "0x1f", "Infinity", "NaN".
const DECIMAL_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseDecimal(value: unknown, what: string): Decimal {
  if (typeof value !== "string" || !DECIMAL_STRING.test(value)) {
    throw new RangeError(`${what} must be a decimal string, got ${JSON.stringify(value)}`);
  }
  return new D(value);
}

/** Milliseconds of a valid Date; anything else (including an Invalid Date) throws. */
export function parseTime(value: unknown, what: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new RangeError(`${what} must be a valid Date`);
  return value.getTime();
}

/**
 * The output edge: round half-up (ties away from zero) to 8 decimal places and print in fixed notation with
 * all 8 places ("0.10000000"). A value that rounds to zero prints as "0.00000000", never "-0.00000000".
 */
export function toOutput(value: Decimal): string {
  const rounded = value.toDecimalPlaces(OUTPUT_DECIMAL_PLACES, D.ROUND_HALF_UP);
  return (rounded.isZero() ? new D(0) : rounded).toFixed(OUTPUT_DECIMAL_PLACES);
}

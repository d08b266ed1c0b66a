/**
 * Display helpers for signal numbers. Prices and shares arrive as decimal strings and stay strings: we pad to the
 * market's precision but never round, re-parse as floats, or group digits, so what a provider reads is exactly
 * what was recorded (and what they can paste back into a form).
 */
import Decimal from "decimal.js";

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Decimals in a decimal string ("6123.4" → 1). */
export function decimalsOf(value: string): number {
  const dot = value.indexOf(".");
  return dot < 0 ? 0 : value.length - dot - 1;
}

/** A price as recorded, padded with zeros to `precision` decimals when it has fewer; never rounded. */
export function formatPrice(value: string | null | undefined, precision?: number): string {
  if (value == null || value === "") return "—";
  if (!DECIMAL.test(value) || precision == null) return value;
  const have = decimalsOf(value);
  if (have >= precision) return value;
  return `${value}${have === 0 ? "." : ""}${"0".repeat(precision - have)}`;
}

/** A fraction of the position ("0.5") as a percentage ("50%"). */
export function formatShare(fraction: string | null | undefined): string {
  if (fraction == null || !DECIMAL.test(fraction)) return "—";
  return `${new Decimal(fraction).times(100).toDecimalPlaces(2).toString()}%`;
}

/** A return stored as a fraction ("0.0123") as a signed percentage ("+1.23%"). */
export function formatReturn(fraction: string | null | undefined): string {
  if (fraction == null || !DECIMAL.test(fraction)) return "—";
  const pct = new Decimal(fraction).times(100).toDecimalPlaces(2);
  return `${pct.gt(0) ? "+" : pct.lt(0) ? "−" : ""}${pct.abs().toFixed(2)}%`;
}

/** An R multiple ("1.5") as "+1.50R". */
export function formatR(value: string | Decimal | null | undefined): string {
  if (value == null) return "—";
  const d = typeof value === "string" ? (DECIMAL.test(value) ? new Decimal(value) : null) : value;
  if (!d) return "—";
  const r = d.toDecimalPlaces(2);
  return `${r.gt(0) ? "+" : r.lt(0) ? "−" : ""}${r.abs().toFixed(2)}R`;
}

/** Tone of a signed result, for colouring. */
export function resultTone(fraction: string | null | undefined): "up" | "down" | "flat" {
  if (fraction == null || !DECIMAL.test(fraction)) return "flat";
  const d = new Decimal(fraction);
  return d.gt(0) ? "up" : d.lt(0) ? "down" : "flat";
}

/**
 * A percentage typed by a person ("50", "33.33") as the fraction string the API takes ("0.5", "0.3333");
 * null when it is not a number in (0, 100] with at most two decimals.
 */
export function percentToShare(percent: string): string | null {
  const v = percent.trim().replace(/%$/, "").trim();
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(v)) return null;
  const d = new Decimal(v);
  if (d.lte(0) || d.gt(100)) return null;
  return d.div(100).toString();
}

/** A fraction ("0.5") as the percentage a person types ("50"). */
export function shareToPercent(fraction: string): string {
  return new Decimal(fraction).times(100).toDecimalPlaces(2).toString();
}

/** True when `value` is a positive decimal the API will accept as a price. */
export function isPrice(value: string): boolean {
  return /^\d{1,12}(\.\d{1,12})?$/.test(value.trim()) && new Decimal(value.trim()).gt(0);
}

const SOURCE_LABEL: Record<string, string> = { ui: "Web", api: "API", tradingview: "TradingView", demo: "Demo", strategy: "Automated strategy" };
export function sourceLabel(source: string): string {
  return SOURCE_LABEL[source] ?? source;
}

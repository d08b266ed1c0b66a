/** Money is integer cents; formatting happens only at the edge. */
export function formatCents(cents: number, currency = "USD"): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError("cents must be a safe integer");
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toLocaleString("en-US");
  const frac = String(abs % 100).padStart(2, "0");
  const symbol = currency === "USD" ? "$" : `${currency} `;
  return `${sign}${symbol}${whole}.${frac}`;
}

export const PLATFORM_FEE_PERCENT = 30;

/** `percent` % of an amount in cents, rounded half-up to a whole cent. */
export function percentOfCents(amountCents: number, percent: number): number {
  if (!Number.isSafeInteger(amountCents) || amountCents < 0) throw new RangeError("amount must be a non-negative integer of cents");
  return Math.floor((amountCents * percent + 50) / 100);
}

/** 70/30 split of a charge in cents; the platform's share is rounded half-up, the provider gets the rest. */
export function splitRevenue(amountCents: number): { platformCents: number; providerCents: number } {
  const platformCents = percentOfCents(amountCents, PLATFORM_FEE_PERCENT);
  return { platformCents, providerCents: amountCents - platformCents };
}

export type ParsedDollars = { ok: true; cents: number } | { ok: false; message: string };

/**
 * A dollar amount typed by a person ("5", "5.5", "$1,250.00") as integer cents, read digit by digit so no float
 * ever holds the amount. At most two decimal places; grouping commas only between groups of three.
 */
export function parseDollars(input: string): ParsedDollars {
  const s = input.trim().replace(/^\$\s*/, "");
  if (!s) return { ok: false, message: "Enter an amount in dollars" };
  if (s.startsWith("-")) return { ok: false, message: "The amount can't be negative" };
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/.exec(s);
  if (!m || (!m[1] && !m[2])) return { ok: false, message: "Enter an amount like 5 or 4.99" };
  const frac = m[2] ?? "";
  if (frac.length > 2) return { ok: false, message: "Use at most two decimal places (cents)" };
  const whole = (m[1] ?? "0").replaceAll(",", "").replace(/^0+(?=\d)/, "");
  if (whole.length > 13) return { ok: false, message: "That amount is too large" };
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  return { ok: true, cents };
}

/** Integer cents as the plain decimal string a price input shows ("5.00"), without grouping or symbol. */
export function centsToInput(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError("cents must be a non-negative safe integer");
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

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

/** 70/30 split of a charge in cents; the platform's share is rounded half-up, the provider gets the rest. */
export function splitRevenue(amountCents: number): { platformCents: number; providerCents: number } {
  if (!Number.isSafeInteger(amountCents) || amountCents < 0) throw new RangeError("amount must be a non-negative integer of cents");
  const platformCents = Math.floor((amountCents * PLATFORM_FEE_PERCENT + 50) / 100);
  return { platformCents, providerCents: amountCents - platformCents };
}

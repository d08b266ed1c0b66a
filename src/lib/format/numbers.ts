/**
 * Counts, shares and dollar figures as the app prints them (en-US grouping). Pure, for server and client alike.
 * Money held as integer cents is printed by `formatCents` in src/lib/money.ts; these are for display-only numbers
 * (a chart's equity in dollars, a churn rate).
 */

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const usdCents = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });

/** 12345 → "12,345" */
export const formatCount = (n: number): string => n.toLocaleString("en-US");

/** 0.1234 → "12.3%" (a ratio, at most one decimal) */
export const formatRatio = (ratio: number): string => percent.format(ratio);

/** 10234.5 → "$10,235" (whole dollars) */
export const formatUsd = (dollars: number): string => usd.format(dollars);

/** 10234.5 → "$10,234.50" */
export const formatUsdCents = (dollars: number): string => usdCents.format(dollars);

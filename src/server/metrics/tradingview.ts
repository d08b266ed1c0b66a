/**
 * The outcome label of `tradsy_tradingview_alerts_total`: what became of one TradingView delivery, from its answer.
 */
import "server-only";
import { countTradingviewAlert } from "./registry";

export const ALERT_OUTCOMES = ["accepted", "duplicate", "stale", "rejected", "unauthorised", "unknown_url", "rate_limited", "too_large", "in_flight", "error"] as const;
export type AlertMetricOutcome = (typeof ALERT_OUTCOMES)[number];

/**
 * 2xx: accepted (opened, closed, cancelled, reversed), or duplicate when it repeats a delivery already answered;
 * 401: the passphrase is wrong; 404: no such webhook URL; 429: over the token's budget; 413: too large; 503: a repeat
 * of one still in flight; other 4xx: refused (bad message, unknown symbol, a risk rule), stale when the service
 * says so; other 5xx: failed.
 */
export function alertOutcomeOf(status: number, answer?: { body?: Record<string, unknown>; outcome?: "stale" }): AlertMetricOutcome {
  if (answer?.outcome === "stale") return "stale";
  if (answer?.body?.duplicate === true) return "duplicate";
  if (status < 300) return "accepted";
  if (status === 401) return "unauthorised";
  if (status === 404) return "unknown_url";
  if (status === 413) return "too_large";
  if (status === 429) return "rate_limited";
  if (status === 503) return "in_flight";
  if (status < 500) return "rejected";
  return "error";
}

export function countAlert(status: number, answer?: { body?: Record<string, unknown>; outcome?: "stale" }): void {
  countTradingviewAlert(alertOutcomeOf(status, answer));
}

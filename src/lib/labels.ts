/**
 * The words the app shows for stored values — a subscription's, a signal's or an email's status, how a signal ended,
 * an account's role, a market — one wording per value, used by every page, component and email that names one.
 * Tones are the badge colours (`Badge` in src/components/ui) a status is drawn in. Pure data: server and client alike.
 *
 * The keys mirror the database enums (src/server/db/schema); src/server/db/labels.test.ts checks they still do.
 */
import type { JobRunStatusName } from "@/lib/job-runs";
import type { MARKET_OPTIONS } from "@/lib/validation/providers";

export type Tone = "green" | "brand" | "amber" | "slate" | "red";

export type Market = (typeof MARKET_OPTIONS)[number];
export const MARKET_LABEL: Record<Market, string> = {
  crypto: "Crypto",
  forex: "Forex",
  stocks: "Stocks",
  futures: "Futures",
  commodities: "Commodities",
};
/** A market's name; an unknown value (an old row) is shown as stored. */
export function marketLabel(market: string): string {
  return MARKET_LABEL[market as Market] ?? market;
}

export type SubscriptionStatusName = "incomplete" | "trialing" | "active" | "past_due" | "paused" | "canceled";
/** How a subscription's state reads to the trader, the provider and the billing stand-in alike. */
export const SUBSCRIPTION_STATUS: Record<SubscriptionStatusName, { label: string; tone: Tone }> = {
  incomplete: { label: "Incomplete", tone: "amber" },
  trialing: { label: "Trial", tone: "brand" },
  active: { label: "Active", tone: "green" },
  past_due: { label: "Payment due", tone: "amber" },
  paused: { label: "Paused", tone: "slate" },
  canceled: { label: "Ended", tone: "slate" },
};

export type SignalStatusName = "pending" | "open" | "closed" | "cancelled" | "expired";
export const SIGNAL_STATUS: Record<SignalStatusName, { label: string; tone: Tone }> = {
  pending: { label: "Pending fill", tone: "amber" },
  open: { label: "Open", tone: "brand" },
  closed: { label: "Closed", tone: "slate" },
  cancelled: { label: "Cancelled", tone: "slate" },
  expired: { label: "Expired", tone: "slate" },
};

export type EmailStatusName = "queued" | "sent" | "failed" | "suppressed" | "held";
/** An outbox email's state, as the admin's outbox shows it. */
export const EMAIL_STATUS: Record<EmailStatusName, { label: string; tone: Tone }> = {
  queued: { label: "Queued", tone: "amber" },
  sent: { label: "Sent", tone: "green" },
  failed: { label: "Failed", tone: "red" },
  suppressed: { label: "Not sent (suppressed)", tone: "slate" },
  held: { label: "Held after restore", tone: "amber" },
};

/** A run of the embedded job runner, as the admin's jobs page shows it (src/server/db/schema/jobs.ts says what each means). */
export const JOB_RUN_STATUS: Record<JobRunStatusName, { label: string; tone: Tone }> = {
  queued: { label: "Queued", tone: "slate" },
  running: { label: "Running", tone: "brand" },
  sleeping: { label: "Sleeping", tone: "slate" },
  retrying: { label: "Retrying", tone: "amber" },
  completed: { label: "Completed", tone: "green" },
  failed: { label: "Failed", tone: "red" },
  cancelled: { label: "Cancelled", tone: "slate" },
  held: { label: "Held after restore", tone: "amber" },
};

export type UserRoleName = "subscriber" | "provider" | "admin";
/** An account's role as people read it ("subscriber" is a trader to them). */
export const USER_ROLE: Record<UserRoleName, { label: string; tone: Tone }> = {
  subscriber: { label: "Trader", tone: "slate" },
  provider: { label: "Provider", tone: "brand" },
  admin: { label: "Admin", tone: "amber" },
};

/** How a finished signal ended (signals.exit_reason). */
export const EXIT_REASON_LABEL: Record<string, string> = {
  stop: "Stopped out",
  target: "Target hit",
  manual: "Closed by provider",
  cancelled: "Cancelled",
  expired: "Expired unfilled",
};
/** An exit reason's words; null when there is none (the signal is still live), an unknown one as stored, spaced. */
export function exitReasonLabel(reason: string | null | undefined): string | null {
  if (!reason) return null;
  return EXIT_REASON_LABEL[reason] ?? reason.replace(/_/g, " ");
}

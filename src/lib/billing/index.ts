/**
 * Billing rules that need no I/O: prices, the Stripe-to-Tradsy subscription state mapping, entitlement by state and
 * time, and the ledger split. Services and tests share them; money is integer cents throughout.
 */
import { PLATFORM_FEE_PERCENT, percentOfCents } from "@/lib/money";

export { PLATFORM_FEE_PERCENT };
export const DEFAULT_PRICE_CENTS = 300;
export const MIN_PRICE_CENTS = 100;
export const MAX_PRICE_CENTS = 100_000;
export const MAX_TRIAL_DAYS = 30;
/** Signals a user without any subscription may copy on paper before being asked to subscribe. */
export const FREE_PAPER_COPIES = 4;
/** A past-due subscription keeps access this long after the first failed payment, while Stripe retries. */
export const DEFAULT_GRACE_DAYS = 7;

export type BillingStatus = "incomplete" | "trialing" | "active" | "past_due" | "paused" | "canceled";

/** Stripe's subscription status (plus paused collection) as ours. Unknown states grant nothing. */
export function fromStripeStatus(status: string, pauseCollection: unknown): BillingStatus {
  if (status === "canceled" || status === "incomplete_expired") return "canceled";
  if (status === "paused") return "paused";
  if (pauseCollection && (status === "active" || status === "trialing" || status === "past_due")) return "paused";
  if (status === "active" || status === "trialing" || status === "past_due") return status;
  // `unpaid`: Stripe gave up retrying but kept the subscription; access follows the past-due grace rule.
  if (status === "unpaid") return "past_due";
  return "incomplete";
}

export interface EntitlementState {
  status: BillingStatus;
  pastDueSince: Date | null;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: Date | null;
}

/**
 * Whether a subscription grants access now. Trialing and active do (until a period that was set to cancel has
 * ended, in case Stripe's deletion event is late); past_due does for the grace period; anything else does not.
 */
export function isEntitled(s: EntitlementState, now: Date, graceDays = DEFAULT_GRACE_DAYS): boolean {
  if (s.status === "trialing" || s.status === "active") {
    return !(s.cancelAtPeriodEnd && s.currentPeriodEnd && s.currentPeriodEnd.getTime() <= now.getTime());
  }
  if (s.status === "past_due") {
    return s.pastDueSince !== null && now.getTime() - s.pastDueSince.getTime() < graceDays * 86_400_000;
  }
  return false;
}

/** The ledger line for a paid invoice: the platform's part is the fee Stripe reports; the provider gets the rest. */
export function ledgerSplit(amountCents: number, feeCents: number): { platformFeeCents: number; providerShareCents: number } {
  if (!Number.isSafeInteger(amountCents) || amountCents < 0) throw new RangeError("amount must be a non-negative integer of cents");
  if (!Number.isSafeInteger(feeCents) || feeCents < 0 || feeCents > amountCents) throw new RangeError("fee must be an integer of cents between 0 and the amount");
  return { platformFeeCents: feeCents, providerShareCents: amountCents - feeCents };
}

/** Stripe's application fee for `application_fee_percent` on an amount (what the embedded stand-in charges). */
export function applicationFee(amountCents: number, percent = PLATFORM_FEE_PERCENT): number {
  return percentOfCents(amountCents, percent);
}

/** Monthly churn: subscriptions that ended in the window over those live at its start (0 when none were). */
export function churnRate(liveAtStart: number, endedInWindow: number): number {
  return liveAtStart > 0 ? endedInWindow / liveAtStart : 0;
}

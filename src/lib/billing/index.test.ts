/**
 * The pure billing rules: the 70/30 ledger split in exact cents, Stripe's status mapping, entitlement by state and
 * time (grace-period boundaries) and churn. Expected values are written out by hand, not recomputed.
 */
import { describe, expect, it } from "vitest";
import { priceSchema } from "@/lib/validation/billing";
import { applicationFee, churnRate, DEFAULT_GRACE_DAYS, FREE_PAPER_COPIES, fromStripeStatus, isEntitled, ledgerSplit, PLATFORM_FEE_PERCENT, type EntitlementState } from "./index";

const DAY = 86_400_000;

describe("applicationFee (Stripe's application_fee_percent, what the embedded stand-in charges)", () => {
  it("is 30% of the amount in whole cents", () => {
    expect(PLATFORM_FEE_PERCENT).toBe(30);
    expect(applicationFee(300)).toBe(90);
    expect(applicationFee(500)).toBe(150);
    expect(applicationFee(1500)).toBe(450);
    expect(applicationFee(100_000)).toBe(30_000);
    expect(applicationFee(0)).toBe(0);
  });

  it("rounds half-cents to the nearest cent, never returning a fraction", () => {
    expect(applicationFee(999)).toBe(300); // 299.7
    expect(applicationFee(101)).toBe(30); // 30.3
    expect(applicationFee(105)).toBe(32); // 31.5
    expect(applicationFee(1)).toBe(0); // 0.3
    for (let cents = 100; cents <= 2000; cents++) expect(Number.isInteger(applicationFee(cents)), String(cents)).toBe(true);
  });

  it("takes another percentage when asked", () => {
    expect(applicationFee(1000, 20)).toBe(200);
  });

  it("refuses amounts that are not whole, non-negative cents", () => {
    expect(() => applicationFee(2.5)).toThrow(RangeError);
    expect(() => applicationFee(-100)).toThrow(RangeError);
    expect(() => applicationFee(Number.NaN)).toThrow(RangeError);
  });
});

describe("ledgerSplit", () => {
  it("gives the platform the fee Stripe reports and the provider the rest", () => {
    expect(ledgerSplit(300, 90)).toEqual({ platformFeeCents: 90, providerShareCents: 210 });
    expect(ledgerSplit(500, 150)).toEqual({ platformFeeCents: 150, providerShareCents: 350 });
    expect(ledgerSplit(1500, 450)).toEqual({ platformFeeCents: 450, providerShareCents: 1050 });
    // $9.99: whatever Stripe rounded to, the provider gets exactly amount - fee.
    expect(ledgerSplit(999, 300)).toEqual({ platformFeeCents: 300, providerShareCents: 699 });
    expect(ledgerSplit(999, 299)).toEqual({ platformFeeCents: 299, providerShareCents: 700 });
    expect(ledgerSplit(0, 0)).toEqual({ platformFeeCents: 0, providerShareCents: 0 });
  });

  it("sums to the amount exactly over a month of invoices at several prices", () => {
    const month = [300, 300, 300, 500, 500, 999, 999, 999, 999, 1500];
    const lines = month.map((amount) => ledgerSplit(amount, applicationFee(amount)));
    expect(lines.reduce((s, l) => s + l.platformFeeCents, 0)).toBe(90 * 3 + 150 * 2 + 300 * 4 + 450);
    expect(lines.reduce((s, l) => s + l.providerShareCents, 0)).toBe(210 * 3 + 350 * 2 + 699 * 4 + 1050);
    expect(lines.reduce((s, l) => s + l.platformFeeCents + l.providerShareCents, 0)).toBe(7396);
  });

  it("refuses fractions, negatives and a fee larger than the amount", () => {
    expect(() => ledgerSplit(299.5, 90)).toThrow(RangeError);
    expect(() => ledgerSplit(300, 89.9)).toThrow(RangeError);
    expect(() => ledgerSplit(-300, 0)).toThrow(RangeError);
    expect(() => ledgerSplit(300, -1)).toThrow(RangeError);
    expect(() => ledgerSplit(300, 301)).toThrow(RangeError);
  });
});

describe("fromStripeStatus", () => {
  it.each([
    ["active", null, "active"],
    ["trialing", null, "trialing"],
    ["past_due", null, "past_due"],
    // Stripe gave up retrying but kept the subscription: the past-due grace rule decides.
    ["unpaid", null, "past_due"],
    ["canceled", null, "canceled"],
    ["incomplete_expired", null, "canceled"],
    ["incomplete", null, "incomplete"],
    ["paused", null, "paused"],
    ["active", { behavior: "void", resumes_at: null }, "paused"],
    ["trialing", { behavior: "keep_as_draft", resumes_at: null }, "paused"],
    ["past_due", { behavior: "mark_uncollectible", resumes_at: null }, "paused"],
    // A pause on something that already ended does not bring it back.
    ["canceled", { behavior: "void", resumes_at: null }, "canceled"],
    ["some_future_state", null, "incomplete"],
  ] as const)("%s (pause_collection %j) is %s", (status, pause, expected) => {
    expect(fromStripeStatus(status, pause)).toBe(expected);
  });
});

describe("isEntitled", () => {
  const now = new Date("2026-11-21T12:00:00Z");
  const state = (s: Partial<EntitlementState>): EntitlementState => ({ status: "active", pastDueSince: null, cancelAtPeriodEnd: false, currentPeriodEnd: null, ...s });

  it("grants trialing and active, and nothing to paused, incomplete or canceled", () => {
    expect(isEntitled(state({ status: "active" }), now)).toBe(true);
    expect(isEntitled(state({ status: "trialing" }), now)).toBe(true);
    expect(isEntitled(state({ status: "paused" }), now)).toBe(false);
    expect(isEntitled(state({ status: "incomplete" }), now)).toBe(false);
    expect(isEntitled(state({ status: "canceled", currentPeriodEnd: new Date(now.getTime() + 10 * DAY) }), now)).toBe(false);
  });

  it("keeps a subscription set to cancel until its period ends, and not at or after the end", () => {
    const ending = (end: number) => state({ cancelAtPeriodEnd: true, currentPeriodEnd: new Date(end) });
    expect(isEntitled(ending(now.getTime() + 1), now)).toBe(true);
    expect(isEntitled(ending(now.getTime()), now)).toBe(false);
    expect(isEntitled(ending(now.getTime() - DAY), now)).toBe(false);
    // Not set to cancel: a passed period end (a late renewal event) does not end access.
    expect(isEntitled(state({ currentPeriodEnd: new Date(now.getTime() - DAY) }), now)).toBe(true);
  });

  it("keeps past_due for the grace period from the first failure, to the millisecond", () => {
    expect(DEFAULT_GRACE_DAYS).toBe(7);
    const pastDue = (sinceMsAgo: number) => state({ status: "past_due", pastDueSince: new Date(now.getTime() - sinceMsAgo) });
    expect(isEntitled(pastDue(0), now)).toBe(true);
    expect(isEntitled(pastDue(6 * DAY), now)).toBe(true);
    expect(isEntitled(pastDue(7 * DAY - 1), now)).toBe(true);
    expect(isEntitled(pastDue(7 * DAY), now)).toBe(false);
    expect(isEntitled(pastDue(8 * DAY), now)).toBe(false);
    expect(isEntitled(state({ status: "past_due", pastDueSince: null }), now)).toBe(false);
  });

  it("takes the grace length as configured", () => {
    const since3 = state({ status: "past_due", pastDueSince: new Date(now.getTime() - 3 * DAY) });
    expect(isEntitled(since3, now, 2)).toBe(false);
    expect(isEntitled(since3, now, 4)).toBe(true);
    expect(isEntitled(state({ status: "past_due", pastDueSince: now }), now, 0)).toBe(false);
  });
});

describe("churnRate", () => {
  it("is ended over live at the start of the window, 0 when none were live", () => {
    expect(churnRate(10, 1)).toBe(0.1);
    expect(churnRate(4, 0)).toBe(0);
    expect(churnRate(3, 3)).toBe(1);
    expect(churnRate(0, 0)).toBe(0);
    expect(churnRate(0, 2)).toBe(0);
  });
});

describe("priceSchema", () => {
  const issues = (v: unknown) => {
    const r = priceSchema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };

  it("accepts whole cents from $1.00 to $1,000.00 a month and trials of 0 to 30 days", () => {
    for (const ok of [{ priceCents: 100, trialDays: 0 }, { priceCents: 999, trialDays: 30 }, { priceCents: 100_000, trialDays: 7 }]) expect(issues(ok)).toEqual([]);
  });

  it("says what is wrong, in words", () => {
    expect(issues({ priceCents: 99, trialDays: 0 })).toEqual(["The minimum price is $1.00 a month"]);
    expect(issues({ priceCents: 100_001, trialDays: 0 })).toEqual(["The maximum price is $1,000.00 a month"]);
    expect(issues({ priceCents: 150.5, trialDays: 0 })).toEqual(["Use whole cents"]);
    expect(issues({ priceCents: 500, trialDays: 31 })).toEqual(["Trials are at most 30 days"]);
    expect(issues({ priceCents: 500, trialDays: -1 })).toEqual(["A trial cannot be negative"]);
    expect(issues({ priceCents: 500, trialDays: 1.5 })).toEqual(["Use whole days"]);
    expect(issues({ trialDays: 0 })).toEqual(["Enter a monthly price"]);
  });

  it("offers four free paper copies", () => {
    expect(FREE_PAPER_COPIES).toBe(4);
  });
});

/**
 * The embedded Stripe stand-in's form actions (and the admin test clock) are mutations reachable by anyone who
 * can post to the app: each must take the owner from the session, refuse everyone else without changing anything,
 * validate its input, and redirect only to same-origin paths.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { signedIn } from "@/test/factories";
import { payableProvider, providerRow, subscriptionOf, useEmbeddedStripe } from "@/test/stripe";
import { newProvider } from "@/test/signals";
import { db } from "@/server/db";
import { appSettings, users } from "@/server/db/schema";
import type { PaymentsGateway } from "@/server/integrations/stripe";
import { setPaymentsGateway } from "@/server/services/billing/gateway";
import { resetRateLimits } from "@/server/rate-limit";
import { useEnvOverrides } from "@/test/env";
import type { SessionUser } from "@/server/api/trpc";

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/server/auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/auth")>()),
  auth: async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 3_600_000).toISOString() } : null),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
// The actions read the request (its id and address) as Next.js would give it to them.
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-forwarded-for": "203.0.113.7" }) }));

const { completeOnboardingAction, payCheckoutAction, portalAction } = await import("./actions");
const { advanceClockAction } = await import("@/app/admin/revenue/actions");

useTestDatabase();
const setEnv = useEnvOverrides();
const stripe = useEmbeddedStripe();
beforeEach(() => {
  resetRateLimits();
  session.user = null;
});

const NOT_YOURS = "This page isn't available to your account. Sign in as the account it belongs to.";
const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};
/** Where a server action redirected to (Next's redirect() throws), or null when it returned. */
async function redirectOf<T>(p: Promise<T>): Promise<{ to: string } | { state: T }> {
  try {
    return { state: await p };
  } catch (err) {
    const digest = (err as { digest?: string }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT")) return { to: digest.split(";")[2]! };
    throw err;
  }
}

const subOf = async (subscriberId: string, providerId: string) => (await subscriptionOf(subscriberId, providerId))[0];

async function onboardingWorld() {
  const p = await newProvider();
  await p.caller.billing.startOnboarding();
  const accountId = (await providerRow(p.provider.id)).stripeAccountId!;
  return { ...p, accountId };
}

/** A trader with an open Checkout session for a payable provider. */
async function checkoutWorld() {
  const p = await payableProvider({ priceCents: 500 });
  const t = await signedIn("subscriber");
  const { url } = await t.caller.billing.checkout({ providerId: p.provider.id });
  return { provider: p, trader: t, sessionId: url.split("/").pop()! };
}

async function paidWorld() {
  const w = await checkoutWorld();
  await stripe.gateway.completeCheckout(w.sessionId, "succeeds");
  const sub = (await subOf(w.trader.user.id, w.provider.provider.id))!;
  return { ...w, sub, customerId: sub.stripeCustomerId!, stripeSubId: sub.stripeSubscriptionId! };
}

describe("completeOnboardingAction", () => {
  it("completes the signed-in provider's own account and returns to a same-origin path", async () => {
    const w = await onboardingWorld();
    session.user = w.user;
    const out = await redirectOf(completeOnboardingAction({}, form({ accountId: w.accountId, businessName: "Acme Signals", returnUrl: "/revenue?onboarding=return" })));
    expect(out).toEqual({ to: "/revenue?onboarding=return" });
    expect(await providerRow(w.provider.id)).toMatchObject({ chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true });
  });

  it("never redirects to another origin", async () => {
    const w = await onboardingWorld();
    session.user = w.user;
    for (const returnUrl of ["https://evil.example/revenue", "//evil.example", "/\\evil.example"]) {
      const out = await redirectOf(completeOnboardingAction({}, form({ accountId: w.accountId, businessName: "Acme Signals", returnUrl })));
      expect(out).toEqual({ to: "/revenue?onboarding=return" });
    }
  });

  it("refuses another provider's account, a trader and a signed-out caller, and changes nothing", async () => {
    const w = await onboardingWorld();
    const other = await newProvider();
    const trader = await signedIn("subscriber");
    for (const user of [other.user, trader.user]) {
      session.user = user;
      expect(await completeOnboardingAction({}, form({ accountId: w.accountId, businessName: "Taken Over" }))).toEqual({ message: NOT_YOURS });
    }
    session.user = null;
    expect((await completeOnboardingAction({}, form({ accountId: w.accountId, businessName: "Taken Over" }))).message).toMatch(/Sign in again/);
    expect(await providerRow(w.provider.id)).toMatchObject({ chargesEnabled: false, payoutsEnabled: false });
    expect((await stripe.gateway.retrieveAccount(w.accountId)).charges_enabled).toBe(false);
  });

  it("validates the business name and an unknown account reads as not yours", async () => {
    const w = await onboardingWorld();
    session.user = w.user;
    const blank = await completeOnboardingAction({}, form({ accountId: w.accountId, businessName: " " }));
    expect(blank.fieldErrors?.businessName?.[0]).toMatch(/Enter the name/);
    expect(blank.values).toEqual({ businessName: " " });
    expect(await completeOnboardingAction({}, form({ accountId: "acct_nope", businessName: "Acme" }))).toEqual({ message: NOT_YOURS });
  });
});

describe("payCheckoutAction", () => {
  it("pays the signed-in trader's own session with the good card and goes to the welcome page", async () => {
    const w = await checkoutWorld();
    session.user = w.trader.user;
    const out = await redirectOf(payCheckoutAction({}, form({ sessionId: w.sessionId, card: "succeeds" })));
    expect(out).toEqual({ to: `/subscriptions/welcome?session_id=${w.sessionId}` });
    expect((await subOf(w.trader.user.id, w.provider.provider.id))?.status).toBe("active");
  });

  it("shows a decline and leaves the session open", async () => {
    const w = await checkoutWorld();
    session.user = w.trader.user;
    expect(await payCheckoutAction({}, form({ sessionId: w.sessionId, card: "declines" }))).toEqual({ message: "Your card was declined. Try the test card that succeeds." });
    expect((await stripe.gateway.checkoutDetails(w.sessionId)).status).toBe("open");
    expect(await subOf(w.trader.user.id, w.provider.provider.id)).toBeUndefined();
  });

  it("refuses anyone but the session's subscriber, and a card it doesn't know", async () => {
    const w = await checkoutWorld();
    const other = await signedIn("subscriber");
    for (const user of [other.user, w.provider.user]) {
      session.user = user;
      expect(await payCheckoutAction({}, form({ sessionId: w.sessionId, card: "succeeds" }))).toEqual({ message: NOT_YOURS });
    }
    session.user = w.trader.user;
    expect((await payCheckoutAction({}, form({ sessionId: w.sessionId, card: "amex" }))).fieldErrors?.card).toEqual(["Choose a test card"]);
    expect((await stripe.gateway.checkoutDetails(w.sessionId)).status).toBe("open");
  });
});

describe("portalAction", () => {
  it("lets the customer cancel at period end and undo it", async () => {
    const w = await paidWorld();
    session.user = w.trader.user;
    const base = { customerId: w.customerId, subscriptionId: w.stripeSubId };
    expect((await portalAction({}, form({ ...base, intent: "cancel" }))).done).toMatch(/end at the close/);
    expect((await subOf(w.trader.user.id, w.provider.provider.id))?.cancelAtPeriodEnd).toBe(true);
    expect((await portalAction({}, form({ ...base, intent: "keep" }))).done).toMatch(/renew as usual/);
    expect((await subOf(w.trader.user.id, w.provider.provider.id))?.cancelAtPeriodEnd).toBe(false);
  });

  it("refuses another user's customer, and another customer's subscription under one's own customer", async () => {
    const a = await paidWorld();
    const b = await paidWorld();
    session.user = b.trader.user;
    expect(await portalAction({}, form({ intent: "cancel", customerId: a.customerId, subscriptionId: a.stripeSubId }))).toEqual({ message: NOT_YOURS });
    expect(await portalAction({}, form({ intent: "cancel", customerId: b.customerId, subscriptionId: a.stripeSubId }))).toEqual({ message: NOT_YOURS });
    expect(await portalAction({}, form({ intent: "fail-next", customerId: a.customerId, fails: "on" }))).toEqual({ message: NOT_YOURS });
    expect((await subOf(a.trader.user.id, a.provider.provider.id))?.cancelAtPeriodEnd).toBe(false);
  });

  it("refuses requests it doesn't understand", async () => {
    const w = await paidWorld();
    session.user = w.trader.user;
    expect((await portalAction({}, form({ intent: "refund", customerId: w.customerId }))).message).toMatch(/wasn't understood/);
    expect((await portalAction({}, form({ intent: "fail-next", customerId: w.customerId, fails: "maybe" }))).message).toMatch(/wasn't understood/);
  });
});

describe("advanceClockAction", () => {
  const clockOffset = async () => (await db.select().from(appSettings).where(eq(appSettings.key, "embedded_stripe_clock_offset_ms")))[0]?.value ?? 0;

  it("is for admins only", async () => {
    for (const role of ["subscriber", "provider"] as const) {
      session.user = (await signedIn(role)).user;
      expect(await advanceClockAction({}, form({ days: "31" }))).toEqual({ message: "Admins only." });
    }
    session.user = null;
    expect(await advanceClockAction({}, form({ days: "31" }))).toEqual({ message: "Admins only." });
    expect(await clockOffset()).toBe(0);
  });

  it("in production, refuses an admin without two-factor sign-in, as the rest of the admin area does", async () => {
    const admin = await signedIn("admin");
    session.user = admin.user;
    setEnv("NODE_ENV", "production");
    setEnv("APP_URL", "https://signals.example.com");
    expect(await advanceClockAction({}, form({ days: "7" }))).toEqual({ message: "Turn on two-factor sign-in to use the admin area" });
    expect(await clockOffset()).toBe(0);
    // With it on, the clock moves.
    await db.update(users).set({ totpEnabledAt: new Date() }).where(eq(users.id, admin.user.id));
    expect((await advanceClockAction({}, form({ days: "7" }))).done).toMatch(/^Advanced 7 days/);
    // A role taken away since the session was read counts at once.
    await db.update(users).set({ role: "subscriber" }).where(eq(users.id, admin.user.id));
    expect(await advanceClockAction({}, form({ days: "7" }))).toEqual({ message: "Admins only." });
    expect(await clockOffset()).toBe(7 * 86_400_000);
  });

  it("advances by the chosen step and refuses any other", async () => {
    session.user = (await signedIn("admin")).user;
    expect((await advanceClockAction({}, form({ days: "400" }))).message).toBe("Choose 1, 7 or 31 days");
    expect(await clockOffset()).toBe(0);
    expect((await advanceClockAction({}, form({ days: "7" }))).done).toMatch(/^Advanced 7 days/);
    expect(await clockOffset()).toBe(7 * 86_400_000);
  });
});

describe("with real Stripe configured", () => {
  it("every action refuses to run", async () => {
    const w = await onboardingWorld();
    session.user = w.user;
    setPaymentsGateway({ mode: "stripe" } as PaymentsGateway);
    try {
      expect((await completeOnboardingAction({}, form({ accountId: w.accountId, businessName: "Acme" }))).message).toMatch(/Test mode is off/);
      expect((await payCheckoutAction({}, form({ sessionId: "cs_x", card: "succeeds" }))).message).toMatch(/Test mode is off/);
      expect((await portalAction({}, form({ intent: "fail-next", customerId: "cus_x", fails: "on" }))).message).toMatch(/Test mode is off/);
      session.user = (await signedIn("admin")).user;
      expect((await advanceClockAction({}, form({ days: "1" }))).message).toMatch(/only exists in test mode/);
    } finally {
      setPaymentsGateway(stripe.gateway);
    }
  });
});

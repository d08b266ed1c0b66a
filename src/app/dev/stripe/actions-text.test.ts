/**
 * The embedded Stripe stand-in's form actions with a control character in a field (issue 9, defect 3): the form
 * names the field, as everywhere else, instead of the action throwing when PostgreSQL meets a NUL in an id.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { signedIn } from "@/test/factories";
import { useTestDatabase } from "@/test/db";
import { changedTables, tableCounts } from "@/test/tables";
import { payableProvider, subscriptionOf, useEmbeddedStripe } from "@/test/stripe";
import { newProvider } from "@/test/signals";
import { resetRateLimits } from "@/server/rate-limit";
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

useTestDatabase();
const stripe = useEmbeddedStripe();
beforeEach(async () => {
  await resetRateLimits();
  session.user = null;
});

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

describe("a control character in a stand-in form", () => {
  it("is refused with the field named, by every action, and nothing changes", async () => {
    const provider = await newProvider();
    await provider.caller.billing.startOnboarding();
    const p = await payableProvider({ priceCents: 500 });
    const trader = await signedIn("subscriber");
    const { url } = await trader.caller.billing.checkout({ providerId: p.provider.id });
    const sessionId = url.split("/").pop()!;
    await stripe.gateway.completeCheckout(sessionId, "succeeds");
    const customerId = (await subscriptionOf(trader.user.id, p.provider.id))[0]!.stripeCustomerId!;
    const before = await tableCounts();

    session.user = provider.user;
    expect(await completeOnboardingAction({}, form({ accountId: "acct_\u0000", businessName: "Fine Name" }))).toMatchObject({ message: expect.stringMatching(/^Account id contains a control character \(U\+0000\)/) });
    expect(await completeOnboardingAction({}, form({ accountId: "acct_x", businessName: "Bad\u0007Name" }))).toMatchObject({ fieldErrors: { businessName: [expect.stringMatching(/control character \(U\+0007\)/)] } });
    session.user = trader.user;
    expect(await payCheckoutAction({}, form({ sessionId: `${sessionId}\u0000`, card: "succeeds" }))).toMatchObject({ message: expect.stringMatching(/^Session id contains a control character/) });
    expect(await portalAction({}, form({ intent: "fail-next", customerId: `${customerId}\u0000`, fails: "on" }))).toMatchObject({ message: expect.stringMatching(/^Customer id contains a control character/) });
    expect(changedTables(before, await tableCounts())).toEqual({});
  });
});

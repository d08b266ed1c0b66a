/** Billing emails go out once, with the webhook change that caused them, to the right people. */
import { beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { signedIn } from "@/test/factories";
import { payableProvider, useEmbeddedStripe } from "@/test/stripe";
import { db } from "@/server/db";
import { checkoutSessions, emailOutbox, users } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";

useTestDatabase();
const embedded = useEmbeddedStripe();
beforeEach(() => resetRateLimits());

const mail = async () =>
  (await db.select({ to: emailOutbox.to, kind: emailOutbox.kind, subject: emailOutbox.subject, text: emailOutbox.text }).from(emailOutbox).orderBy(asc(emailOutbox.createdAt))).filter((m) =>
    m.kind.startsWith("billing_"),
  );

describe("billing emails", () => {
  it("tell the trader and the provider about a new subscription, a failed renewal and the end, once each", async () => {
    const p = await payableProvider({ priceCents: 400 });
    const s = await signedIn("subscriber");
    const [trader] = await db.select().from(users).where(eq(users.id, s.user.id));
    const [owner] = await db.select().from(users).where(eq(users.id, p.user.id));
    await s.caller.billing.checkout({ providerId: p.provider.id });
    const [session] = await db.select().from(checkoutSessions).where(eq(checkoutSessions.subscriberId, s.user.id));
    await embedded.gateway.completeCheckout(session!.id, "succeeds");

    expect((await mail()).map((m) => [m.to, m.kind])).toEqual([
      [trader!.email, "billing_subscription_started"],
      [owner!.email, "billing_new_subscriber"],
    ]);
    expect((await mail())[0]!.text).toContain("$4.00/month");

    const [customer] = await db.select({ id: users.stripeCustomerId }).from(users).where(eq(users.id, s.user.id));
    await embedded.gateway.setNextPaymentFails(customer!.id!, true);
    await embedded.gateway.advanceClock(31);
    const failed = (await mail()).filter((m) => m.kind === "billing_payment_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ to: trader!.email, subject: `Your payment for ${p.provider.displayName} failed` });
    expect(failed[0]!.text).toMatch(/You keep access until \d+ \w+ \d{4}/);

    const [mine] = await s.caller.subscriptions.mine();
    for (const invoice of await embedded.gateway.openInvoices(customer!.id!)) await embedded.gateway.payOpenInvoice(invoice);
    await s.caller.billing.manage({ subscriptionId: mine!.id, action: "cancel" });
    await embedded.gateway.advanceClock(31);
    expect((await mail()).map((m) => m.kind)).toEqual(["billing_subscription_started", "billing_new_subscriber", "billing_payment_failed", "billing_subscription_ended"]);
  });
});

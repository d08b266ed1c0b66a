/** Billing emails go out once, with the webhook change that caused them, to the right people, with amounts from cents. */
import { beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { signedIn } from "@/test/factories";
import { deliverOk, payableProvider, useEmbeddedStripe } from "@/test/stripe";
import { db } from "@/server/db";
import { checkoutSessions, emailOutbox, payments, users } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";

useTestDatabase();
const embedded = useEmbeddedStripe();
beforeEach(() => resetRateLimits());

const mail = async () =>
  (
    await db
      .select({ to: emailOutbox.to, kind: emailOutbox.kind, subject: emailOutbox.subject, text: emailOutbox.text, html: emailOutbox.html, stream: emailOutbox.stream })
      .from(emailOutbox)
      .orderBy(asc(emailOutbox.createdAt))
  ).filter((m) => m.kind.startsWith("billing_"));
const kinds = async () => (await mail()).map((m) => m.kind);
const one = async (kind: string) => {
  const found = (await mail()).filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

describe("billing emails", () => {
  it("tell the trader and the provider about a new subscription, its receipts, a failed renewal, the cancellation and the end, once each", async () => {
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
      [trader!.email, "billing_payment_succeeded"],
    ]);
    for (const m of await mail()) expect(m.stream, m.kind).toBe("transactional");
    const started = await one("billing_subscription_started");
    expect(started.subject).toBe(`You're subscribed to ${p.provider.displayName}`);
    expect(started.text).toMatch(/Price\s+\$4\.00\/month/);
    // The provider: 70% of $4.00 from integer cents, and the live count including this one.
    const newSubscriber = await one("billing_new_subscriber");
    expect(newSubscriber.text).toMatch(/Your share per payment\s+\$2\.80/);
    expect(newSubscriber.text).toMatch(/Subscribers now\s+1\n/);
    const [payment] = await db.select().from(payments).where(eq(payments.subscriberId, s.user.id));
    const receipt = await one("billing_payment_succeeded");
    expect(receipt).toMatchObject({ to: trader!.email, subject: `Receipt: $4.00 for ${p.provider.displayName}` });
    expect(receipt.text).toMatch(/Amount paid\s+\$4\.00/);
    expect(receipt.text).toContain(payment!.id);

    // The same invoice paid again under another event id (Stripe resends; events overtake): no second receipt.
    const paid = embedded.tap.of("invoice.paid")[0]!.event;
    await deliverOk({ ...paid, id: `${paid.id}_again` });
    expect(await kinds()).toEqual(["billing_subscription_started", "billing_new_subscriber", "billing_payment_succeeded"]);

    const [customer] = await db.select({ id: users.stripeCustomerId }).from(users).where(eq(users.id, s.user.id));
    await embedded.gateway.setNextPaymentFails(customer!.id!, true);
    await embedded.gateway.advanceClock(31);
    const failed = await one("billing_payment_failed");
    expect(failed).toMatchObject({ to: trader!.email, subject: `Your payment for ${p.provider.displayName} failed` });
    expect(failed.text).toMatch(/You keep access until \d+ \w+ \d{4}/);
    expect(failed.text).toMatch(/Amount due\s+\$4\.00\/month/);

    const [mine] = await s.caller.subscriptions.mine();
    for (const invoice of await embedded.gateway.openInvoices(customer!.id!)) await embedded.gateway.payOpenInvoice(invoice);
    expect((await mail()).filter((m) => m.kind === "billing_payment_succeeded")).toHaveLength(2);
    await s.caller.billing.manage({ subscriptionId: mine!.id, action: "cancel" });
    const cancelled = await one("billing_subscription_cancelled");
    expect(cancelled.subject).toBe(`Your subscription to ${p.provider.displayName} is cancelled`);
    expect(cancelled.text).toMatch(/You keep their live signals until \d+ \w+ \d{4}/);
    await embedded.gateway.advanceClock(31);
    const ended = await one("billing_subscription_ended");
    expect(ended.text).toContain(`Your subscription to ${p.provider.displayName} has ended`);
    expect(await kinds()).toEqual([
      "billing_subscription_started",
      "billing_new_subscriber",
      "billing_payment_succeeded",
      "billing_payment_failed",
      "billing_payment_succeeded",
      "billing_subscription_cancelled",
      "billing_subscription_ended",
    ]);
    // Transactional: no unsubscribe link in any of them.
    for (const m of await mail()) expect(m.text, m.kind).not.toMatch(/unsubscribe/i);
  });
});

/**
 * Demo billing for the embedded mode: the dozen demo providers finish (dev) Connect onboarding and get their Stripe
 * Price, and the demo trader pays for two of them through the dev checkout, so the revenue pages, the ledger and
 * the trader's subscriptions show real flows. Everything goes through the same services and signed webhook events
 * as a person clicking through; nothing is written to the billing tables directly. Skipped with real Stripe.
 */
import "server-only";
import { eq, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { providers, subscriptions, users } from "@/server/db/schema";
import { embeddedStripe, setProviderPrice, startCheckout, startConnectOnboarding } from "@/server/services/billing";
import { serviceContext } from "@/server/services/context";

/** Demo providers the demo trader pays for through the dev checkout (the demo provider itself stays unbilled). */
export const DEMO_PAID_FOLLOWS = ["momentum-desk", "steady-swing"];
/** A few demo providers offer a free trial. */
const TRIALS: Record<string, number> = { "breakout-lab": 7, "macro-compass": 14 };

export async function seedDemoBilling(): Promise<{ providers: number; subscriptions: number } | null> {
  const gateway = embeddedStripe();
  if (!gateway) return null;
  const demo = await db
    .select({ provider: providers })
    .from(providers)
    .innerJoin(users, eq(users.id, providers.userId))
    .where(inArray(users.email, Array.from({ length: 40 }, (_, i) => `demo-provider-${i + 1}@tradsy.dev`)));
  for (const { provider } of demo) {
    if (provider.chargesEnabled) continue;
    // Each demo provider acts for itself, as when it clicks through its payouts page.
    const ctx = serviceContext({ actor: { id: provider.userId, role: "provider" } });
    await startConnectOnboarding(ctx, provider);
    const [fresh] = await db.select().from(providers).where(eq(providers.id, provider.id));
    await gateway.completeOnboarding(fresh!.stripeAccountId!, { businessName: provider.displayName });
    await setProviderPrice(ctx, fresh!, { priceCents: provider.priceCents, trialDays: TRIALS[provider.slug] ?? 0 });
  }

  const [trader] = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.email, "trader@tradsy.dev"));
  let subscribed = 0;
  if (trader) {
    const follows = await db.select({ id: providers.id }).from(providers).where(inArray(providers.slug, DEMO_PAID_FOLLOWS));
    const already = new Set(
      (await db.select({ providerId: subscriptions.providerId }).from(subscriptions).where(eq(subscriptions.subscriberId, trader.id))).map((s) => s.providerId),
    );
    for (const p of follows.filter((f) => !already.has(f.id))) {
      const { url } = await startCheckout(serviceContext({ actor: trader }), p.id);
      const sessionId = url.split("/").pop()!;
      const result = await gateway.completeCheckout(sessionId, "succeeds");
      if (result.ok) subscribed++;
    }
  }
  return { providers: demo.length, subscriptions: subscribed };
}

import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { payments, providers, subscriptions, users } from "@/server/db/schema";
import { createEmbeddedGateway, setPaymentsGateway } from "@/server/services/billing/gateway";
import { DEMO_PROVIDERS } from "./demo-providers";
import { DEMO_PAID_FOLLOWS, seedDemoBilling } from "./billing";
import { seedDemo } from "./index";

const t = useTestDatabase();
afterEach(() => setPaymentsGateway(undefined));

describe("demo billing seed (embedded mode)", () => {
  it("onboards the demo providers and pays for the trader's follows through the dev checkout and webhooks", async () => {
    setPaymentsGateway(createEmbeddedGateway());
    await seedDemo(t.db);
    const result = await seedDemoBilling();
    expect(result).toEqual({ providers: DEMO_PROVIDERS.length, subscriptions: DEMO_PAID_FOLLOWS.length });

    const all = await t.db.select().from(providers);
    const demo = all.filter((p) => p.slug !== "demo-provider");
    expect(demo).toHaveLength(DEMO_PROVIDERS.length);
    expect(demo.every((p) => p.chargesEnabled && p.payoutsEnabled && p.stripeAccountId && p.stripePriceId)).toBe(true);
    // The demo provider login is left for a person to onboard.
    expect(all.find((p) => p.slug === "demo-provider")).toMatchObject({ chargesEnabled: false, stripeAccountId: null });

    const [trader] = await t.db.select().from(users).where(eq(users.email, "trader@tradsy.dev"));
    const subs = await t.db.select().from(subscriptions).where(eq(subscriptions.subscriberId, trader!.id));
    expect(subs.map((s) => [s.status, Boolean(s.stripeSubscriptionId)]).sort()).toEqual([
      ["active", false],
      ["active", true],
      ["active", true],
    ]);
    const ledger = await t.db.select().from(payments);
    const byProvider = new Map(all.map((p) => [p.id, p]));
    expect(ledger.map((l) => [byProvider.get(l.providerId!)?.slug, l.amountCents, l.platformFeeCents, l.providerShareCents]).sort()).toEqual([
      ["momentum-desk", 400, 120, 280],
      ["steady-swing", 300, 90, 210],
    ]);

    // Idempotent: a second run changes nothing.
    expect(await seedDemoBilling()).toEqual({ providers: DEMO_PROVIDERS.length, subscriptions: 0 });
    expect(await t.db.select().from(payments)).toHaveLength(2);
  });

  it("does nothing with real Stripe configured", async () => {
    setPaymentsGateway({ mode: "stripe" } as never);
    expect(await seedDemoBilling()).toBeNull();
  });
});

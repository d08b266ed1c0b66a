import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { signedIn } from "@/test/factories";
import { providers, subscriptions } from "@/server/db/schema";

const t = useTestDatabase();

describe("subscriptions.mine", () => {
  it("lists only the caller's subscriptions, with entitlement", async () => {
    const provider = await signedIn("provider");
    const alice = await signedIn("subscriber");
    const bob = await signedIn("subscriber");
    const p = await t.db.query.providers.findFirst({ where: eq(providers.userId, provider.user.id) });
    await t.db.insert(subscriptions).values([
      { subscriberId: alice.user.id, providerId: p!.id, status: "active", currentPeriodEnd: new Date(Date.now() + 86_400_000) },
      { subscriberId: bob.user.id, providerId: p!.id, status: "canceled" },
    ]);
    const mine = await alice.caller.subscriptions.mine();
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: "active", entitled: true, provider: { slug: p!.slug } });
    const bobs = await bob.caller.subscriptions.mine();
    expect(bobs.map((s) => [s.status, s.entitled])).toEqual([["canceled", false]]);
    expect(await provider.caller.subscriptions.mine()).toEqual([]);
    const subs = await provider.caller.subscriptions.subscribers();
    expect(subs.map((s) => s.status).sort()).toEqual(["active", "canceled"]);
    expect(JSON.stringify(subs)).not.toContain("@example.com");
    const other = await signedIn("provider");
    expect(await other.caller.subscriptions.subscribers()).toEqual([]);
  });
});

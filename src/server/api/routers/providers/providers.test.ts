import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, signedIn } from "@/test/factories";
import { providers } from "@/server/db/schema";
import { seedDemo } from "@/server/services/seed";
import { DEMO_PROVIDERS } from "@/server/services/seed/demo-providers";

const t = useTestDatabase();

describe("public marketplace", () => {
  it("lists the seeded providers with pagination, search and market filter", async () => {
    await seedDemo(t.db);
    const anon = await callerFor(null);
    const page1 = await anon.providers.list({ page: 1, pageSize: 12 });
    expect(page1.total).toBe(DEMO_PROVIDERS.length + 1);
    expect(page1.items).toHaveLength(12);
    const page2 = await anon.providers.list({ page: 2, pageSize: 12 });
    expect(page2.items).toHaveLength(1);
    expect(new Set([...page1.items, ...page2.items].map((p) => p.slug)).size).toBe(13);

    const search = await anon.providers.list({ q: "donchian", page: 1, pageSize: 12 });
    expect(search.items.map((p) => p.displayName)).toEqual(["Donchian Works"]);
    const fx = await anon.providers.list({ market: "forex", page: 1, pageSize: 50 });
    expect(fx.items.length).toBe(DEMO_PROVIDERS.filter((p) => p.markets.includes("forex")).length);
    expect(fx.items.every((p) => p.markets.includes("forex"))).toBe(true);
    // LIKE wildcards in the search are literal
    expect((await anon.providers.list({ q: "%", page: 1, pageSize: 12 })).total).toBe(0);
  });

  it("shows a profile by slug and 404s an unknown one; no private fields leak", async () => {
    await seedDemo(t.db);
    const anon = await callerFor(null);
    const p = await anon.providers.bySlug({ slug: "northwind-trend" });
    expect(p).toMatchObject({ displayName: "Northwind Trend", priceCents: 300 });
    expect(Object.keys(p)).not.toContain("userId");
    expect(Object.keys(p)).not.toContain("stripeAccountId");
    await expect(anon.providers.bySlug({ slug: "nobody-here" })).rejects.toSatisfy((e: unknown) => e instanceof TRPCError && e.code === "NOT_FOUND");
  });

  it("refuses out-of-range paging", async () => {
    const anon = await callerFor(null);
    await expect(anon.providers.list({ page: 0, pageSize: 12 })).rejects.toSatisfy((e: unknown) => e instanceof TRPCError && e.code === "BAD_REQUEST");
    await expect(anon.providers.list({ page: 1, pageSize: 500 })).rejects.toSatisfy((e: unknown) => e instanceof TRPCError && e.code === "BAD_REQUEST");
  });
});

describe("providers.updateMine", () => {
  it("changes only the caller's own profile", async () => {
    const alice = await signedIn("provider");
    const bob = await signedIn("provider");
    const before = await bob.caller.providers.mine();
    await alice.caller.providers.updateMine({ displayName: "Alice Alpha", tagline: "Breakouts", bio: "I trade breakouts.", markets: ["crypto", "forex"] });
    const a = await alice.caller.providers.mine();
    expect(a).toMatchObject({ displayName: "Alice Alpha", markets: ["crypto", "forex"] });
    const b = await t.db.query.providers.findFirst({ where: eq(providers.id, before.id) });
    expect(b?.displayName).toBe(before.displayName);
  });

  it("refuses an empty market list with a message and writes nothing", async () => {
    const alice = await signedIn("provider");
    const before = await alice.caller.providers.mine();
    await expect(alice.caller.providers.updateMine({ displayName: "X Y", tagline: "", bio: "", markets: [] })).rejects.toThrow(/at least one market/);
    expect((await alice.caller.providers.mine()).displayName).toBe(before.displayName);
  });
});

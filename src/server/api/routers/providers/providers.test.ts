import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, signedIn } from "@/test/factories";
import { providerStats, providers } from "@/server/db/schema";
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

  it("ranks by score among all ranked providers of the window, whatever the filters, sort and page", async () => {
    await seedDemo(t.db);
    const all = await t.db.select().from(providers);
    // Scores for eight providers (two tied), one scored but not ranked, the rest without stats in this window.
    const scores = ["2.5", "1.75", "1.75", "1.2", "0.9", "0.5", "0.25", "-0.3"];
    const stat = (providerId: string, score: string | null, ranked: boolean) => ({
      providerId, window: "90d" as const, closedSignals: 30, wins: 15, roi: "0.1", winRate: "0.5", maxDrawdown: "0.1", expectancy: "0.01",
      avgHoldHours: "10", score, ranked, firstSignalAt: new Date(Date.now() - 200 * 86_400_000), computedAt: new Date(),
    });
    await t.db.insert(providerStats).values([...scores.map((s, i) => stat(all[i]!.id, s, true)), stat(all[8]!.id, "9.9", false)]);
    const expected = new Map(scores.map((s, i) => [all[i]!.slug, [1, 2, 2, 4, 5, 6, 7, 8][i]]));
    const anon = await callerFor(null);
    for (const sort of ["score", "roi", "newest", "subscribers"] as const) {
      for (const pageSize of [3, 50]) {
        const seen = new Map<string, number | null>();
        for (let page = 1; page <= Math.ceil(13 / pageSize); page++) {
          const list = await anon.providers.leaderboard({ window: "90d", sort, page, pageSize });
          for (const item of list.items) seen.set(item.slug, item.stats?.rank ?? null);
        }
        for (const p of all) expect(seen.get(p.slug) ?? null, `${sort}/${pageSize}: ${p.slug}`).toBe(expected.get(p.slug) ?? null);
      }
    }
    // A search that keeps only the fourth-best still shows its overall rank.
    const one = await anon.providers.leaderboard({ window: "90d", sort: "score", q: all[3]!.displayName, page: 1, pageSize: 12 });
    expect(one.items.map((i) => [i.slug, i.stats?.rank])).toEqual([[all[3]!.slug, 4]]);
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

  it("refuses a market listed twice, with a message on the markets field, and writes nothing", async () => {
    const alice = await signedIn("provider");
    const before = await alice.caller.providers.mine();
    const err = await alice.caller.providers
      .updateMine({ displayName: "Alice Alpha", tagline: "", bio: "", markets: ["crypto", "forex", "crypto"] })
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    expect((err as TRPCError).cause).toBeInstanceOf(ZodError);
    expect(z.flattenError((err as TRPCError).cause as ZodError).fieldErrors).toEqual({ markets: ["Choose each market once (crypto is listed twice)"] });
    const after = await t.db.query.providers.findFirst({ where: eq(providers.id, before.id) });
    expect(after).toMatchObject({ displayName: before.displayName, markets: before.markets });
  });
});

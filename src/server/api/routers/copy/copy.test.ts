/**
 * copy and admin.copy through the router: what each caller gets, and that nobody reads or changes another user's
 * settings, paper account, positions or orders — a refusal names NOT_FOUND (not "someone else's") and writes nothing.
 * Only admins hold the platform and provider switches. Bad input is a 400 with a message and no write.
 */
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { callerFor, createUser, signedIn, trpcCode } from "@/test/factories";
import { newProvider, subscribe } from "@/test/signals";
import { changedTables, tableCounts } from "@/test/tables";
import { copyOrders, copySettings, paperAccounts, positions } from "@/server/db/schema";
import { TRPCError } from "@trpc/server";

const t = useTestDatabase();
useFakeMarket();

let n = 0;
async function position(userId: string, providerId: string) {
  const [row] = await t.db
    .insert(positions)
    .values({ userId, providerId, venue: "paper", symbol: "BTC/USDT", side: "long", quantity: "0.1", initialQuantity: "0.1", avgEntry: "30000", markPrice: "31000", lastSeq: 1, openedAt: new Date() })
    .returning();
  await t.db.insert(copyOrders).values({ clientOrderId: `router-${++n}`, userId, providerId, positionId: row!.id, venue: "paper", symbol: "BTC/USDT", side: "buy", leg: "entry", status: "filled", quantity: "0.1", fillPrice: "30000", fee: "3", filledAt: new Date() });
  return row!;
}

/** A provider, two subscribers of it who both copy it and hold a position each. */
async function world() {
  const p = await newProvider();
  const alice = await signedIn("subscriber");
  const bob = await signedIn("subscriber");
  for (const u of [alice, bob]) {
    await subscribe(u.user.id, p.provider.id, "active");
    await u.caller.copy.setCopying({ providerId: p.provider.id, enabled: true });
  }
  const alicePos = await position(alice.user.id, p.provider.id);
  const bobPos = await position(bob.user.id, p.provider.id);
  return { p, alice, bob, alicePos, bobPos };
}

async function unchanged(run: () => Promise<unknown>, code: string) {
  const before = await tableCounts();
  expect(await trpcCode(run())).toBe(code);
  expect(changedTables(before, await tableCounts())).toEqual({});
}

describe("copy: one's own data only", () => {
  it("reads show the caller's followings, account, positions and orders, never another's", async () => {
    const w = await world();
    const outsider = await signedIn("subscriber");
    expect((await w.alice.caller.copy.followings()).followings.map((f) => f.provider.id)).toEqual([w.p.provider.id]);
    expect((await outsider.caller.copy.followings()).followings).toEqual([]);
    expect((await w.alice.caller.copy.positions({ status: "open" })).items.map((x) => x.id)).toEqual([w.alicePos.id]);
    expect((await outsider.caller.copy.positions({ status: "open" })).items).toEqual([]);
    const orders = await w.alice.caller.copy.orders({});
    expect(orders.items.map((o) => o.positionId)).toEqual([w.alicePos.id]);
    expect((await outsider.caller.copy.orders({ filters: { providerId: w.p.provider.id } })).items).toEqual([]);
    expect(await outsider.caller.copy.account()).toMatchObject({ exists: false, openPositions: 0 });
    // Marked to the market on read: (32045.14 − 30000) × 0.1 at the fake market's BTC price.
    expect(await w.alice.caller.copy.account()).toMatchObject({ exists: true, openPositions: 1, unrealisedPnl: "204.514" });
    // Another's settings are not readable: settings.get answers the caller's own (defaults) for that provider.
    expect(await outsider.caller.copy.settings.get({ providerId: w.p.provider.id })).toMatchObject({ saved: false, enabled: false, openPositions: 0 });
    expect(JSON.stringify(await outsider.caller.copy.journalStats())).not.toContain(w.alice.user.id);
  });

  it("closePosition with another user's position id is NOT_FOUND and changes nothing", async () => {
    const w = await world();
    await unchanged(() => w.bob.caller.copy.closePosition({ positionId: w.alicePos.id }), "NOT_FOUND");
    await unchanged(() => w.bob.caller.copy.closePosition({ positionId: "pos_nope" }), "NOT_FOUND");
    expect(await w.alice.caller.copy.closePosition({ positionId: w.alicePos.id })).toEqual({ closed: 1 });
    const [bobs] = await t.db.select().from(positions).where(eq(positions.id, w.bobPos.id));
    expect(bobs!.status).toBe("open");
    await unchanged(() => w.alice.caller.copy.closePosition({ positionId: w.alicePos.id }), "NOT_FOUND");
  });

  it("following switches act on the caller's own following only", async () => {
    const w = await world();
    const outsider = await signedIn("subscriber");
    await unchanged(() => outsider.caller.copy.pauseFollowing({ providerId: w.p.provider.id }), "NOT_FOUND");
    await unchanged(() => outsider.caller.copy.closeFollowing({ providerId: w.p.provider.id }), "NOT_FOUND");
    await unchanged(() => outsider.caller.copy.setCopying({ providerId: w.p.provider.id, enabled: false }), "NOT_FOUND");
    await unchanged(() => w.alice.caller.copy.setCopying({ providerId: "prv_nope", enabled: true }), "NOT_FOUND");
    await unchanged(() => w.alice.caller.copy.settings.save({ providerId: "prv_nope", settings: {} }), "NOT_FOUND");

    await w.alice.caller.copy.pauseFollowing({ providerId: w.p.provider.id });
    expect(await w.alice.caller.copy.closeFollowing({ providerId: w.p.provider.id })).toEqual({ closed: 1 });
    const rows = await t.db.select().from(copySettings);
    expect(rows.find((r) => r.userId === w.bob.user.id)).toMatchObject({ enabled: true, pausedReason: null });
    expect((await t.db.select().from(positions).where(eq(positions.id, w.bobPos.id)))[0]!.status).toBe("open");
  });

  it("killAll and resetAccount touch the caller's copies and account only", async () => {
    const w = await world();
    await t.db.update(paperAccounts).set({ balance: "9000" });
    expect(await w.alice.caller.copy.killAll()).toEqual({ paused: 1, closed: 1 });
    expect(await w.bob.caller.copy.settings.get({ providerId: w.p.provider.id })).toMatchObject({ enabled: true, openPositions: 1 });
    await w.alice.caller.copy.resetAccount();
    const accounts = await t.db.select().from(paperAccounts);
    expect(accounts.find((a) => a.userId === w.alice.user.id)).toMatchObject({ balance: "10000", resets: 1 });
    expect(accounts.find((a) => a.userId === w.bob.user.id)).toMatchObject({ balance: "9000", resets: 0 });
  });

  it("bad settings are a 400 with the field's message, and nothing is written", async () => {
    const w = await world();
    const before = await tableCounts();
    const err = await w.alice.caller.copy.settings.save({ providerId: w.p.provider.id, settings: { scale: "3" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    // The caller sees the zod issues; the wire answer's message is the first of them (the error formatter).
    expect((err as TRPCError).message).toContain('"message": "Scale must be between 0.1 and 2"');
    await unchanged(() => w.alice.caller.copy.settings.save({ providerId: w.p.provider.id, settings: { symbolsAllow: ["NOPE/USDT"] } }), "BAD_REQUEST");
    await unchanged(() => w.alice.caller.copy.orders({ cursor: "not-a-cursor" }), "BAD_REQUEST");
    expect(changedTables(before, await tableCounts())).toEqual({});
    const saved = await w.alice.caller.copy.settings.save({ providerId: w.p.provider.id, settings: { scale: "1.5", symbolsDeny: ["ethusdt"] } });
    expect(saved.settings).toMatchObject({ scale: "1.5", symbolsDeny: ["ETH/USDT"] });
  });

  it("previews sizing for the caller, from the provider's latest signal when entitled", async () => {
    const w = await world();
    await w.p.caller.signals.publish({ symbol: "BTC/USDT", side: "long", entryType: "market", stopLoss: "31000", takeProfits: [], note: "" });
    const preview = await w.alice.caller.copy.preview({ providerId: w.p.provider.id });
    expect(preview).toMatchObject({ source: "latest_signal", signal: { symbol: "BTC/USDT", side: "long", stopLoss: "31000" } });
    expect(preview.summary).toMatch(/^This signal would open .* BTC ≈ \$/);
    // Someone not entitled does not learn the open signal's levels from a preview.
    const outsider = await signedIn("subscriber");
    expect(await outsider.caller.copy.preview({ providerId: w.p.provider.id })).toMatchObject({ source: "none", signal: null });
  });
});

describe("admin.copy", () => {
  it("only admins use the switches: trader and provider FORBIDDEN, visitor UNAUTHORIZED, nothing written", async () => {
    const p = await newProvider();
    const trader = await signedIn("subscriber");
    const anon = await callerFor(null);
    for (const [caller, code] of [
      [trader.caller, "FORBIDDEN"],
      [p.caller, "FORBIDDEN"],
      [anon, "UNAUTHORIZED"],
    ] as const) {
      await unchanged(() => caller.admin.copy.setPlatform({ on: true, reason: "outage" }), code);
      await unchanged(() => caller.admin.copy.setProvider({ providerId: p.provider.id, on: true, reason: "review" }), code);
      expect(await trpcCode(caller.admin.copy.state())).toBe(code);
    }
    const admin = await signedIn("admin");
    await unchanged(() => admin.caller.admin.copy.setPlatform({ on: true, reason: "" }), "BAD_REQUEST");
    await unchanged(() => admin.caller.admin.copy.setProvider({ providerId: "prv_nope", on: true, reason: "review" }), "NOT_FOUND");
    await admin.caller.admin.copy.setPlatform({ on: true, reason: "exchange outage" });
    await admin.caller.admin.copy.setProvider({ providerId: p.provider.id, on: true, reason: "under review" });
    expect(await admin.caller.admin.copy.state()).toMatchObject({ platform: { on: true, reason: "exchange outage" }, providers: [{ providerId: p.provider.id, reason: "under review" }] });
    await admin.caller.admin.copy.setPlatform({ on: false });
    expect((await admin.caller.admin.copy.state()).platform).toEqual({ on: false });
  });
});

describe("copy.executionQuality", () => {
  it("is public, by slug or id, with aggregates only", async () => {
    const w = await world();
    const anon = await callerFor(null);
    const bySlug = await anon.copy.executionQuality({ providerSlug: w.p.provider.slug });
    expect(bySlug.provider).toEqual({ id: w.p.provider.id, slug: w.p.provider.slug, displayName: w.p.provider.displayName });
    expect(bySlug.windows.find((x) => x.window === "all")).toMatchObject({ entries: 2, enoughData: false, medianLatencyMs: null });
    expect(await anon.copy.executionQuality({ providerId: w.p.provider.id })).toEqual(bySlug);
    expect(JSON.stringify(bySlug)).not.toMatch(new RegExp(`${w.alice.user.id}|${w.alicePos.id}`));
    expect(await trpcCode(anon.copy.executionQuality({ providerSlug: "nobody" }))).toBe("NOT_FOUND");
    expect(await trpcCode(anon.copy.executionQuality({}))).toBe("BAD_REQUEST");
    await createUser("subscriber");
  });
});

describe("copy.copiers", () => {
  it("gives a provider its own copier counts, and traders nothing", async () => {
    const { p, alice, bob } = await world();
    await bob.caller.copy.pauseFollowing({ providerId: p.provider.id });
    expect(await p.caller.copy.copiers()).toEqual({ copying: 1, paused: 1, openCopies: 2 });
    const other = await newProvider();
    expect(await other.caller.copy.copiers()).toEqual({ copying: 0, paused: 0, openCopies: 0 });
    expect(await trpcCode(alice.caller.copy.copiers())).toBe("FORBIDDEN");
  });
});

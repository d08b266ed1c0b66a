/**
 * The exchanges router over the local fake Binance (the real ccxt client): adding a connection answers its view with
 * the key's first 4 characters only, a refused key is an "error" connection with the exchange's reason (no key in
 * it either), the list counts what uses each connection, the control centre reads its followings, open copies and
 * activity, and removing asks first while copies are open. Every answer only carries the fields its output lists.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { callerFor, createUser } from "@/test/factories";
import { newProvider, subscribe } from "@/test/signals";
import { copyOrders, exchangeConnections, positions } from "@/server/db/schema";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { startFakeBinanceTrading, type FakeApiKey, type FakeBinanceTrading } from "@/server/integrations/exchanges/fake-binance-trading";
import * as connectionsService from "@/server/services/exchanges/connections";
import { setLocalTestExchange } from "@/server/services/exchanges/connections";
import { trpcCode } from "@/test/factories";

const t = useTestDatabase();
useFakeMarket();

const GOOD: FakeApiKey = { apiKey: "RTRkeyPLAINTEXTrouterMarker0123456789abcdefghijklmnopqrstuvwxyz", secret: "RTRsecretPLAINTEXTrouterMarker0123456789abcdefghijklmnopqrstuv", balances: { USDT: "1000" } };
const UNKNOWN = { apiKey: "UNKkeyPLAINTEXTrouterMarker0123456789abcdefghijklmnopqrstuvwxyz", secret: "UNKsecretPLAINTEXTrouterMarker0123456789abcdefghijklmnopqrstuv" };
const NEEDLES = [GOOD, UNKNOWN].flatMap((k) => [k.apiKey.slice(4), k.secret]);
const expectNoCredentials = (value: unknown) => {
  const text = JSON.stringify(value);
  for (const n of NEEDLES) expect(text.includes(n), `an answer holds a credential (${n.slice(0, 8)}…)`).toBe(false);
  expect(text).not.toMatch(/credentialsSealed|credentials_sealed/);
};

let fake: FakeBinanceTrading;
beforeAll(async () => {
  fake = await startFakeBinanceTrading({ keys: [GOOD] });
});
afterAll(async () => {
  setLocalTestExchange(undefined);
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  setLocalTestExchange(fake);
});
afterEach(() => waitForInlineRuns());

async function trader() {
  const user = await createUser("subscriber");
  return { user, caller: await callerFor(user) };
}

describe("exchanges router", () => {
  it("offers the local test exchange and broker first, then the featured exchanges with their credentials", async () => {
    const { caller } = await trader();
    const list = await caller.exchanges.supported();
    expect(list.slice(0, 4).map((e) => e.id)).toEqual(["local", "local-alpaca", "binance", "bybit"]);
    expect(list[0]).toEqual({ id: "local", name: "Local test exchange", hasSandbox: true, credentials: [] });
    expect(list.find((e) => e.id === "okx")?.credentials).toEqual(["apiKey", "secret", "password"]);
  });

  it("adds a connection (hint only), shows a refused key as an error connection with the exchange's reason, lists both", async () => {
    const { caller } = await trader();
    const ok = await caller.exchanges.create({ exchangeId: "local", label: "Test account", apiKey: GOOD.apiKey, secret: GOOD.secret });
    expect(ok).toMatchObject({ exchangeId: "local", label: "Test account", keyHint: "RTRk", sandbox: true, status: "active" });
    const refused = await caller.exchanges.create({ exchangeId: "local", label: "Wrong key", apiKey: UNKNOWN.apiKey, secret: UNKNOWN.secret });
    expect(refused).toMatchObject({ keyHint: "UNKk", status: "error" });
    expect(refused.statusReason).toMatch(/refused the key \(-2015: Invalid API-key/);
    const list = await caller.exchanges.list();
    expect(list.map((c) => [c.label, c.status, c.followings, c.openCopies])).toEqual([
      ["Test account", "active", 0, 0],
      ["Wrong key", "error", 0, 0],
    ]);
    expectNoCredentials([ok, refused, list]);

    // Field errors reach the form by name; a duplicate label is a conflict.
    expect(await trpcCode(caller.exchanges.create({ exchangeId: "binance", label: "B" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.exchanges.create({ exchangeId: "local", label: "Test account" }))).toBe("CONFLICT");
  });

  it("reads a connection's control centre: followings copying to it, copies open on it, its activity newest first", async () => {
    const { user, caller } = await trader();
    const conn = await caller.exchanges.create({ exchangeId: "local", label: "Test account", apiKey: GOOD.apiKey, secret: GOOD.secret });
    const p = await newProvider();
    await subscribe(user.id, p.provider.id, "active");
    await caller.copy.settings.save({ providerId: p.provider.id, settings: { venue: conn.id } });
    const [position] = await t.db
      .insert(positions)
      .values({ userId: user.id, providerId: p.provider.id, venue: conn.id, symbol: "BTC/USDT", side: "long", quantity: "0.01", initialQuantity: "0.01", avgEntry: "43361.11", markPrice: "43400", lastSeq: 1, openedAt: new Date() })
      .returning();
    const base = { userId: user.id, providerId: p.provider.id, venue: conn.id, symbol: "BTC/USDT", side: "buy" as const, leg: "entry" as const, quantity: "0.01" };
    await t.db.insert(copyOrders).values([
      { ...base, clientOrderId: "cc-1", status: "filled", fillPrice: "43361.11", fee: "0.43361110", venueOrderId: "7", createdAt: new Date("2026-03-01T10:00:00Z") },
      { ...base, clientOrderId: "cc-2", status: "rejected", reason: "rejected: -2010 Account has insufficient balance", createdAt: new Date("2026-03-01T11:00:00Z") },
      { ...base, clientOrderId: "cc-3", status: "planned", createdAt: new Date("2026-03-01T12:00:00Z") },
      // Paper orders and other venues are not this connection's activity.
      { ...base, clientOrderId: "cc-4", venue: "paper", status: "filled", createdAt: new Date("2026-03-01T13:00:00Z") },
    ]);

    const overview = await caller.exchanges.overview({ id: conn.id });
    expect(overview.connection).toMatchObject({ id: conn.id, keyHint: "RTRk" });
    expect(overview.followings).toEqual([{ provider: { id: p.provider.id, slug: p.provider.slug, displayName: p.provider.displayName }, enabled: false, pausedReason: null, venue: conn.id, openPositions: 1 }]);
    expect(overview.positions).toMatchObject([{ id: position!.id, symbol: "BTC/USDT", side: "long", quantity: "0.01", avgEntry: "43361.11", unrealizedPnl: "0.3889" }]);

    const first = await caller.exchanges.activity({ id: conn.id, limit: 2 });
    expect(first.items.map((o) => o.status)).toEqual(["planned", "rejected"]);
    expect(first.items[1]!.reason).toMatch(/insufficient balance/);
    const second = await caller.exchanges.activity({ id: conn.id, limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ status: "filled", fillPrice: "43361.11", fee: "0.4336111", venueOrderId: "7" }], nextCursor: null });

    expect((await caller.exchanges.list())[0]).toMatchObject({ followings: 1, openCopies: 1 });
    expectNoCredentials([overview, first, second]);
  });

  it("asks before removing a connection with open copies, then removes it closing them; without copies at once", async () => {
    const { user, caller } = await trader();
    const conn = await caller.exchanges.create({ exchangeId: "local", label: "Test account", apiKey: GOOD.apiKey, secret: GOOD.secret });
    const p = await newProvider();
    await t.db.insert(positions).values({ userId: user.id, providerId: p.provider.id, venue: conn.id, symbol: "BTC/USDT", side: "long", quantity: "0.01", initialQuantity: "0.01", avgEntry: "43361.11", markPrice: "43361.11", lastSeq: 1, openedAt: new Date() });
    expect(await caller.exchanges.remove({ id: conn.id })).toEqual({ needsDecision: true, openCopies: 1 });
    expect((await caller.exchanges.list())[0]?.status).toBe("active");
    expect(await caller.exchanges.remove({ id: conn.id, closeCopies: true })).toEqual({ removed: true, status: "removing", closing: 1 });
    await waitForInlineRuns();

    const bare = await caller.exchanges.create({ exchangeId: "local", label: "Spare", apiKey: GOOD.apiKey, secret: GOOD.secret });
    expect(await caller.exchanges.remove({ id: bare.id })).toEqual({ removed: true, status: "removed", closing: 0 });
    expect((await caller.exchanges.list()).map((c) => c.id)).not.toContain(bare.id);
    expect(await trpcCode(caller.exchanges.overview({ id: bare.id }))).toBe("NOT_FOUND");
    expect((await t.db.query.exchangeConnections.findFirst({ where: eq(exchangeConnections.id, bare.id) }))?.credentialsSealed).toBe("");
  });

  it("passes on only the fields its outputs list, so a column the service adds later stays on the server", async () => {
    const { caller } = await trader();
    await caller.exchanges.create({ exchangeId: "local", label: "Test account", apiKey: GOOD.apiKey, secret: GOOD.secret });
    const real = connectionsService.listConnections;
    const spy = vi.spyOn(connectionsService, "listConnections").mockImplementation(async (ctx) => (await real(ctx)).map((c) => ({ ...c, credentialsSealed: "new-column-value" })));
    try {
      const list = await caller.exchanges.list();
      expect(list).toHaveLength(1);
      expect(JSON.stringify(list)).not.toContain("new-column-value");
    } finally {
      spy.mockRestore();
    }
  });
});

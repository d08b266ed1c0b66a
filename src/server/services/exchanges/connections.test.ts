/**
 * Exchange connections against the local fake Binance (the real ccxt client, real URLs): keys sealed at rest and
 * absent from every column, return value and log line (the refused paths too), a key that can withdraw refused,
 * owners from the context only, and removal asking first when copies are open on the connection.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useRequestLogs } from "@/test/logs";
import { createUser } from "@/test/factories";
import { actingAs, newProvider, rawRows } from "@/test/signals";
import { db } from "@/server/db";
import { copyOrders, exchangeConnections, positions } from "@/server/db/schema";
import { open, seal } from "@/server/crypto/secret-box";
import { getEncryptionKey } from "@/server/secrets";
import { NotFoundError, ValidationError } from "@/server/errors";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { startFakeBinanceTrading, type FakeApiKey, type FakeBinanceTrading } from "@/server/integrations/exchanges/fake-binance-trading";
import { setVenueResolver } from "@/server/services/copy/venues";
import { connectionVenue, createConnection, listConnections, listSupportedExchanges, removeConnection, setLocalTestExchange } from "./connections";

useTestDatabase();
const logs = useRequestLogs();

/** Recognisable credentials: any trace of them (past the 4-character hint) in a row, an answer or a log is a leak. */
const GOOD: FakeApiKey = { apiKey: "GOODkeyPLAINTEXTmarker0123456789abcdefghijklmnopqrstuvwxyzABCD", secret: "GOODsecretPLAINTEXTmarker0123456789abcdefghijklmnopqrstuvwxyzAB", balances: { USDT: "1000", BTC: "0.5" } };
const WITHDRAWS: FakeApiKey = { apiKey: "WDRWkeyPLAINTEXTmarker0123456789abcdefghijklmnopqrstuvwxyzABCD", secret: "WDRWsecretPLAINTEXTmarker0123456789abcdefghijklmnopqrstuvwxyzAB", restrictions: { enableWithdrawals: true } };
const ANY_IP: FakeApiKey = { apiKey: "ANYIkeyPLAINTEXTmarker0123456789abcdefghijklmnopqrstuvwxyzABCD", secret: "ANYIsecretPLAINTEXTmarker0123456789abcdefghijklmnopqrstuvwxyzAB", restrictions: { ipRestrict: false } };
/** Unknown to the exchange: -2015. */
const UNKNOWN = { apiKey: "NOPEkeyPLAINTEXTmarker0123456789abcdefghijklmnopqrstuvwxyzABCD", secret: "NOPEsecretPLAINTEXTmarker0123456789abcdefghijklmnopqrstuvwxyzAB" };
const ALL = [GOOD, WITHDRAWS, ANY_IP, UNKNOWN];
/** Everything but the hint a page may show. */
const NEEDLES = ALL.flatMap((k) => [k.apiKey.slice(4), k.secret, k.secret.slice(4)]);

let fake: FakeBinanceTrading;
beforeAll(async () => {
  fake = await startFakeBinanceTrading({ keys: [GOOD, WITHDRAWS, ANY_IP] });
  setLocalTestExchange(fake);
});
afterAll(async () => {
  setLocalTestExchange(undefined);
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  setLocalTestExchange(fake); // drops the per-connection clients of the previous test (its rows are gone)
});
afterEach(async () => {
  await waitForInlineRuns();
  setVenueResolver(undefined);
  expect(fake.unexpected).toEqual([]);
});

function expectNoSecrets(what: string, text: string) {
  for (const needle of NEEDLES) expect(text.includes(needle), `${what} holds a credential (${needle.slice(0, 8)}…)`).toBe(false);
}

async function everyRowText(): Promise<string> {
  const rows = await rawRows<{ row: string }>(sql`select row_to_json(t)::text as row from exchange_connections t`);
  return rows.map((r) => r.row).join("\n");
}

async function expectNoLeaks(...values: unknown[]) {
  expectNoSecrets("a column of exchange_connections", await everyRowText());
  values.forEach((v, i) => expectNoSecrets(`return value ${i}`, JSON.stringify(v)));
  expect(logs.lines.length).toBeGreaterThan(0);
  expectNoSecrets("a log line", JSON.stringify(logs.lines));
}

const local = (label: string, key: { apiKey: string; secret: string }) => ({ exchangeId: "local", label, apiKey: key.apiKey, secret: key.secret });

async function trader() {
  const user = await createUser("subscriber");
  return { user, ctx: actingAs(user) };
}

describe("exchange connections", () => {
  it("offers binance, bybit, okx and kraken first, the local test exchange and broker in development, Alpaca, and ccxt's others", async () => {
    const list = await listSupportedExchanges();
    expect(list.slice(0, 6).map((e) => e.id)).toEqual(["local", "local-alpaca", "binance", "bybit", "okx", "kraken"]);
    // Alpaca once: ours (its SDK, stocks), in place of ccxt's.
    expect(list.filter((e) => e.id === "alpaca")).toEqual([{ id: "alpaca", name: "Alpaca", hasSandbox: true, credentials: ["apiKey", "secret"], market: "stocks" }]);
    expect(list.find((e) => e.id === "local-alpaca")).toEqual({ id: "local-alpaca", name: "Local test broker (Alpaca, stocks)", hasSandbox: true, credentials: [], market: "stocks" });
    expect(list.find((e) => e.id === "kraken")).toMatchObject({ hasSandbox: false, credentials: ["apiKey", "secret"] });
    expect(list.find((e) => e.id === "okx")).toMatchObject({ hasSandbox: true, credentials: ["apiKey", "secret", "password"] });
    expect(list.length).toBeGreaterThan(40);
  });

  it("checks a good key with the exchange, stores it sealed, and shows its first 4 characters only", async () => {
    const { user, ctx } = await trader();
    const created = await createConnection(ctx, local("Main", GOOD));
    expect(created).toEqual({
      id: expect.stringMatching(/^exc_/),
      exchangeId: "local",
      label: "Main",
      keyHint: "GOOD",
      sandbox: true,
      status: "active",
      statusReason: null,
      permissions: { canTrade: true, canWithdraw: false, ipRestricted: true, checkedVia: "sapiGetAccountApiRestrictions", warnings: [] },
      lastCheckedAt: expect.any(Date),
    });
    // One private call for the key, one for its permissions (plus the public market list fetchBalance loads).
    expect(fake.requests.filter((r) => r.verified).map((r) => r.path)).toEqual(["/api/v3/account", "/sapi/v1/account/apiRestrictions"]);
    const listed = await listConnections(ctx);
    expect(listed).toEqual([created]);
    await expectNoLeaks(created, listed);

    // Sealed for its purpose, with its own id inside.
    const [row] = await db.select().from(exchangeConnections).where(eq(exchangeConnections.id, created.id));
    expect(row!.userId).toBe(user.id);
    expect(() => open(row!.credentialsSealed, getEncryptionKey())).toThrow();
    expect(JSON.parse(open(row!.credentialsSealed, getEncryptionKey(), "exchange-credentials"))).toEqual({ connectionId: created.id, apiKey: GOOD.apiKey, secret: GOOD.secret });

    // The venue built from the opened credentials reaches the account.
    const venue = await connectionVenue(created.id);
    expect(venue).not.toBeNull();
    expect(await venue!.findOrder("no-such-order", "BTC/USDT")).toBeNull();
  });

  it("keeps a key the exchange rejects (-2015) as an error with the exchange's words, and leaks it nowhere", async () => {
    const { ctx } = await trader();
    const created = await createConnection(ctx, local("Typo", UNKNOWN));
    expect(created.status).toBe("error");
    expect(created.statusReason).toContain("-2015: Invalid API-key, IP, or permissions for action.");
    expect(created.statusReason).toContain("copied whole");
    expect(logs.lines.some((l) => l.msg === "exchange connection check failed" && l.code === "-2015")).toBe(true);
    expect(await connectionVenue(created.id)).toBeNull();
    await expectNoLeaks(created, await listConnections(ctx));
  });

  it("refuses a key that can withdraw, says how to make a trade-only IP-restricted one, and does not keep it", async () => {
    const { ctx } = await trader();
    const created = await createConnection(ctx, local("Risky", WITHDRAWS));
    expect(created.status).toBe("error");
    expect(created.permissions).toMatchObject({ canWithdraw: true });
    expect(created.statusReason).toMatch(/^Refused: this key can withdraw funds/);
    expect(created.statusReason).toContain("withdrawals disabled, and access restricted to this server's IP address");
    const [row] = await db.select({ sealed: exchangeConnections.credentialsSealed }).from(exchangeConnections).where(eq(exchangeConnections.id, created.id));
    expect(row!.sealed).toBe("");
    expect(await connectionVenue(created.id)).toBeNull();
    await expectNoLeaks(created);
  });

  it("warns about a key usable from any IP address", async () => {
    const { ctx } = await trader();
    const created = await createConnection(ctx, local("Open", ANY_IP));
    expect(created.status).toBe("active");
    expect(created.permissions?.ipRestricted).toBe(false);
    expect(created.statusReason).toMatch(/works from any IP address: restrict it/);
    await expectNoLeaks(created);
  });

  it("refuses input with messages for people, sandbox-less exchanges without a live confirmation, and a repeated label", async () => {
    const { ctx } = await trader();
    const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
    const noKey = await refusal(createConnection(ctx, { exchangeId: "binance", label: "B" }));
    expect(noKey).toBeInstanceOf(ValidationError);
    expect((noKey as ValidationError).fieldErrors).toEqual({ apiKey: ["Enter the API key"], secret: ["Enter the API secret"] });
    const okx = await refusal(createConnection(ctx, { exchangeId: "okx", label: "O", apiKey: "k", secret: "s" }));
    expect((okx as ValidationError).fieldErrors.password?.[0]).toMatch(/passphrase/);
    const spaced = await refusal(createConnection(ctx, { exchangeId: "binance", label: "B", apiKey: "a b", secret: "s" }));
    expect((spaced as ValidationError).fieldErrors.apiKey?.[0]).toMatch(/without spaces/);
    const unknown = await refusal(createConnection(ctx, { exchangeId: "nosuchexchange", label: "X", apiKey: "k", secret: "s" }));
    expect((unknown as ValidationError).message).toBe("Choose an exchange from the list");
    const krakenSandbox = await refusal(createConnection(ctx, { exchangeId: "kraken", label: "K", apiKey: "k", secret: "s" }));
    expect((krakenSandbox as ValidationError).message).toBe("Kraken has no sandbox: turn the sandbox off and confirm this is a live account");
    const krakenLive = await refusal(createConnection(ctx, { exchangeId: "kraken", label: "K", apiKey: "k", secret: "s", sandbox: false }));
    expect((krakenLive as ValidationError).fieldErrors).toEqual({ confirmLive: ["Confirm that this is a live account"] });
    expect(await db.select().from(exchangeConnections)).toEqual([]);

    await createConnection(ctx, local("Main", GOOD));
    await expect(createConnection(ctx, local("Main", GOOD))).rejects.toThrow('You already have a connection named "Main"');
  });

  it("takes the owner from the context: another user can neither list nor remove someone's connection", async () => {
    const a = await trader();
    const b = await trader();
    const mine = await createConnection(a.ctx, local("Main", GOOD));
    // Another user may use the same label; the input names no owner.
    const theirs = await createConnection(b.ctx, { ...local("Main", ANY_IP), userId: a.user.id } as Parameters<typeof createConnection>[1]);
    const [row] = await db.select({ userId: exchangeConnections.userId }).from(exchangeConnections).where(eq(exchangeConnections.id, theirs.id));
    expect(row!.userId).toBe(b.user.id);

    expect((await listConnections(b.ctx)).map((c) => c.id)).toEqual([theirs.id]);
    await expect(removeConnection(b.ctx, mine.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(removeConnection(b.ctx, mine.id, { closeCopies: true })).rejects.toBeInstanceOf(NotFoundError);
    expect((await listConnections(a.ctx)).map((c) => [c.id, c.status])).toEqual([[mine.id, "active"]]);

    expect(await removeConnection(a.ctx, mine.id)).toEqual({ removed: true, status: "removed", closing: 0 });
    expect(await listConnections(a.ctx)).toEqual([]);
    const [removed] = await db.select().from(exchangeConnections).where(eq(exchangeConnections.id, mine.id));
    expect(removed).toMatchObject({ status: "removed", credentialsSealed: "" });
    expect(await connectionVenue(mine.id)).toBeNull();
    await expect(removeConnection(a.ctx, mine.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("opens credentials only on the row they were sealed for", async () => {
    const a = await trader();
    const one = await createConnection(a.ctx, local("One", GOOD));
    const two = await createConnection(a.ctx, local("Two", ANY_IP));
    const [first] = await db.select({ sealed: exchangeConnections.credentialsSealed }).from(exchangeConnections).where(eq(exchangeConnections.id, one.id));
    await db.update(exchangeConnections).set({ credentialsSealed: first!.sealed }).where(eq(exchangeConnections.id, two.id));
    await expect(connectionVenue(two.id)).rejects.toThrow(`The sealed credentials on connection ${two.id} belong to another connection`);
    // Sealed for another purpose (or none), it does not open at all.
    const unbound = seal(JSON.stringify({ connectionId: two.id, apiKey: GOOD.apiKey, secret: GOOD.secret }));
    await db.update(exchangeConnections).set({ credentialsSealed: unbound }).where(eq(exchangeConnections.id, two.id));
    setLocalTestExchange(fake);
    await expect(connectionVenue(two.id)).rejects.toThrow();
  });

  it("asks before removing a connection with open copies, then closes them on the exchange", async () => {
    const { user, ctx } = await trader();
    const p = await newProvider();
    const conn = await createConnection(ctx, local("Main", GOOD));
    const now = new Date();
    const [position] = await db
      .insert(positions)
      .values({ userId: user.id, providerId: p.provider.id, signalId: "sig_connections_test", venue: conn.id, symbol: "BTC/USDT", side: "long", quantity: "0.001", initialQuantity: "0.001", avgEntry: "43000", markPrice: "43000", lastSeq: 1, openedAt: now })
      .returning();
    // A copy elsewhere does not count.
    await db.insert(positions).values({ userId: user.id, providerId: p.provider.id, venue: "paper", symbol: "ETH/USDT", side: "long", quantity: "0.1", initialQuantity: "0.1", avgEntry: "2300", markPrice: "2300", lastSeq: 1, openedAt: now });

    expect(await removeConnection(ctx, conn.id)).toEqual({ needsDecision: true, openCopies: 1 });
    expect((await listConnections(ctx))[0]!.status).toBe("active");

    setVenueResolver(connectionVenue);
    expect(await removeConnection(ctx, conn.id, { closeCopies: true })).toEqual({ removed: true, status: "removing", closing: 1 });
    await waitForInlineRuns();
    const closes = await db.select().from(copyOrders).where(and(eq(copyOrders.venue, conn.id), eq(copyOrders.leg, "manual")));
    expect(closes.map((o) => [o.side, o.status, o.reason])).toEqual([["sell", "filled", "manual"]]);
    expect(fake.orders.map((o) => [o.symbol, o.side, o.origQty, o.status])).toEqual([["BTCUSDT", "SELL", "0.00100000", "FILLED"]]);
    const [after] = await db.select({ status: positions.status }).from(positions).where(eq(positions.id, position!.id));
    expect(after!.status).toBe("closed");
    // Its copies closed, the connection's run completed the removal.
    expect(await listConnections(ctx)).toEqual([]);
    await expect(removeConnection(ctx, conn.id)).rejects.toThrow(/not found/i);
    await expectNoLeaks();
  });
});

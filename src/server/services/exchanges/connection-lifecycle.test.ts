/**
 * A connection's lifecycle beyond adding it: a `removing` connection becomes `removed` (credentials wiped) once its
 * copies are closed and nothing is left planned on it (`finishRemovalIfDone`), adding and removing are audited, and
 * adding is rate-limited per user (each attempt calls the exchange).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { actingAs, newProvider } from "@/test/signals";
import { db } from "@/server/db";
import { auditLog, exchangeConnections, positions } from "@/server/db/schema";
import { LimitExceededError } from "@/server/errors";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { startFakeBinanceTrading, type FakeApiKey, type FakeBinanceTrading } from "@/server/integrations/exchanges/fake-binance-trading";
import { setVenueResolver } from "@/server/services/copy/venues";
import { CREATE_CONNECTION_RATE, connectionVenue, createConnection, finishRemovalIfDone, removeConnection, setLocalTestExchange } from "./connections";

useTestDatabase();

const KEY: FakeApiKey = { apiKey: "LIFEkey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS", secret: "LIFEsecret0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP", balances: { USDT: "1000", BTC: "0.5" } };
const local = (label: string) => ({ exchangeId: "local", label, apiKey: KEY.apiKey, secret: KEY.secret });

let fake: FakeBinanceTrading;
beforeAll(async () => {
  fake = await startFakeBinanceTrading({ keys: [KEY] });
  setLocalTestExchange(fake);
});
afterAll(async () => {
  setLocalTestExchange(undefined);
  await fake?.close();
});
beforeEach(async () => {
  await resetRateLimits();
  fake.reset();
  setLocalTestExchange(fake);
});
afterEach(async () => {
  await waitForInlineRuns();
  setVenueResolver(undefined);
});

const statusOf = async (id: string) => (await db.select({ status: exchangeConnections.status, sealed: exchangeConnections.credentialsSealed }).from(exchangeConnections).where(eq(exchangeConnections.id, id)))[0]!;
const auditsOf = (id: string) => db.select().from(auditLog).where(eq(auditLog.targetId, id)).orderBy(auditLog.createdAt);

describe("connection lifecycle", () => {
  it("finishes a removal once the connection's copies are closed, wiping its credentials, and not before", async () => {
    const user = await createUser("subscriber");
    const ctx = actingAs(user);
    const p = await newProvider();
    const conn = await createConnection(ctx, local("Main"));
    expect(await finishRemovalIfDone(conn.id)).toBe(false); // active: not being removed
    await db.insert(positions).values({ userId: user.id, providerId: p.provider.id, signalId: "sig_lifecycle", venue: conn.id, symbol: "BTC/USDT", side: "long", quantity: "0.001", initialQuantity: "0.001", avgEntry: "43000", markPrice: "43000", lastSeq: 1, openedAt: new Date() });

    // Being removed with a copy still open: not done.
    await db.update(exchangeConnections).set({ status: "removing" }).where(eq(exchangeConnections.id, conn.id));
    expect(await finishRemovalIfDone(conn.id)).toBe(false);
    expect((await statusOf(conn.id)).status).toBe("removing");

    setVenueResolver(connectionVenue);
    expect(await removeConnection(ctx, conn.id, { closeCopies: true })).toEqual({ removed: true, status: "removing", closing: 1 });
    await waitForInlineRuns();
    // Closed on the exchange: nothing open, nothing planned, so the connection's run completed the removal.
    expect((await db.select({ status: positions.status }).from(positions).where(eq(positions.venue, conn.id)))[0]!.status).toBe("closed");
    expect(await statusOf(conn.id)).toEqual({ status: "removed", sealed: "" });
    expect(await connectionVenue(conn.id)).toBeNull();
    expect(await finishRemovalIfDone(conn.id)).toBe(false); // once

    expect((await auditsOf(conn.id)).map((a) => [a.action, a.actorId])).toEqual([
      ["exchange.connection.create", user.id],
      ["exchange.connection.remove", user.id],
      ["exchange.connection.removed", null],
    ]);
  });

  it("audits adding and removing, with no credential in the audit row", async () => {
    const user = await createUser("subscriber");
    const ctx = actingAs(user, { ip: "203.0.113.7" });
    const conn = await createConnection(ctx, local("Audited"));
    await removeConnection(ctx, conn.id);
    const audits = await auditsOf(conn.id);
    expect(audits.map((a) => [a.action, a.actorId, a.ip, a.targetType])).toEqual([
      ["exchange.connection.create", user.id, "203.0.113.7", "exchange_connection"],
      ["exchange.connection.remove", user.id, "203.0.113.7", "exchange_connection"],
    ]);
    expect(audits[0]!.data).toEqual({ exchangeId: "local", sandbox: true, status: "active", keyHint: "LIFE" });
    expect(JSON.stringify(audits)).not.toContain(KEY.apiKey.slice(4));
    expect(JSON.stringify(audits)).not.toContain(KEY.secret);
  });

  it(`refuses a user's connection attempts past ${CREATE_CONNECTION_RATE.points} an hour, before calling the exchange; others unaffected`, async () => {
    const a = actingAs(await createUser("subscriber"));
    for (let i = 0; i < CREATE_CONNECTION_RATE.points; i++) await createConnection(a, local(`A${i}`));
    const calls = fake.requests.length;
    const refused = await createConnection(a, local("One more")).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(LimitExceededError);
    expect((refused as Error).message).toMatch(/^Too many attempts\. Try again in \d+ minutes\.$/);
    expect(fake.requests.length).toBe(calls);
    expect(await db.select().from(exchangeConnections).where(and(eq(exchangeConnections.label, "One more")))).toEqual([]);
    const b = actingAs(await createUser("subscriber"));
    expect((await createConnection(b, local("B"))).status).toBe("active");
  });
});

/**
 * The publication transaction builds the signal row, its chain entry and the webhook's answer before writing them
 * (one statement, one commit). What it returns must be exactly what is stored, the chain must commit to the row as
 * stored (numeric columns as PostgreSQL writes them back), and repeats must not count against the rate limit.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider } from "@/test/signals";
import { db } from "@/server/db";
import { auditLog, providers, signalEvents, signals, webhookDeliveries } from "@/server/db/schema";
import { seal, sha256Hex } from "@/server/crypto/secret-box";
import { resetRateLimits } from "@/server/rate-limit";
import { sealChainEntry, verifyStoredChain } from "@/server/services/chain";
import { hashEntry } from "@/lib/chain";
import { rotateWebhookToken, handleAlert } from "@/server/services/tradingview";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { serviceContext, systemContext } from "@/server/services/context";
import { PUBLISH_RATE, publishSignal } from "./index";
import { toView } from "./views";

useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

async function stored(id: string) {
  return (await db.select().from(signals).where(eq(signals.id, id)))[0]!;
}

describe("what publishSignal returns is what it stored", () => {
  it("a market entry at a price with trailing zeros, with stop and targets", async () => {
    const p = await newProvider();
    market.setPrice("BTC/USDT", "32045.10");
    const input = { symbol: "BTC/USDT", side: "long", stopLoss: "31000.50", takeProfits: [{ price: "33000", share: "0.5" }, { price: "34000.25", share: "0.50" }], note: "  n  " };
    const { signal, created } = await publishSignal(actingAs(p.user, { ip: "203.0.113.9" }), p.provider.id, input, "ui");
    expect(created).toBe(true);
    expect(signal).toEqual(await stored(signal.id));
    expect(signal).toMatchObject({ number: 1, entryPrice: "32045.10", fillPrice: "32045.10", initialStop: "31000.5", status: "open", remaining: "1", targetsHit: [] });
    const [audit] = await db.select().from(auditLog).where(eq(auditLog.targetId, signal.id));
    expect(audit).toMatchObject({ actorId: p.user.id, action: "signal.published", targetType: "signal", data: { source: "ui" }, ip: "203.0.113.9" });
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("a limit entry with prices that only exponent notation keeps short (1.2e-7)", async () => {
    const p = await newProvider();
    market.setPrice("EUR/USD", "0.0000005");
    const { signal } = await publishSignal(
      systemContext(),
      p.provider.id,
      { symbol: "EUR/USD", side: "long", entryType: "limit", entryPrice: "0.00000012", stopLoss: "0.0000001", takeProfits: [{ price: "0.0000003", share: "1" }], expiresInHours: 2 },
      "api",
    );
    const row = await stored(signal.id);
    expect(signal).toEqual(row);
    expect(row).toMatchObject({ entryPrice: "0.00000012", initialStop: "0.0000001", status: "pending", fillPrice: null, filledAt: null });
    const [entry] = await db.select().from(signalEvents).where(eq(signalEvents.signalId, signal.id));
    expect(entry!.data).toMatchObject({ entryPrice: "0.00000012", stopLoss: "0.0000001", number: 1, expiresAt: row.expiresAt!.toISOString() });
    expect(entry).toMatchObject({ seq: 1, prevHash: row.prevHash, hash: row.hash });
    expect(await db.select().from(auditLog).where(eq(auditLog.targetId, signal.id))).toEqual([]); // no actor, no audit row
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("numbers and chains publications in order", async () => {
    const p = await newProvider();
    const rows = [];
    for (let i = 0; i < 3; i++) rows.push((await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui")).signal);
    expect(rows.map((r) => r.number)).toEqual([1, 2, 3]);
    const events = await db.select().from(signalEvents).where(eq(signalEvents.providerId, p.provider.id)).orderBy(asc(signalEvents.seq));
    expect(events.map((e) => [e.seq, e.signalId, e.hash])).toEqual(rows.map((r, i) => [i + 1, r.id, r.hash]));
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });
});

describe("the chain entry the server seals", () => {
  it("hashes as lib/chain's hashEntry does (what every verifier recomputes)", async () => {
    const head = { seq: 41, hash: "ab".repeat(32) };
    const sealed = sealChainEntry(head, { providerId: "prv_x", signalId: "sig_y", kind: "published", at: new Date("2026-01-02T03:04:05.678Z"), data: { symbol: "BTC/USDT", note: "é ✓ \u2028", n: 3, nested: { b: "1", a: null } } });
    const { row } = sealed;
    expect(row).toMatchObject({ seq: 42, prevHash: head.hash, at: "2026-01-02T03:04:05.678Z" });
    expect(row.hash).toBe(await hashEntry({ seq: row.seq, kind: row.kind, signalId: row.signalId, at: row.at, data: row.data, nonce: row.nonce, prevHash: row.prevHash }));
    expect(sealed.entry).toEqual({ seq: 42, at: row.at, nonce: row.nonce, prevHash: head.hash, hash: row.hash });
  });
});

describe("the webhook's one-transaction publication", () => {
  const alert = (id: string) => JSON.stringify({ ticker: "BTCUSDT", action: "buy", time: new Date().toISOString(), id });

  it("stores the delivery with its final answer, which a repeat then returns", async () => {
    const p = await newProvider();
    const { token } = await rotateWebhookToken(actingAs(p.user), p.provider.id);
    const first = await handleAlert(serviceContext(), token, alert("a1"), "application/json");
    expect(first.status).toBe(201);
    const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.providerId, p.provider.id));
    expect(delivery!.status).toBe(201);
    expect(delivery!.response).toEqual(JSON.parse(JSON.stringify(first.body)));
    const signal = (first.body.signal as { id: string }).id;
    expect(first.body.signal).toEqual(toView(await stored(signal), "owner"));
    const repeat = await handleAlert(serviceContext(), token, alert("a1"), "application/json");
    expect(repeat).toEqual({ status: 200, body: { ...JSON.parse(JSON.stringify(first.body)), duplicate: true } });
    const [audit] = await db.select().from(auditLog).where(and(eq(auditLog.targetId, signal), eq(auditLog.action, "signal.published")));
    expect(audit).toMatchObject({ actorId: p.user.id, data: { source: "tradingview" } });
  });

  it("a token or passphrase changed behind this process's back takes effect at once", async () => {
    const p = await newProvider();
    const { token } = await rotateWebhookToken(actingAs(p.user), p.provider.id);
    expect((await handleAlert(serviceContext(), token, alert("k1"), "application/json")).status).toBe(201); // the provider is now known here
    // As another process would: new token hash and a passphrase, without this process hearing of it.
    await db.update(providers).set({ webhookTokenHash: "0".repeat(64) }).where(eq(providers.id, p.provider.id));
    expect((await handleAlert(serviceContext(), token, alert("k2"), "application/json")).status).toBe(404);
    await db.update(providers).set({ webhookTokenHash: sha256Hex(token), webhookPassphraseEnc: seal("s3cret") }).where(eq(providers.id, p.provider.id));
    const withPass = (id: string) => JSON.stringify({ ticker: "BTCUSDT", action: "buy", time: new Date().toISOString(), id, passphrase: "s3cret" });
    expect((await handleAlert(serviceContext(), token, withPass("k3"), "application/json")).status).toBe(201); // known again
    await db.update(providers).set({ webhookPassphraseEnc: seal("other") }).where(eq(providers.id, p.provider.id));
    const refused = await handleAlert(serviceContext(), token, withPass("k4"), "application/json");
    expect(refused.status).toBe(401);
    expect(await db.select().from(signals).where(eq(signals.providerId, p.provider.id))).toHaveLength(2);
  });

  it("an alert that must exit first is not taken for a plain open", async () => {
    const p = await newProvider();
    const { token } = await rotateWebhookToken(actingAs(p.user), p.provider.id);
    const long = await handleAlert(serviceContext(), token, alert("r1"), "application/json");
    expect(long.status).toBe(201);
    const reversal = await handleAlert(serviceContext(), token, JSON.stringify({ ticker: "BTCUSDT", action: "sell", sentiment: "short", time: new Date().toISOString(), id: "r2" }), "application/json");
    expect(reversal.status).toBe(201);
    expect(reversal.body.action).toBe("reversed");
    const rows = await db.select().from(signals).where(eq(signals.providerId, p.provider.id)).orderBy(asc(signals.number));
    expect(rows.map((r) => [r.side, r.status])).toEqual([
      ["long", "closed"],
      ["short", "open"],
    ]);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("concurrent repeats of one alert do not use up the provider's rate limit", async () => {
    const p = await newProvider();
    const { token } = await rotateWebhookToken(actingAs(p.user), p.provider.id);
    const answers = await Promise.all(Array.from({ length: 50 }, () => handleAlert(serviceContext(), token, alert("burst"), "application/json")));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    // The burst counted once: the rest of the minute's allowance is still there.
    for (let i = 1; i < PUBLISH_RATE.points; i++) expect((await handleAlert(serviceContext(), token, alert(`next-${i}`), "application/json")).status, `alert ${i}`).toBe(201);
    expect((await handleAlert(serviceContext(), token, alert("one-too-many"), "application/json")).status).toBe(429);
  });
});

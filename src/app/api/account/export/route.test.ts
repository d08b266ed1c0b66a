/**
 * GET /api/account/export (issue 17, acceptance 5): the signed-in user's data as a JSON attachment, not cached;
 * 401 for a visitor; two users with the same kinds of data each get their own and nothing of the other's (their id
 * and email are searched for in the whole document); no secret-derived value; audited with address and browser;
 * at most 5 an hour (429 with Retry-After).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { insertChannel } from "@/test/channels";
import { actingAs, newApiKey, newProvider, subscribe } from "@/test/signals";
import type { SessionUser } from "@/server/api/trpc";
import { auditLog, copyOrders, copySettings, exchangeConnections, payments, positions, providers, userSessions, users } from "@/server/db/schema";
import { sealFor } from "@/server/crypto/secret-box";
import { recordAudit } from "@/server/services/audit";
import { publishSignal } from "@/server/services/signals";
import { resetRateLimits } from "@/server/rate-limit";

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/server/auth", () => ({
  auth: async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 3_600_000).toISOString() } : null),
}));

const route = await import("./route");
const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(async () => {
  session.user = null;
  await resetRateLimits();
});

const URL_ = "http://localhost:3000/api/account/export";
const get = (ua = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0") => route.GET(new Request(URL_, { headers: { "user-agent": ua, "x-forwarded-for": "203.0.113.9" } }));

/**
 * One account with a row in every part of the export: a provider profile with a signal and an API key, a
 * subscription (to `other`'s profile) with a payment, a following with an order and a position, an exchange
 * connection, a webhook destination, a session and an audit entry. Returns the secrets it holds.
 */
async function populate(me: Awaited<ReturnType<typeof newProvider>>, other: Awaited<ReturnType<typeof newProvider>>, tag: string) {
  market.setPrice("BTC/USDT", "30000");
  await publishSignal(actingAs(me.user), me.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "29000", note: `note-${tag}` }, "ui");
  const apiKey = await newApiKey(me);
  await t.db.update(providers).set({ bio: `bio-${tag}` }).where(eq(providers.id, me.provider.id));
  await subscribe(me.user.id, other.provider.id, "active");
  const [sub] = await t.db.query.subscriptions.findMany({ where: (s) => eq(s.subscriberId, me.user.id) });
  await t.db.insert(payments).values({ stripeInvoiceId: `in_${tag}`, subscriptionId: sub!.id, providerId: other.provider.id, subscriberId: me.user.id, amountCents: 500, platformFeeCents: 50, providerShareCents: 450, paidAt: new Date() });
  const [setting] = await t.db.insert(copySettings).values({ userId: me.user.id, providerId: other.provider.id, enabled: true }).returning({ id: copySettings.id });
  await t.db.insert(copyOrders).values({ clientOrderId: `order-${tag}`, userId: me.user.id, copySettingId: setting!.id, providerId: other.provider.id, venue: "paper", symbol: "BTC/USDT", side: "buy", leg: "entry", status: "filled", quantity: "0.01", fillPrice: "30000" });
  await t.db.insert(positions).values({ userId: me.user.id, copySettingId: setting!.id, providerId: other.provider.id, venue: "paper", symbol: "BTC/USDT", side: "long", quantity: "0.01", initialQuantity: "0.01", avgEntry: "30000", markPrice: "30000", lastSeq: 1, openedAt: new Date() });
  const exchangeSecret = `exchange-secret-${tag}-0123456789`;
  const [conn] = await t.db.insert(exchangeConnections).values({ userId: me.user.id, exchangeId: "local", label: `desk-${tag}`, credentialsSealed: "x", keyHint: "AKIA" }).returning({ id: exchangeConnections.id });
  await t.db.update(exchangeConnections).set({ credentialsSealed: sealFor("exchange-credentials", JSON.stringify({ connectionId: conn!.id, apiKey: `AKIA-${tag}-key-body`, secret: exchangeSecret })) }).where(eq(exchangeConnections.id, conn!.id));
  const channel = await insertChannel({ userId: me.user.id, url: `https://hooks.example.com/${tag}/path-token-${tag}` });
  await t.db.insert(userSessions).values({ id: `sid_${tag}_secret`, userId: me.user.id, userAgent: `agent-${tag}`, ip: "198.51.100.1" });
  await recordAudit(t.db, { actorId: me.user.id, action: "test.something", targetType: "user", targetId: me.user.id, data: { tag } });
  // The account's own name, distinct from the public provider name others see on their subscriptions.
  await t.db.update(users).set({ name: `Private name ${tag}`, totpSecretEnc: sealFor("totp-secret", "JBSWY3DPEHPK3PXP") }).where(eq(users.id, me.user.id));
  const stored = (await t.db.query.users.findFirst({ where: eq(users.id, me.user.id) }))!;
  const conns = (await t.db.query.exchangeConnections.findFirst({ where: eq(exchangeConnections.id, conn!.id) }))!;
  return { secrets: [apiKey, apiKey.slice(4), exchangeSecret, `key-body`, channel.secret!, `path-token-${tag}`, `sid_${tag}_secret`, stored.passwordHash!, stored.totpSecretEnc!, conns.credentialsSealed, "JBSWY3DPEHPK3PXP"] };
}

describe("GET /api/account/export", () => {
  it("answers 401 to a visitor, not cached", async () => {
    const res = await get();
    expect(res.status).toBe(401);
    expect(res.headers.get("cache-control")).toContain("no-store");
  });

  it("downloads the user's own data and nothing of another user's", async () => {
    const alice = await newProvider();
    const bob = await newProvider();
    const a = await populate(alice, bob, "alice");
    const b = await populate(bob, alice, "bob");
    const bobRow = (await t.db.query.users.findFirst({ where: eq(users.id, bob.user.id) }))!;

    session.user = alice.user;
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="tradsy-data-\d{4}-\d\d-\d\d\.json"$/);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const text = await res.text();
    const doc = JSON.parse(text);

    // Alice's data, every part of it.
    expect(doc.profile).toMatchObject({ id: alice.user.id, email: alice.user.email, hasPassword: true });
    expect(doc.subscriptions).toHaveLength(1);
    expect(doc.payments).toHaveLength(1);
    expect(doc.provider.profile).toMatchObject({ id: alice.provider.id, bio: "bio-alice" });
    expect(doc.provider.signals).toHaveLength(1);
    expect(doc.provider.signals[0]).toMatchObject({ note: "note-alice" });
    expect(doc.provider.apiKeys).toHaveLength(1);
    expect(doc.provider.apiKeys[0]).toMatchObject({ prefix: expect.any(String), name: "tests" });
    // Bob paid Alice: the amount is hers to see, who paid is not.
    expect(doc.provider.paymentsReceived).toHaveLength(1);
    expect(doc.copying.followings).toHaveLength(1);
    // Her own order, and any copy of Bob's signal the engine made for her (she follows him): hers too.
    expect(doc.copying.orders.map((o: { clientOrderId: string }) => o.clientOrderId)).toContain("order-alice");
    expect(doc.copying.positions.length).toBeGreaterThanOrEqual(1);
    expect(doc.exchangeConnections).toEqual([expect.objectContaining({ label: "desk-alice", keyHint: "AKIA" })]);
    expect(doc.notificationChannels).toHaveLength(1);
    expect(doc.sessions).toEqual([expect.objectContaining({ userAgent: "agent-alice", ip: "198.51.100.1" })]);
    expect(doc.auditLog.map((e: { action: string }) => e.action)).toContain("test.something");
    expect(doc.notificationPreferences).toBeDefined();

    expect(doc.profile.name).toBe("Private name alice");
    // Nothing of Bob's: not his id, not his address, not his name, not his notes or his labels. (His provider
    // profile's public name and slug do appear: Alice subscribes to it.)
    for (const trace of [bob.user.id, bob.user.email, bobRow.name!, "note-bob", "bio-bob", "desk-bob", "agent-bob", "order-bob", "in_bob"]) {
      expect(text, trace).not.toContain(trace);
    }
    // No secret, no secret-derived value: Alice's own included.
    for (const secret of [...a.secrets, ...b.secrets]) expect(text, secret).not.toContain(secret);
    expect(text).not.toMatch(/\$argon2|"v1\.[A-Za-z0-9_-]+\./);

    const [audit] = await t.db.select().from(auditLog).where(and(eq(auditLog.action, "account.exported"), eq(auditLog.actorId, alice.user.id)));
    expect(audit).toMatchObject({ targetId: alice.user.id, userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" });
  });

  it("allows 5 downloads an hour, then answers 429 with Retry-After (nothing audited for the refusal)", async () => {
    const alice = await newProvider();
    session.user = alice.user;
    for (let i = 0; i < 5; i++) expect((await get()).status).toBe(200);
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "account.exported"));
    expect(audits).toHaveLength(5);
  });
});

/**
 * Account deletion (issue 17, acceptance 5), through `privacy.deleteAccount` as the owner calls it:
 * - a subscriber who pays a provider (checkout on the embedded Stripe stand-in) and copies it on paper: the
 *   subscription is cancelled at the gateway, the following paused and the open copy closed; afterwards no table
 *   holds their address or name (every row of every table searched) but the farewell alert to the old address;
 * - a provider with published signals: shown as "Deleted provider", off the marketplace lists, its chain still
 *   verifies (server-side and with the browser's verifier over the public chain download), its keys revoked;
 * - neither can sign in again; a wrong email or password deletes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { callerFor, createUser, signedIn, trpcCode } from "@/test/factories";
import { createCaller } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { randomToken } from "@/server/crypto/secret-box";
import { copyOf, useCopyEngine, waitForFanouts } from "@/test/copy";
import { actingAs, newApiKey, rawRows } from "@/test/signals";
import { payableProvider, subscriptionOf, useEmbeddedStripe } from "@/test/stripe";
import { insertChannel } from "@/test/channels";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { apiKeys, auditLog, checkoutSessions, copySettings, recoveryCodes, emailOutbox, embeddedStripeObjects, exchangeConnections, notificationChannels, positions, providers, signals, subscriptions, userSessions, users } from "@/server/db/schema";
import { publishSignal } from "@/server/services/signals";
import { getPublicChain, verifyStoredChain } from "@/server/services/chain";
import { loadSessionUser, verifyCredentials } from "@/server/services/auth";
import { createConnection } from "@/server/services/exchanges/connections";
import { drainEmailOutbox } from "@/server/services/email/drain";
import type { EmailSender } from "@/server/integrations/resend";
import { UnauthorizedError } from "@/server/errors";
import { verifyChain } from "@/lib/chain";
import { DELETED_PROVIDER_NAME, deletedEmail } from "./delete";
import { codeNow } from "@/test/totp";

const t = useTestDatabase();
const market = useFakeMarket();
const embedded = useEmbeddedStripe();
useCopyEngine();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const PASSWORD = "correct horse battery";

/** Every row of every table, as text, with the table's name: what is left of a person after deletion. */
async function everyRow(): Promise<{ table: string; row: string }[]> {
  const tables = await rawRows<{ name: string }>(sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  const out: { table: string; row: string }[] = [];
  for (const { name } of tables) {
    for (const row of await rawRows<Record<string, unknown>>(sql`select * from ${sql.identifier(name)}`)) out.push({ table: name, row: JSON.stringify(row) });
  }
  return out;
}

async function stored(userId: string) {
  return (await t.db.query.users.findFirst({ where: eq(users.id, userId) }))!;
}

/** A provider taking $5 a month with a published signal, and a subscriber who paid through Checkout and copies it. */
async function world() {
  const p = await payableProvider({ priceCents: 500 });
  await t.db.update(users).set({ name: "Paula Provider-Person" }).where(eq(users.id, p.user.id));
  const s = await signedIn("subscriber");
  await t.db.update(users).set({ name: "Sam Subscriber-Person" }).where(eq(users.id, s.user.id));
  const { url } = await s.caller.billing.checkout({ providerId: p.provider.id });
  expect(await embedded.gateway.completeCheckout(url.split("/").at(-1)!, "succeeds")).toMatchObject({ ok: true });
  expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "active" });
  await s.caller.copy.setCopying({ providerId: p.provider.id, enabled: true });
  market.setPrice("ETH/USDT", "2000");
  const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "long", stopLoss: "1900", note: "first" }, "ui");
  await waitForFanouts(signal.id);
  market.setPrice("BTC/USDT", "30000");
  await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "short", stopLoss: "31000" }, "ui");
  await insertChannel({ userId: s.user.id });
  await t.db.insert(userSessions).values({ id: `sid_${s.user.id}`, userId: s.user.id, userAgent: "Firefox", ip: "198.51.100.7" });
  const openCopies = await t.db.select().from(positions).where(and(eq(positions.userId, s.user.id), eq(positions.status, "open")));
  expect(openCopies.length).toBeGreaterThanOrEqual(1);
  return { p, s, email: { p: p.user.email, s: s.user.email } };
}

describe("privacy.deleteAccount", () => {
  it("refuses a wrong email or password and deletes nothing", async () => {
    const { s } = await world();
    const before = await stored(s.user.id);
    expect(await trpcCode(s.caller.privacy.deleteAccount({ confirmEmail: "someone@example.com", password: PASSWORD }))).toBe("BAD_REQUEST");
    expect(await trpcCode(s.caller.privacy.deleteAccount({ confirmEmail: s.user.email, password: "not the password" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(s.caller.privacy.deleteAccount({ confirmEmail: s.user.email }))).toBe("BAD_REQUEST");
    expect(await stored(s.user.id)).toEqual(before);
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "active" });
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "account.deleted"))).toHaveLength(0);
  });

  it("a subscriber: the subscription cancelled at the gateway, copies stopped and closed, no personal data left", async () => {
    const { s, email } = await world();
    const [sub] = await subscriptionOf(s.user.id);

    // The typed address is compared as stored (trimmed, lower-cased).
    const result = await s.caller.privacy.deleteAccount({ confirmEmail: `  ${s.user.email.toUpperCase()} `, password: PASSWORD });
    expect(result).toMatchObject({ ok: true, subscriptionsCancelled: 1 });
    expect(result.copiesClosed).toBeGreaterThanOrEqual(1);
    await waitForInlineRuns();

    // Cancelled at Stripe (the stand-in's object), and our row ended by the webhook that followed.
    const [stripeSub] = await t.db.select().from(embeddedStripeObjects).where(eq(embeddedStripeObjects.id, sub!.stripeSubscriptionId!));
    expect(stripeSub!.data).toMatchObject({ status: "canceled" });
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "canceled" });

    // Copies: the following paused, no copy left open.
    expect(await t.db.select({ enabled: copySettings.enabled, pausedReason: copySettings.pausedReason }).from(copySettings).where(eq(copySettings.userId, s.user.id))).toEqual([{ enabled: false, pausedReason: "account_deleted" }]);
    expect(await t.db.select().from(positions).where(and(eq(positions.userId, s.user.id), eq(positions.status, "open")))).toHaveLength(0);

    // The row stays, erased.
    const row = await stored(s.user.id);
    expect(row).toMatchObject({ email: deletedEmail(s.user.id), name: null, image: null, passwordHash: null, totpSecretEnc: null, stripeCustomerId: null, emailVerified: null });
    expect(row.deletedAt).toBeInstanceOf(Date);
    // Moved on when the doors shut (first) and again with the erase (a sign-in in between ends too).
    expect(row.sessionVersion).toBe(2);
    expect(await t.db.select().from(notificationChannels).where(eq(notificationChannels.userId, s.user.id))).toHaveLength(0);
    expect(await t.db.select().from(userSessions).where(eq(userSessions.userId, s.user.id))).toHaveLength(0);

    // Nowhere in the database is their address or name, but in the farewell alert to that address.
    const traces = (await everyRow()).filter((r) => r.row.includes(email.s) || r.row.includes("Sam Subscriber-Person") || r.row.includes("198.51.100.7"));
    // (Stripe's customer went too: the stand-in's copy of it is in the database, and was searched.)
    expect(traces.map((r) => r.table)).toEqual(["email_outbox"]);
    const [farewell] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, email.s));
    expect(farewell).toMatchObject({ kind: "security_account_deleted", status: "queued", userId: s.user.id });
    // Their earlier emails (the sign-up's verification) lost address and body, and were never sent.
    const others = await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, s.user.id), sql`${emailOutbox.id} <> ${farewell!.id}`));
    expect(others.length).toBeGreaterThanOrEqual(1);
    for (const e of others) expect(e).toMatchObject({ to: deletedEmail(s.user.id), oneTimeLinksEnc: null, status: expect.not.stringMatching(/^queued$/) });

    // Never again: not with the password, not with the session (its version moved on), not by the new address.
    expect(await verifyCredentials(email.s, PASSWORD)).toBeNull();
    expect(await verifyCredentials(deletedEmail(s.user.id), PASSWORD)).toBeNull();
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.action, "account.deleted"));
    expect(audit).toMatchObject({ actorId: s.user.id, targetId: s.user.id });
    expect(JSON.stringify(audit)).not.toContain(email.s);
    // A second call: the session's user is gone.
    expect(await trpcCode(s.caller.privacy.deleteAccount({ confirmEmail: deletedEmail(s.user.id), password: PASSWORD }))).toBe("NOT_FOUND");
  });

  it("a provider: shown as a deleted provider, off the marketplace, its signals closed, its chain still verifies, its keys revoked", async () => {
    const { p, s, email } = await world();
    const key = await newApiKey(p);
    expect(key).toMatch(/^tsk_/);
    const before = await verifyStoredChain(p.provider.id);
    expect(before).toMatchObject({ ok: true, checked: 2 });

    const [ethSignal] = await t.db.select().from(signals).where(and(eq(signals.providerId, p.provider.id), eq(signals.symbol, "ETH/USDT")));
    market.setPrice("ETH/USDT", "2100");
    market.setPrice("BTC/USDT", "29500");

    await p.caller.privacy.deleteAccount({ confirmEmail: p.user.email, password: PASSWORD });
    await waitForInlineRuns();
    await waitForFanouts(ethSignal!.id);

    const provider = (await t.db.query.providers.findFirst({ where: eq(providers.id, p.provider.id) }))!;
    expect(provider).toMatchObject({ displayName: DELETED_PROVIDER_NAME, bio: "", tagline: "", slug: p.provider.slug, webhookTokenHash: null, webhookPassphraseEnc: null, chargesEnabled: false, stripePriceId: null });

    // Its open signals closed as its own "Close" closes them: at the market price, in the chain, fanned out to the
    // copier, whose copy closed with them.
    const after = await t.db.select({ symbol: signals.symbol, status: signals.status, exitPrice: signals.exitPrice }).from(signals).where(eq(signals.providerId, p.provider.id));
    expect(after.sort((a, b) => a.symbol.localeCompare(b.symbol))).toEqual([
      { symbol: "BTC/USDT", status: "closed", exitPrice: "29500" },
      { symbol: "ETH/USDT", status: "closed", exitPrice: "2100" },
    ]);
    expect((await copyOf(s.user.id, ethSignal!.id)).position).toMatchObject({ status: "closed" });
    expect((await t.db.select().from(apiKeys).where(eq(apiKeys.providerId, p.provider.id))).every((k) => k.revokedAt !== null)).toBe(true);
    // Its subscriber is no longer charged for a provider who is gone.
    expect(await t.db.select({ status: subscriptions.status }).from(subscriptions).where(eq(subscriptions.providerId, p.provider.id))).toEqual([{ status: "canceled" }]);

    // The chain: the same entries and head, verified on the server and by the public verifier over the download.
    const verified = await verifyStoredChain(p.provider.id);
    expect(verified).toMatchObject({ ok: true, checked: 4 });
    const chain = await getPublicChain(p.provider.slug);
    expect(chain.provider).toEqual({ slug: p.provider.slug, displayName: DELETED_PROVIDER_NAME });
    expect(await verifyChain(chain.entries)).toMatchObject({ ok: true, problems: [] });

    // Off the lists, still reachable by its page.
    const visitor = await callerFor(null);
    expect((await visitor.providers.list({ page: 1, pageSize: 50 })).items.map((i) => i.id)).not.toContain(p.provider.id);
    expect((await visitor.providers.leaderboard({ window: "all" })).items.map((i) => i.id)).not.toContain(p.provider.id);
    expect(await visitor.providers.bySlug({ slug: p.provider.slug })).toMatchObject({ displayName: DELETED_PROVIDER_NAME });

    const traces = (await everyRow()).filter((r) => r.row.includes(email.p) || r.row.includes("Paula Provider-Person"));
    // Besides the farewell, only the provider's Stripe Connect account (the stand-in's copy): Stripe's own relationship
    // with the provider, holding payouts still owed to them, which the platform does not delete.
    expect(traces.map((r) => r.table).sort()).toEqual(["email_outbox", "embedded_stripe_objects"]);
    expect(traces.find((r) => r.table === "embedded_stripe_objects")!.row).toContain('"type":"account"');
    expect(await verifyCredentials(email.p, PASSWORD)).toBeNull();
  });

  it("a deleted provider takes no new subscription: checkout refused, shown closed, a checkout paid afterwards cancelled at once", async () => {
    const p = await payableProvider({ priceCents: 500 });
    const early = await signedIn("subscriber");
    const late = await signedIn("subscriber");
    // A checkout opened before the deletion, paid after it (a tab left open, an old link).
    const { url } = await early.caller.billing.checkout({ providerId: p.provider.id });

    await p.caller.privacy.deleteAccount({ confirmEmail: p.user.email, password: PASSWORD });
    await waitForInlineRuns();
    expect(await t.db.select({ status: checkoutSessions.status }).from(checkoutSessions).where(eq(checkoutSessions.providerId, p.provider.id))).toEqual([{ status: "expired" }]);

    expect(await late.caller.billing.subscribeState({ providerId: p.provider.id })).toMatchObject({ acceptingSubscribers: false, closed: true });
    const refused = late.caller.billing.checkout({ providerId: p.provider.id });
    await expect(refused).rejects.toThrow("This provider has closed their account");
    expect(await trpcCode(late.caller.billing.checkout({ providerId: p.provider.id }))).toBe("CONFLICT");
    // Even if the price came back (an account.updated from Stripe re-enabling charges), the owner's deletion decides.
    await t.db.update(providers).set({ chargesEnabled: true, stripePriceId: p.provider.stripePriceId }).where(eq(providers.id, p.provider.id));
    expect(await trpcCode(late.caller.billing.checkout({ providerId: p.provider.id }))).toBe("CONFLICT");

    expect(await embedded.gateway.completeCheckout(url.split("/").at(-1)!, "succeeds")).toMatchObject({ ok: true });
    await waitForInlineRuns();
    const [sub] = await subscriptionOf(early.user.id);
    expect(sub).toMatchObject({ status: "canceled", duplicateState: "cancelled" });
    const [stripeSub] = await t.db.select().from(embeddedStripeObjects).where(eq(embeddedStripeObjects.id, sub!.stripeSubscriptionId!));
    expect(stripeSub!.data).toMatchObject({ status: "canceled" });
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "billing.subscription_to_deleted_provider"))).toHaveLength(1);
  });

  it("a request already past its session check cannot store a key on the deleted account; the session user is gone", async () => {
    const user = await createUser("subscriber");
    const ctx = actingAs(user);
    await (await callerFor(user)).privacy.deleteAccount({ confirmEmail: user.email, password: PASSWORD });
    expect(await loadSessionUser(user.id)).toBeNull();
    // The service as an exchanges.create from another tab that passed protectedProcedure before the deletion.
    await expect(createConnection(ctx, { exchangeId: "binance", label: "Late", apiKey: "abcd1234", secret: "late-secret", sandbox: true })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await t.db.select().from(exchangeConnections).where(eq(exchangeConnections.userId, user.id))).toHaveLength(0);
  });

  it("the farewell alert keeps the old address only until it is sent, then is erased like the rest", async () => {
    const user = await createUser("subscriber");
    await (await callerFor(user)).privacy.deleteAccount({ confirmEmail: user.email, password: PASSWORD });
    const sent: string[] = [];
    const sender: EmailSender = { name: "test", send: async (m) => (sent.push(m.to), { providerMessageId: `msg_${sent.length}` }) };
    await drainEmailOutbox({ sender, maxRunMs: 10_000 });
    expect(sent).toContain(user.email);
    const [farewell] = await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, user.id), eq(emailOutbox.kind, "security_account_deleted")));
    expect(farewell).toMatchObject({ status: "sent", to: deletedEmail(user.id), oneTimeLinksEnc: null });
    expect((await everyRow()).filter((r) => r.row.includes(user.email)).map((r) => r.table)).toEqual([]);
  });

  it("with two-factor sign-in on, asks for a fresh code first (step-up), then deletes the 2FA secret and recovery codes too", async () => {
    const user = await createUser("subscriber");
    const sessionId = randomToken(16);
    await t.db.insert(userSessions).values({ id: sessionId, userId: user.id, userAgent: "Vitest browser", ip: "203.0.113.7" });
    const caller = createCaller(await createTRPCContext({ headers: new Headers({ "user-agent": "Vitest browser" }), session: { user, sessionId } }));
    const { secret } = await caller.twoFactor.start();
    await caller.twoFactor.confirm({ code: codeNow(secret) });
    expect((await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))).length).toBe(10);
    // The confirmation stepped this session up; eleven minutes later it no longer counts.
    await t.db.update(userSessions).set({ stepUpAt: new Date(Date.now() - 11 * 60_000) }).where(eq(userSessions.id, sessionId));

    expect(await trpcCode(caller.privacy.deleteAccount({ confirmEmail: user.email, password: PASSWORD }))).toBe("FORBIDDEN");
    expect((await stored(user.id)).deletedAt).toBeNull();

    await t.db.update(userSessions).set({ stepUpAt: new Date() }).where(eq(userSessions.id, sessionId));
    await caller.privacy.deleteAccount({ confirmEmail: user.email, password: PASSWORD });
    expect(await stored(user.id)).toMatchObject({ totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null });
    expect(await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))).toHaveLength(0);
  });
});

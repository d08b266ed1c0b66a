/**
 * The procedure ladder, checked procedure by procedure: anonymous callers get UNAUTHORIZED on everything
 * protected; subscribers get FORBIDDEN on provider and admin procedures; providers get FORBIDDEN on admin ones;
 * public procedures refuse nobody for who they are.
 *
 * The matrix below places every procedure of `appRouter` on one rung, and the cases are generated from the router
 * itself: a procedure added to the router without an entry here (or an entry left for a procedure that is gone)
 * fails "the matrix names every procedure", so no procedure goes unchecked because nobody listed it.
 */
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, signedIn, trpcCode } from "@/test/factories";
import { appRouter } from "@/server/api/root";
import { copySettings, exchangeConnections, venueDiscrepancies } from "@/server/db/schema";
import { newProvider, subscribe } from "@/test/signals";

const t = useTestDatabase();

type Caller = Awaited<ReturnType<typeof callerFor>>;
type Call = (c: Caller) => Promise<unknown>;

/** Anyone may call these; the call only has to get past the ladder (a refusal of its input or a 404 is fine). */
const publicCalls: Record<string, Call> = {
  "auth.verifyEmail": (c) => c.auth.verifyEmail({ token: "t".repeat(43) }),
  "auth.requestPasswordReset": (c) => c.auth.requestPasswordReset({ email: "nobody@example.com" }),
  "auth.resetPassword": (c) => c.auth.resetPassword({ token: "t".repeat(43), password: "new password 456" }),
  "providers.list": (c) => c.providers.list({ page: 1, pageSize: 12 }),
  "providers.bySlug": (c) => c.providers.bySlug({ slug: "nobody" }),
  "providers.leaderboard": (c) => c.providers.leaderboard({ window: "all" }),
  "providers.trackRecord": (c) => c.providers.trackRecord({ slug: "nobody" }),
  "providers.markets": (c) => c.providers.markets(),
  "signals.symbols": (c) => c.signals.symbols(),
  "signals.forProvider": (c) => c.signals.forProvider({ slug: "nobody", status: "live" }),
  "signals.byId": (c) => c.signals.byId({ id: "sig_x" }),
  // A subscription: the ladder runs when it is opened; an anonymous viewer's feed then ends at once.
  "signals.live": async (c) => (await c.signals.live())[Symbol.asyncIterator]().next(),
  "billing.subscribeState": (c) => c.billing.subscribeState({ providerId: "prv_x" }),
  "marketData.priceSource": (c) => c.marketData.priceSource({ providerSlug: "nobody" }),
  "copy.executionQuality": (c) => c.copy.executionQuality({ providerSlug: "nobody" }),
  // The unsubscribe page: the signed link is the credential (a made-up one is refused with BAD_REQUEST, not by the ladder).
  "unsubscribe.view": (c) => c.unsubscribe.view({ token: "t.t" }),
  "unsubscribe.oneClick": (c) => c.unsubscribe.oneClick({ token: "t.t" }),
  "unsubscribe.update": (c) => c.unsubscribe.update({ token: "t.t", preferences: { signalEmails: false } }),
  "unsubscribe.setWeekly": (c) => c.unsubscribe.setWeekly({ token: "t.t", subscribed: false }),
  // The weekly digest (people without an account): whoever holds the inbox confirms, so both are public.
  "digests.subscribe": (c) => c.digests.subscribe({ email: "nobody@example.com" }),
  "digests.confirm": (c) => c.digests.confirm({ token: "t".repeat(43) }),
  // The Strategy Library (issue 19): the catalogue and its reference backtests are public.
  "library.list": (c) => c.library.list({ risk: "low" }),
  "library.get": (c) => c.library.get({ id: "no-such-strategy" }),
};

const protectedCalls: Record<string, Call> = {
  "onboarding.checklist": (c) => c.onboarding.checklist(),
  // The trader's own profile (owner from the session; routers/library/library.test.ts checks it is only their own).
  "library.recommendations": (c) => c.library.recommendations(),
  "library.tradingProfile": (c) => c.library.tradingProfile(),
  "library.setTradingProfile": (c) => c.library.setTradingProfile({ riskTolerance: "low", experience: null }),
  "onboarding.setSkipped": (c) => c.onboarding.setSkipped({ skipped: true }),
  "account.me": (c) => c.account.me(),
  // Signed-in devices (issue 17): another account's session id is NOT_FOUND, the sessions tests' business.
  "sessions.list": (c) => c.sessions.list(),
  "sessions.revoke": (c) => c.sessions.revoke({ id: "AAAAAAAAAAAAAAAAAAAAAA" }),
  "sessions.revokeAll": (c) => c.sessions.revokeAll(),
  // Two-factor sign-in (issue 17): every caller manages only their own (the owner is the session's user).
  "twoFactor.status": (c) => c.twoFactor.status(),
  "twoFactor.start": (c) => c.twoFactor.start(),
  "twoFactor.confirm": (c) => c.twoFactor.confirm({ code: "123456" }),
  "twoFactor.disable": (c) => c.twoFactor.disable({ code: "123456" }),
  "twoFactor.regenerateRecoveryCodes": (c) => c.twoFactor.regenerateRecoveryCodes({ code: "123456" }),
  "twoFactor.stepUp": (c) => c.twoFactor.stepUp({ code: "123456" }),
  // Your data (issue 17): a signed-in caller gets past the ladder; the wrong address is refused (BAD_REQUEST), nothing
  // deleted. That it deletes only the caller's own account is the privacy tests' business (the owner is the session's).
  "privacy.deleteAccount": (c) => c.privacy.deleteAccount({ confirmEmail: "not-the-callers@example.com", password: "x" }),
  "account.updateProfile": (c) => c.account.updateProfile({ name: "Someone" }),
  "account.changePassword": (c) => c.account.changePassword({ currentPassword: "x", newPassword: "long enough password" }),
  "account.notificationPrefs": (c) => c.account.notificationPrefs(),
  "account.updateNotificationPrefs": (c) => c.account.updateNotificationPrefs({ signalEmails: false, digestEmails: false, productEmails: false }),
  "account.revokeUnsubscribeLinks": (c) => c.account.revokeUnsubscribeLinks(),
  "auth.completeOnboarding": (c) => c.auth.completeOnboarding({ role: "subscriber", acceptDisclaimer: true, acceptTerms: true }),
  "auth.resendVerification": (c) => c.auth.resendVerification({}),
  "subscriptions.mine": (c) => c.subscriptions.mine(),
  "signals.quote": (c) => c.signals.quote({ symbol: "BTC/USDT" }),
  "signals.feed": (c) => c.signals.feed({ limit: 10 }),
  "billing.checkout": (c) => c.billing.checkout({ providerId: "prv_x" }),
  "billing.checkoutResult": (c) => c.billing.checkoutResult({ sessionId: "cs_x" }),
  "billing.manage": (c) => c.billing.manage({ subscriptionId: "sub_x", action: "cancel" }),
  "billing.portal": (c) => c.billing.portal(),
  "billing.freeTier": (c) => c.billing.freeTier(),
  "copy.followings": (c) => c.copy.followings(),
  "copy.settings.get": (c) => c.copy.settings.get({ providerId: "prv_x" }),
  "copy.settings.save": (c) => c.copy.settings.save({ providerId: "prv_x", settings: {} }),
  "copy.setCopying": (c) => c.copy.setCopying({ providerId: "prv_x", enabled: true }),
  "copy.preview": (c) => c.copy.preview({ providerId: "prv_x" }),
  "copy.account": (c) => c.copy.account(),
  "copy.resetAccount": (c) => c.copy.resetAccount(),
  "copy.positions": (c) => c.copy.positions({ status: "open" }),
  "copy.orders": (c) => c.copy.orders({}),
  "copy.journalStats": (c) => c.copy.journalStats(),
  "copy.failingExits": (c) => c.copy.failingExits(),
  "copy.closePosition": (c) => c.copy.closePosition({ positionId: "pos_x" }),
  "copy.killAll": (c) => c.copy.killAll(),
  "copy.copiers": (c) => c.copy.copiers(),
  "copy.live": async (c) => (await c.copy.live())[Symbol.asyncIterator]().next(),
  "copy.pauseFollowing": (c) => c.copy.pauseFollowing({ providerId: "prv_x" }),
  "copy.closeFollowing": (c) => c.copy.closeFollowing({ providerId: "prv_x" }),
  "exchanges.supported": (c) => c.exchanges.supported(),
  // The strategy lab (issue 19): any signed-in user, own strategies and backtests only (routers/lab/lab.test.ts
  // checks another user's ids are NOT_FOUND).
  "lab.symbols": (c) => c.lab.symbols(),
  "lab.strategies.list": (c) => c.lab.strategies.list(),
  "lab.strategies.get": (c) => c.lab.strategies.get({ id: "stg_x" }),
  "lab.strategies.create": (c) => c.lab.strategies.create({ name: "x", rules: { version: 1, rules: [] } }),
  "lab.strategies.update": (c) => c.lab.strategies.update({ id: "stg_x", name: "x" }),
  "lab.strategies.delete": (c) => c.lab.strategies.delete({ id: "stg_x" }),
  "lab.backtests.start": (c) => c.lab.backtests.start({ source: { kind: "strategy", strategyId: "stg_x" }, symbol: "BTC/USDT", timeframe: "1h" }),
  "lab.backtests.get": (c) => c.lab.backtests.get({ id: "btr_x" }),
  "lab.backtests.list": (c) => c.lab.backtests.list(),
  "lab.backtests.candles": (c) => c.lab.backtests.candles({ id: "btr_x" }),
  "lab.backtests.cancel": (c) => c.lab.backtests.cancel({ id: "btr_x" }),
  "lab.optimizations.start": (c) => c.lab.optimizations.start({ curatedId: "sma-cross", method: "grid", objective: "sharpe", symbol: "BTC/USDT", timeframe: "1h" }),
  "lab.optimizations.get": (c) => c.lab.optimizations.get({ id: "opt_x" }),
  "lab.optimizations.list": (c) => c.lab.optimizations.list(),
  "lab.optimizations.cancel": (c) => c.lab.optimizations.cancel({ id: "opt_x" }),
  "lab.optimizations.resume": (c) => c.lab.optimizations.resume({ id: "opt_x" }),
  "exchanges.list": (c) => c.exchanges.list(),
  "exchanges.create": (c) => c.exchanges.create({ exchangeId: "local", label: "Test" }),
  "exchanges.remove": (c) => c.exchanges.remove({ id: "exc_x" }),
  "exchanges.overview": (c) => c.exchanges.overview({ id: "exc_x" }),
  "exchanges.activity": (c) => c.exchanges.activity({ id: "exc_x" }),
  "exchanges.discrepancies": (c) => c.exchanges.discrepancies({ id: "exc_x" }),
  "exchanges.reconcileNow": (c) => c.exchanges.reconcileNow({ id: "exc_x" }),
  "exchanges.closeOrphan": (c) => c.exchanges.closeOrphan({ discrepancyId: "vdi_x" }),
  // Notification channels (issue 16): owner-only, tested per procedure in routers/channels/channels.test.ts.
  "channels.list": (c) => c.channels.list(),
  "channels.addDiscord": (c) => c.channels.addDiscord({ label: "Desk", url: "https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz" }),
  "channels.addWebhook": (c) => c.channels.addWebhook({ label: "Bot", url: "https://hooks.example.com/x" }),
  "channels.rollSecret": (c) => c.channels.rollSecret({ id: "chn_x" }),
  "channels.startTelegramLink": (c) => c.channels.startTelegramLink({}),
  "channels.update": (c) => c.channels.update({ id: "chn_x", label: "Desk" }),
  "channels.remove": (c) => c.channels.remove({ id: "chn_x" }),
  "channels.sendTest": (c) => c.channels.sendTest({ id: "chn_x" }),
  "channels.deliveries": (c) => c.channels.deliveries({ channelId: "chn_x" }),
  "channels.redeliver": (c) => c.channels.redeliver({ id: "dlv_x" }),
  "strategyRuns.abTests.start": (c) => c.strategyRuns.abTests.start({ id: "srn_x", challengers: [{ params: { fast: 5 } }] }),
  "strategyRuns.abTests.list": (c) => c.strategyRuns.abTests.list({ id: "srn_x" }),
  "strategyRuns.abTests.get": (c) => c.strategyRuns.abTests.get({ id: "abt_x" }),
  "strategyRuns.abTests.stop": (c) => c.strategyRuns.abTests.stop({ id: "abt_x" }),
  "strategyRuns.abTests.promote": (c) => c.strategyRuns.abTests.promote({ id: "abt_x" }),
  "strategyRuns.list": (c) => c.strategyRuns.list(),
  "strategyRuns.get": (c) => c.strategyRuns.get({ id: "srn_x" }),
  "strategyRuns.stop": (c) => c.strategyRuns.stop({ id: "srn_x" }),
  "strategyRuns.updateLimits": (c) => c.strategyRuns.updateLimits({ id: "srn_x", maxDailyLoss: "0.05", maxTradesPerDay: 5 }),
  "strategyRuns.setPrice": (c) => c.strategyRuns.setPrice({ id: "srn_x", priceCents: 500, trialDays: 0 }),
};

const providerCalls: Record<string, Call> = {
  "apiKeys.list": (c) => c.apiKeys.list(),
  "apiKeys.create": (c) => c.apiKeys.create({ name: "bot" }),
  "apiKeys.revoke": (c) => c.apiKeys.revoke({ id: "key_whatever" }),
  "providers.mine": (c) => c.providers.mine(),
  "subscriptions.subscribers": (c) => c.subscriptions.subscribers(),
  "signals.mine": (c) => c.signals.mine({ page: 1, pageSize: 10 }),
  "signals.publish": (c) => c.signals.publish({ symbol: "BTC/USDT", side: "long", entryType: "market", takeProfits: [], note: "" }),
  "signals.moveStop": (c) => c.signals.moveStop({ id: "sig_x", stopLoss: "1" }),
  "signals.close": (c) => c.signals.close({ id: "sig_x" }),
  "signals.cancel": (c) => c.signals.cancel({ id: "sig_x" }),
  "providers.webhook": (c) => c.providers.webhook(),
  "providers.rotateWebhook": (c) => c.providers.rotateWebhook(),
  "providers.setWebhookPassphrase": (c) => c.providers.setWebhookPassphrase({ passphrase: "long passphrase" }),
  "providers.updateMine": (c) => c.providers.updateMine({ displayName: "Name", tagline: "", bio: "", markets: ["crypto"] }),
  "billing.payouts": (c) => c.billing.payouts(),
  "billing.startOnboarding": (c) => c.billing.startOnboarding(),
  "billing.refreshAccount": (c) => c.billing.refreshAccount(),
  "billing.setPrice": (c) => c.billing.setPrice({ priceCents: 500, trialDays: 0 }),
  "billing.revenue": (c) => c.billing.revenue({ page: 1 }),
  // Providers and admins (the service refuses every other role with FORBIDDEN).
  "strategyRuns.start": (c) => c.strategyRuns.start({ source: { kind: "curated", curatedId: "ema-cross", params: {} }, symbol: "BTC/USDT", timeframe: "1h", confirm: true }),
};

const adminCalls: Record<string, Call> = {
  "admin.overview": (c) => c.admin.overview(),
  "admin.users": (c) => c.admin.users({ page: 1, pageSize: 10 }),
  "admin.setRole": (c) => c.admin.setRole({ userId: "usr_x", role: "admin" }),
  "admin.resetTwoFactor": (c) => c.admin.resetTwoFactor({ userId: "usr_x" }),
  "admin.emails": (c) => c.admin.emails({ page: 1, pageSize: 10 }),
  "admin.email": (c) => c.admin.email({ id: "eml_x" }),
  "admin.audit": (c) => c.admin.audit({ page: 1, pageSize: 10 }),
  "admin.jobs.runs": (c) => c.admin.jobs.runs({ page: 1, pageSize: 10 }),
  "admin.jobs.run": (c) => c.admin.jobs.run({ id: "run_x" }),
  "admin.jobs.schedules": (c) => c.admin.jobs.schedules(),
  "admin.jobs.retry": (c) => c.admin.jobs.retry({ id: "run_x" }),
  "admin.jobs.cancel": (c) => c.admin.jobs.cancel({ id: "run_x" }),
  "admin.strategies.list": (c) => c.admin.strategies.list({}),
  "admin.strategies.stop": (c) => c.admin.strategies.stop({ id: "srn_x", reason: "testing the gate" }),
  "billing.platformRevenue": (c) => c.billing.platformRevenue({ months: 12 }),
  "admin.copy.state": (c) => c.admin.copy.state(),
  "admin.copy.setPlatform": (c) => c.admin.copy.setPlatform({ on: true, reason: "outage" }),
  "admin.copy.discrepancies": (c) => c.admin.copy.discrepancies({}),
  "admin.copy.setProvider": (c) => c.admin.copy.setProvider({ providerId: "prv_x", on: true, reason: "review" }),
  // Operations (issue 18).
  "admin.system.overview": (c) => c.admin.system.overview(),
  "admin.system.history": (c) => c.admin.system.history({ hours: 24 }),
  "admin.analytics.overview": (c) => c.admin.analytics.overview({ range: "30d", bucket: "day" }),
  "admin.analytics.refresh": (c) => c.admin.analytics.refresh({ range: "30d", bucket: "day" }),
  "admin.backups.page": (c) => c.admin.backups.page(),
  "admin.backups.create": (c) => c.admin.backups.create(),
  "admin.backups.verify": (c) => c.admin.backups.verify({ id: "bkp_x" }),
  "admin.backups.release": (c) => c.admin.backups.release({ kind: "emails", all: true }),
  "admin.backups.cancel": (c) => c.admin.backups.cancel({ kind: "emails", all: true }),
};

type Rung = "public" | "protected" | "provider" | "admin";
const rungs: Record<Rung, Record<string, Call>> = { public: publicCalls, protected: protectedCalls, provider: providerCalls, admin: adminCalls };

/** Every procedure of the router ("account.me", …), read from the router, not from this file. */
const procedures = Object.keys(appRouter._def.procedures).sort();
/** The rung each named procedure is on, or undefined when the matrix does not name it. */
const rungOf = (name: string) => (Object.keys(rungs) as Rung[]).find((rung) => Object.hasOwn(rungs[rung], name));
const callOf = (name: string) => rungs[rungOf(name)!][name]!;
const on = (...wanted: Rung[]) => procedures.filter((name) => wanted.includes(rungOf(name)!));

describe("the matrix", () => {
  it("names every procedure of appRouter once, and nothing else", () => {
    expect(procedures.length).toBeGreaterThan(50);
    expect(procedures.filter((name) => !rungOf(name)), "procedures with no entry in the matrix: add each to its rung").toEqual([]);
    const named = Object.values(rungs).flatMap((calls) => Object.keys(calls));
    expect(named.filter((name) => !procedures.includes(name)), "entries for procedures appRouter does not have").toEqual([]);
    expect(named.filter((name, i) => named.indexOf(name) !== i), "procedures on two rungs").toEqual([]);
    expect(named).toHaveLength(procedures.length);
  });
});

describe("anonymous callers", () => {
  const all = on("protected", "provider", "admin");
  it("are refused somewhere", () => expect(all.length).toBeGreaterThan(0));
  for (const name of all) {
    it(`get UNAUTHORIZED on ${name}`, async () => {
      const anon = await callerFor(null);
      expect(await trpcCode(callOf(name)(anon))).toBe("UNAUTHORIZED");
    });
  }

  const open = on("public");
  it("have public procedures to call", () => expect(open.length).toBeGreaterThan(0));
  for (const name of open) {
    it(`get past the ladder on ${name}`, async () => {
      const anon = await callerFor(null);
      expect(await trpcCode(callOf(name)(anon))).not.toMatch(/^(UNAUTHORIZED|FORBIDDEN)$/);
    });
  }

  it("can read the public marketplace", async () => {
    const anon = await callerFor(null);
    await expect(anon.providers.list({ page: 1, pageSize: 12 })).resolves.toMatchObject({ total: 0, items: [] });
  });
});

describe("subscribers", () => {
  const refused = on("provider", "admin");
  it("are refused somewhere", () => expect(refused.length).toBeGreaterThan(0));
  for (const name of refused) {
    it(`get FORBIDDEN on ${name}`, async () => {
      const { caller } = await signedIn("subscriber");
      expect(await trpcCode(callOf(name)(caller))).toBe("FORBIDDEN");
    });
  }
});

describe("providers", () => {
  const refused = on("admin");
  it("are refused somewhere", () => expect(refused.length).toBeGreaterThan(0));
  for (const name of refused) {
    it(`get FORBIDDEN on ${name}`, async () => {
      const { caller } = await signedIn("provider");
      expect(await trpcCode(callOf(name)(caller))).toBe("FORBIDDEN");
    });
  }
});

describe("admins", () => {
  it("pass the admin gate", async () => {
    const { caller } = await signedIn("admin");
    await expect(caller.admin.overview()).resolves.toMatchObject({ admins: 1 });
  });
});

/**
 * Exchange connections are per user: another user's connection is NOT_FOUND to every procedure that takes one (the
 * same answer as a connection that does not exist), and nothing about it changes; follow settings cannot send copies
 * to it either. The connection is inserted as the service stores one (its key check is the service tests' business).
 */
describe("another user's exchange connection", () => {
  async function ownersConnection() {
    const owner = await signedIn("subscriber");
    const [row] = await t.db
      .insert(exchangeConnections)
      .values({ userId: owner.user.id, exchangeId: "local", label: "Owner's account", credentialsSealed: "sealed-blob", keyHint: "AbCd", status: "active" })
      .returning();
    // An orphan in the ledger: its one-click close would close the owner's copy without an order.
    const [discrepancy] = await t.db
      .insert(venueDiscrepancies)
      .values({ connectionId: row!.id, userId: owner.user.id, kind: "orphan_ledger", symbol: "BTC/USDT", detail: "Owner's orphan", data: { positionId: "pos_x", asset: "BTC", quantity: "0.1", held: "0" }, dedupeKey: "orphan_ledger:pos_x" })
      .returning();
    return { owner, connection: row!, discrepancy: discrepancy! };
  }

  const byOthers: Record<string, (c: Caller, id: string) => Promise<unknown>> = {
    "exchanges.remove": (c, id) => c.exchanges.remove({ id }),
    "exchanges.remove (closing its copies)": (c, id) => c.exchanges.remove({ id, closeCopies: true }),
    "exchanges.overview": (c, id) => c.exchanges.overview({ id }),
    "exchanges.activity": (c, id) => c.exchanges.activity({ id }),
    "exchanges.discrepancies": (c, id) => c.exchanges.discrepancies({ id }),
    "exchanges.discrepancies (open)": (c, id) => c.exchanges.discrepancies({ id, status: "open" }),
    "exchanges.reconcileNow": (c, id) => c.exchanges.reconcileNow({ id }),
  };
  for (const [name, call] of Object.entries(byOthers)) {
    it(`is NOT_FOUND on ${name}, and left as it was`, async () => {
      const { owner, connection } = await ownersConnection();
      for (const role of ["subscriber", "provider", "admin"] as const) {
        const { caller } = await signedIn(role);
        expect(await trpcCode(call(caller, connection.id)), role).toBe("NOT_FOUND");
      }
      expect(await t.db.query.exchangeConnections.findFirst({ where: eq(exchangeConnections.id, connection.id) })).toEqual(connection);
      // The owner still has it.
      expect((await owner.caller.exchanges.list()).map((c) => c.id)).toEqual([connection.id]);
    });
  }

  it("has discrepancies that are NOT_FOUND to everyone else's one-click close, and left open", async () => {
    const { owner, connection, discrepancy } = await ownersConnection();
    for (const role of ["subscriber", "provider", "admin"] as const) {
      const { caller } = await signedIn(role);
      expect(await trpcCode(caller.exchanges.closeOrphan({ discrepancyId: discrepancy.id })), role).toBe("NOT_FOUND");
    }
    expect(await t.db.query.venueDiscrepancies.findFirst({ where: eq(venueDiscrepancies.id, discrepancy.id) })).toEqual(discrepancy);
    // The owner sees it (and the admin view lists it; only admins may read that).
    expect((await owner.caller.exchanges.discrepancies({ id: connection.id })).map((d) => [d.id, d.closable])).toEqual([[discrepancy.id, true]]);
    const admin = await signedIn("admin");
    expect((await admin.caller.admin.copy.discrepancies({})).map((d) => [d.id, d.userId, d.connectionLabel])).toEqual([[discrepancy.id, owner.user.id, "Owner's account"]]);
  });

  it("is not listed to anyone else, and cannot be chosen as a following's venue", async () => {
    const { connection } = await ownersConnection();
    const other = await signedIn("subscriber");
    expect(await other.caller.exchanges.list()).toEqual([]);
    const p = await newProvider();
    await subscribe(other.user.id, p.provider.id, "active");
    expect(await trpcCode(other.caller.copy.settings.save({ providerId: p.provider.id, settings: { venue: connection.id } }))).toBe("BAD_REQUEST");
    expect(await t.db.select().from(copySettings).where(eq(copySettings.userId, other.user.id))).toEqual([]);
  });
});

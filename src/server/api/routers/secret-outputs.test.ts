/**
 * Secret-derived values never reach the browser (issue 9, defect 8). A provider has a TradingView webhook secret, a
 * passphrase, an API key and a TOTP secret; everyone has a password. What `account.me`, `providers.mine` and
 * `providers.updateMine` answer is searched deeply, and so is every query procedure of the app router as each kind
 * of caller, for two things: the stored secret-derived values themselves (hashes and sealed secrets, read back from
 * the database), and keys that name a secret carrying anything but a boolean ("is it set?" is all a page needs).
 * A new query procedure fails the walk until it is given an input here, so new ones are checked too.
 * Everyone also has an exchange connection (issue 14): its sealed credentials and the plaintext key and secret
 * (past the 4-character hint a page may show) are among the values no answer may hold.
 */
import { describe, expect, it, vi } from "vitest";
import { eq, isNotNull } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { callerFor, createUser } from "@/test/factories";
import { actingAs, newProvider, subscribe } from "@/test/signals";
import { appRouter } from "@/server/api/root";
import type { SessionUser } from "@/server/api/trpc";
import { apiKeys, authTokens, copyOrders, recoveryCodes, digestSubscribers, emailOutbox, exchangeConnections, jobRuns, jobSteps, notificationChannels, providers, strategyRuns, userSessions, users, venueDiscrepancies } from "@/server/db/schema";
import { seal, sealFor } from "@/server/crypto/secret-box";
import { newId } from "@/lib/ids";
import { publishSignal } from "@/server/services/signals";
import * as usersService from "@/server/services/users";
import { unsubscribeToken } from "@/server/services/email/unsubscribe-link";
import { TRPCError } from "@trpc/server";

const t = useTestDatabase();
useFakeMarket();

/** Keys that name a secret or something derived from one; such a key may carry a boolean and nothing else. */
const SECRET_KEY = (key: string) => /hash|secret|password|passphrase|token|totp|sealed/i.test(key) || /(Enc|_enc)$/.test(key);
/** Public by design: the hash chain's commitments (sha256 of published data), shown on every record. */
const PUBLIC_HASH_KEYS = new Set(["hash", "prevHash"]);

/** Paths in `value` that expose a secret-derived value or carry a non-boolean under a secret's name. */
function exposures(value: unknown, secrets: readonly string[], path = "$"): string[] {
  if (typeof value === "string") return secrets.some((s) => value.includes(s)) ? [`${path} holds a stored secret-derived value`] : [];
  if (value === null || typeof value !== "object" || value instanceof Date) return [];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    if (!Array.isArray(value) && SECRET_KEY(key) && typeof v !== "boolean" && !(PUBLIC_HASH_KEYS.has(key) && typeof v === "string" && /^[0-9a-f]{64}$/.test(v))) {
      out.push(`${at} names a secret and carries ${v === null ? "null" : typeof v}`);
    }
    out.push(...exposures(v, secrets, at));
  }
  return out;
}

/** Exchange credentials for `who`: recognisable, so any trace of them past the hint is found. */
const exchangeKey = (who: string) => ({ apiKey: `HINT${who}ExchangeApiKeyPlaintextMarker0123456789`, secret: `${who}ExchangeSecretPlaintextMarker0123456789` });

/** An exchange connection of `userId` as the connections service stores one, with one copy order placed on it. */
async function exchangeConnection(userId: string, who: string, providerId: string) {
  const id = newId("exc");
  const key = exchangeKey(who);
  await t.db.insert(exchangeConnections).values({
    id,
    userId,
    exchangeId: "local",
    label: `${who} test account`,
    credentialsSealed: sealFor("exchange-credentials", JSON.stringify({ connectionId: id, ...key })),
    keyHint: key.apiKey.slice(0, 4),
    status: "active",
    permissions: { canTrade: true, canWithdraw: false, ipRestricted: true, checkedVia: "sapiGetAccountApiRestrictions", warnings: [] },
    lastCheckedAt: new Date(),
  });
  await t.db.insert(copyOrders).values({ clientOrderId: `secret-outputs-${id}`, userId, providerId, venue: id, symbol: "BTC/USDT", side: "buy", leg: "entry", status: "filled", quantity: "0.01", fillPrice: "43361.11", fee: "0.43", venueOrderId: "1" });
  // An exit that keeps failing (the red banner) and a reconciliation finding (the control centre, the admin view).
  await t.db.insert(copyOrders).values({ clientOrderId: `secret-outputs-exit-${id}`, userId, providerId, venue: id, symbol: "BTC/USDT", side: "sell", leg: "stop", status: "planned", quantity: "0.01", attempts: 4, reason: "retrying: Service unavailable" });
  await t.db.insert(venueDiscrepancies).values({ connectionId: id, userId, kind: "unrecorded_order", symbol: "BTC/USDT", detail: "An order we never recorded", data: { venueOrderId: "9", clientOrderId: "7cx", side: "buy", amount: "0.01", filled: "0.01", exchangeStatus: "closed" }, dedupeKey: `unrecorded_order:9` });
  return [key.apiKey.slice(4), key.secret];
}

/** A provider with every secret a provider can have, a subscriber following it, an admin, and an open signal. */
async function world() {
  const p = await newProvider();
  await p.caller.providers.rotateWebhook();
  await p.caller.providers.setWebhookPassphrase({ passphrase: "a long passphrase" });
  await p.caller.apiKeys.create({ name: "bot" });
  await t.db.update(users).set({ totpSecretEnc: seal("JBSWY3DPEHPK3PXP") }).where(eq(users.id, p.user.id));
  const signal = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000", takeProfits: [{ price: "34000", share: "1" }] }, "ui");
  const subscriber = await createUser("subscriber");
  await subscribe(subscriber.id, p.provider.id, "active");
  const admin = await createUser("admin");
  const exchangePlaintext = [
    ...(await exchangeConnection(subscriber.id, "subscriber", p.provider.id)),
    ...(await exchangeConnection(p.user.id, "provider", p.provider.id)),
    ...(await exchangeConnection(admin.id, "admin", p.provider.id)),
  ];

  // Every stored secret-derived value, read back: none of these may appear anywhere in an answer.
  const secrets = [
    ...(await t.db.select({ v: users.passwordHash }).from(users).where(isNotNull(users.passwordHash))).map((r) => r.v!),
    ...(await t.db.select({ v: users.totpSecretEnc }).from(users).where(isNotNull(users.totpSecretEnc))).map((r) => r.v!),
    ...(await t.db.select({ v: providers.webhookTokenHash }).from(providers).where(isNotNull(providers.webhookTokenHash))).map((r) => r.v!),
    ...(await t.db.select({ v: providers.webhookPassphraseEnc }).from(providers).where(isNotNull(providers.webhookPassphraseEnc))).map((r) => r.v!),
    ...(await t.db.select({ v: apiKeys.keyHash }).from(apiKeys)).map((r) => r.v),
    ...(await t.db.select({ v: authTokens.tokenHash }).from(authTokens)).map((r) => r.v),
    ...(await t.db.select({ v: exchangeConnections.credentialsSealed }).from(exchangeConnections)).map((r) => r.v),
    ...exchangePlaintext,
  ];
  expect(secrets.length).toBeGreaterThanOrEqual(17);
  const email = await t.db.query.emailOutbox.findFirst({ columns: { id: true }, where: isNotNull(emailOutbox.id) });
  // A job run as the signal close's roll-up would leave one, with a step, for the admin jobs pages.
  const event = { name: "signal/closed", data: { signalId: signal.signal.id, providerId: p.provider.id, status: "closed" }, id: "evt_outputs", ts: 0 };
  await t.db.insert(jobRuns).values({ id: "run_secretoutputs", jobId: "stats-rollup", event, eventId: event.id, status: "completed", output: { providerId: p.provider.id } });
  await t.db.insert(jobSteps).values({ runId: "run_secretoutputs", stepKey: "roll-up", kind: "run", output: { providerId: p.provider.id }, attempt: 0 });
  // A strategy the provider runs live (an automated provider of theirs), for the strategy-run pages.
  const [auto] = await t.db.insert(providers).values({ userId: p.user.id, slug: "secret-outputs-strategy", displayName: "Strategy", automated: true, listedFrom: new Date(Date.now() + 86_400_000) }).returning();
  const [run] = await t.db.insert(strategyRuns).values({ userId: p.user.id, providerId: auto!.id, curatedId: "ema-cross", name: "Strategy", symbol: "BTC/USDT", timeframe: "1h", incubationEndsAt: auto!.listedFrom! }).returning();
  return { p, subscriber, admin, signal: signal.signal, secrets, emailId: email?.id ?? "eml_none", jobRunId: "run_secretoutputs", runId: run!.id };
}

describe("account.me and providers.mine", () => {
  it("say whether the webhook and its passphrase are set, as booleans, and carry no secret-derived value", async () => {
    const w = await world();
    const me = await w.p.caller.account.me();
    expect(exposures(me, w.secrets)).toEqual([]);
    expect(me.hasPassword).toBe(true);
    expect(me.provider).toMatchObject({ id: w.p.provider.id, webhookConfigured: true, hasWebhookPassphrase: true });

    const mine = await w.p.caller.providers.mine();
    expect(exposures(mine, w.secrets)).toEqual([]);
    expect(mine).toMatchObject({ id: w.p.provider.id, slug: w.p.provider.slug, webhookConfigured: true, hasWebhookPassphrase: true });

    const updated = await w.p.caller.providers.updateMine({ displayName: "Renamed Desk", tagline: "t", bio: "b", markets: ["crypto"] });
    expect(exposures(updated, w.secrets)).toEqual([]);
    expect(updated).toMatchObject({ displayName: "Renamed Desk", webhookConfigured: true, hasWebhookPassphrase: true });

    // A provider who has set up neither gets false, not a missing key.
    const fresh = await newProvider();
    expect(await fresh.caller.providers.mine()).toMatchObject({ webhookConfigured: false, hasWebhookPassphrase: false });
    expect((await fresh.caller.account.me()).provider).toMatchObject({ webhookConfigured: false, hasWebhookPassphrase: false });
  });

  it("pass on only the fields their output schemas list, so a column added later stays on the server", async () => {
    const w = await world();
    const realGetMe = usersService.getMe;
    const getMe = vi.spyOn(usersService, "getMe").mockImplementation(async (ctx) => {
      const me = await realGetMe(ctx);
      return { ...me, recoveryCodesHash: "new-column-value", provider: me.provider && { ...me.provider, payoutBankToken: "new-column-value" } };
    });
    const findFirst = t.db.query.providers.findFirst.bind(t.db.query.providers);
    const providerRow = vi
      .spyOn(t.db.query.providers, "findFirst")
      .mockImplementation(((...args: Parameters<typeof findFirst>) => findFirst(...args).then((row) => row && { ...row, apiSecretNew: "new-column-value" })) as never);
    try {
      const me = await w.p.caller.account.me();
      const mine = await w.p.caller.providers.mine();
      expect(JSON.stringify([me, mine])).not.toContain("new-column-value");
    } finally {
      getMe.mockRestore();
      providerRow.mockRestore();
    }
  });
});

type Caller = Awaited<ReturnType<typeof callerFor>>;
type W = Awaited<ReturnType<typeof world>>;

/** One call per query procedure of the app router. */
const QUERIES: Record<string, (c: Caller, w: W) => Promise<unknown>> = {
  "account.me": (c) => c.account.me(),
  "account.notificationPrefs": (c) => c.account.notificationPrefs(),
  // Signed-in devices (issue 17): each signed-in caller gets a session row to list (its id is not a credential: the
  // encrypted cookie is; the row's id is the sid sealed inside it).
  "sessions.list": async (c) => {
    const me = await c.account.me().catch(() => null);
    if (me) await t.db.insert(userSessions).values({ id: `sid_${me.id}`, userId: me.id, userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", ip: "203.0.113.7" }).onConflictDoNothing();
    const list = await c.sessions.list();
    if (me) expect(list).toHaveLength(1);
    return list;
  },
  // The unsubscribe page as the holder of the subscriber's link (an email's List-Unsubscribe link).
  "unsubscribe.view": (c, w) => c.unsubscribe.view({ token: unsubscribeToken({ userId: w.subscriber.id }, "all", 0) }),
  "onboarding.checklist": (c) => c.onboarding.checklist(),
  "apiKeys.list": (c) => c.apiKeys.list(),
  "providers.list": (c) => c.providers.list({ page: 1, pageSize: 50 }),
  "providers.bySlug": (c, w) => c.providers.bySlug({ slug: w.p.provider.slug }),
  "providers.leaderboard": (c) => c.providers.leaderboard({}),
  "providers.trackRecord": (c, w) => c.providers.trackRecord({ slug: w.p.provider.slug }),
  "providers.markets": (c) => c.providers.markets(),
  "marketData.priceSource": (c, w) => c.marketData.priceSource({ providerSlug: w.p.provider.slug }),
  "library.list": (c) => c.library.list(),
  "library.get": (c) => c.library.get({ id: "ema-cross" }),
  "library.recommendations": (c) => c.library.recommendations(),
  "library.tradingProfile": (c) => c.library.tradingProfile(),
  "providers.webhook": (c) => c.providers.webhook(),
  "providers.mine": (c) => c.providers.mine(),
  "admin.overview": (c) => c.admin.overview(),
  "admin.users": (c) => c.admin.users({ page: 1, pageSize: 100 }),
  "admin.emails": (c) => c.admin.emails({ page: 1, pageSize: 100 }),
  "admin.email": (c, w) => c.admin.email({ id: w.emailId }),
  "admin.audit": (c) => c.admin.audit({ page: 1, pageSize: 100 }),
  "admin.jobs.runs": (c) => c.admin.jobs.runs({ page: 1, pageSize: 100 }),
  "admin.jobs.run": (c, w) => c.admin.jobs.run({ id: w.jobRunId }),
  "admin.jobs.schedules": (c) => c.admin.jobs.schedules(),
  "admin.strategies.list": (c) => c.admin.strategies.list({}),
  "strategyRuns.list": (c) => c.strategyRuns.list(),
  // Only the owner's run is found (others get NOT_FOUND, the access-control tests' business): its answer is searched.
  "strategyRuns.get": (c, w) => c.strategyRuns.get({ id: w.runId }).catch((err: unknown) => (err instanceof TRPCError && err.code === "NOT_FOUND" ? null : Promise.reject(err))),
  // The strategy lab (issue 19): own strategies and backtests (ids not the caller's are NOT_FOUND, lab.test.ts' business).
  "lab.symbols": (c) => c.lab.symbols(),
  "lab.strategies.list": (c) => c.lab.strategies.list(),
  "lab.strategies.get": (c) => c.lab.strategies.get({ id: "stg_x" }).catch((err: unknown) => (err instanceof TRPCError && err.code === "NOT_FOUND" ? null : Promise.reject(err))),
  "lab.backtests.list": (c) => c.lab.backtests.list(),
  "lab.backtests.get": (c) => c.lab.backtests.get({ id: "btr_x" }).catch((err: unknown) => (err instanceof TRPCError && err.code === "NOT_FOUND" ? null : Promise.reject(err))),
  "lab.backtests.candles": (c) => c.lab.backtests.candles({ id: "btr_x" }).catch((err: unknown) => (err instanceof TRPCError && err.code === "NOT_FOUND" ? null : Promise.reject(err))),
  // Optimisations and A/B tests (issue 20): own runs only; another's is NOT_FOUND (the access-control tests' business).
  "lab.optimizations.list": (c) => c.lab.optimizations.list(),
  "lab.optimizations.get": (c) => c.lab.optimizations.get({ id: "opt_x" }).catch((err: unknown) => (err instanceof TRPCError && err.code === "NOT_FOUND" ? null : Promise.reject(err))),
  "strategyRuns.abTests.list": (c, w) => c.strategyRuns.abTests.list({ id: w.runId }).catch((err: unknown) => (err instanceof TRPCError && err.code === "NOT_FOUND" ? null : Promise.reject(err))),
  "strategyRuns.abTests.get": (c) => c.strategyRuns.abTests.get({ id: "abt_x" }).catch((err: unknown) => (err instanceof TRPCError && err.code === "NOT_FOUND" ? null : Promise.reject(err))),
  "signals.symbols": (c) => c.signals.symbols(),
  "signals.quote": (c) => c.signals.quote({ symbol: "BTC/USDT" }),
  "signals.mine": (c) => c.signals.mine({ page: 1, pageSize: 100 }),
  "signals.forProvider": (c, w) => c.signals.forProvider({ slug: w.p.provider.slug, status: "live", page: 1, pageSize: 100 }),
  "signals.byId": (c, w) => c.signals.byId({ id: w.signal.id }),
  "signals.feed": (c) => c.signals.feed({ limit: 100 }),
  "subscriptions.mine": (c) => c.subscriptions.mine(),
  "subscriptions.subscribers": (c) => c.subscriptions.subscribers(),
  "billing.payouts": (c) => c.billing.payouts(),
  "billing.revenue": (c) => c.billing.revenue({ page: 1 }),
  "billing.subscribeState": (c, w) => c.billing.subscribeState({ providerId: w.p.provider.id }),
  "billing.checkoutResult": (c) => c.billing.checkoutResult({ sessionId: "cs_unknown" }),
  "billing.freeTier": (c) => c.billing.freeTier(),
  "billing.platformRevenue": (c) => c.billing.platformRevenue({ months: 12 }),
  "copy.followings": (c) => c.copy.followings(),
  "copy.settings.get": (c, w) => c.copy.settings.get({ providerId: w.p.provider.id }),
  "copy.preview": (c, w) => c.copy.preview({ providerId: w.p.provider.id }),
  "copy.account": (c) => c.copy.account(),
  "copy.copiers": (c) => c.copy.copiers(),
  "copy.positions": (c) => c.copy.positions({ status: "open" }),
  "copy.orders": (c) => c.copy.orders({}),
  "copy.journalStats": (c) => c.copy.journalStats(),
  "copy.failingExits": async (c) => {
    const exits = await c.copy.failingExits();
    expect(exits).toHaveLength(1);
    return exits;
  },
  "copy.executionQuality": (c, w) => c.copy.executionQuality({ providerSlug: w.p.provider.slug }),
  "admin.copy.state": (c) => c.admin.copy.state(),
  // Operations (issue 18): readings, figures and the backup list (file names, sizes, checksums; never a storage
  // credential or the database URL).
  "admin.system.overview": (c) => c.admin.system.overview(),
  "admin.system.history": (c) => c.admin.system.history({ hours: 24 }),
  "admin.analytics.overview": (c) => c.admin.analytics.overview({ range: "30d", bucket: "day" }),
  "admin.backups.page": (c) => c.admin.backups.page(),
  "admin.copy.discrepancies": async (c) => {
    const all = await c.admin.copy.discrepancies({});
    expect(all).toHaveLength(3);
    return all;
  },
  // Notification channels (issue 16): each signed-in caller adds a webhook endpoint (its one-time secret, sealed URL and
  // sealed secret join the values no answer may hold) and reads its list and its delivery log.
  "channels.list": async (c, w) => {
    // Both path segments may be a token (some services put it first): the list's hint shows neither.
    const { id, secret } = await c.channels.addWebhook({ label: "Bot", url: "https://hooks.example.com/first-token-marker/path-token-marker" });
    const [row] = await t.db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
    w.secrets.push(secret, row!.secretEnc!, row!.urlEnc!, "path-token-marker", "first-token-marker");
    return c.channels.list();
  },
  "channels.deliveries": async (c) => c.channels.deliveries({ channelId: (await c.channels.list()).destinations[0]!.id }),
  // Two-factor sign-in (issue 17): booleans, dates and a count; never the secret or a code.
  "twoFactor.status": (c) => c.twoFactor.status(),
  "exchanges.supported": (c) => c.exchanges.supported(),
  "exchanges.list": (c) => c.exchanges.list(),
  // Each signed-in caller reads their own connection (another's is NOT_FOUND, the access-control tests' business).
  "exchanges.overview": async (c) => c.exchanges.overview({ id: (await c.exchanges.list())[0]!.id }),
  "exchanges.activity": async (c) => {
    const page = await c.exchanges.activity({ id: (await c.exchanges.list())[0]!.id });
    expect(page.items).toHaveLength(2);
    return page;
  },
  "exchanges.discrepancies": async (c) => {
    const found = await c.exchanges.discrepancies({ id: (await c.exchanges.list())[0]!.id });
    expect(found).toHaveLength(1);
    return found;
  },
};

describe("every query procedure", () => {
  it("is listed here, so a new one is checked too", () => {
    const queries = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
      .filter(([, p]) => p._def.type === "query")
      .map(([path]) => path);
    expect(queries.filter((q) => !(q in QUERIES)), "query procedures without a call in QUERIES").toEqual([]);
  });

  it("answers every kind of caller without a secret-derived value or a secret-named field", async () => {
    const w = await world();
    const callers: Record<string, SessionUser | null> = { anonymous: null, subscriber: w.subscriber, provider: w.p.user, admin: w.admin };
    const answered = new Set<string>();
    const found: string[] = [];
    for (const [who, user] of Object.entries(callers)) {
      const caller = await callerFor(user);
      for (const [path, call] of Object.entries(QUERIES)) {
        let out: unknown;
        try {
          out = await call(caller, w);
        } catch (err) {
          // Refusals (not signed in, wrong role) are the access-control tests' business; anything else is a failure.
          if (err instanceof TRPCError && ["UNAUTHORIZED", "FORBIDDEN"].includes(err.code)) continue;
          throw err;
        }
        answered.add(path);
        found.push(...exposures(out, w.secrets, `${path} as ${who}`));
      }
    }
    expect(found).toEqual([]);
    expect(Object.keys(QUERIES).filter((p) => !answered.has(p)), "procedures no caller got an answer from").toEqual([]);
  });
});

describe("the weekly digest's procedures", () => {
  it("answer neither the confirmation token nor its stored hash", async () => {
    const p = await newProvider();
    const visitor = await callerFor(null);
    const email = "digest-reader@example.com";
    const asked = await visitor.digests.subscribe({ email, providerSlug: p.provider.slug });
    expect(asked).toEqual({ ok: true });
    const [mail] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "digest_confirm"));
    const { renderForDelivery } = await import("@/server/services/email/outbox");
    const token = decodeURIComponent(/token=([A-Za-z0-9_%-]+)/.exec(renderForDelivery(mail!).text)![1]!);
    const [row] = await t.db.select().from(digestSubscribers);
    const confirmed = await visitor.digests.confirm({ token });
    expect(exposures({ asked, confirmed }, [token, row!.confirmTokenHash!])).toEqual([]);
  });
});

// Your data (issue 17): the export document (a route handler, so not in QUERIES) and privacy.deleteAccount's answer.
describe("your data: the export and privacy.deleteAccount", () => {
  it("export every kind of account's data without a secret-derived value or a secret-named field; deletion answers counts only", async () => {
    const w = await world();
    const { buildAccountExport } = await import("@/server/services/privacy/export");
    const found: string[] = [];
    for (const [who, user] of Object.entries({ subscriber: w.subscriber, provider: w.p.user, admin: w.admin })) {
      found.push(...exposures(await buildAccountExport(actingAs(user)), w.secrets, `export as ${who}`));
    }
    const deleted = await (await callerFor(w.subscriber)).privacy.deleteAccount({ confirmEmail: w.subscriber.email, password: "correct horse battery" });
    found.push(...exposures(deleted, w.secrets, "privacy.deleteAccount"));
    expect(found).toEqual([]);
    expect(Object.keys(deleted).sort()).toEqual(["copiesClosed", "copiesClosing", "ok", "subscriptionsCancelled"]);
  });
});

describe("two-factor enrolment's procedures", () => {
  // By design, `twoFactor.start` answers the new secret (as text and in the otpauth URL and QR code) and
  // `twoFactor.confirm` / `twoFactor.regenerateRecoveryCodes` the plain recovery codes, once, to their owner: that
  // is how they reach the authenticator app and the person's notes. What they must not answer is anything stored:
  // the sealed secret and the codes' hashes.
  it("answer the secret and the recovery codes by design, but nothing stored", async () => {
    const user = await createUser("subscriber");
    const caller = await callerFor(user);
    const started = await caller.twoFactor.start();
    expect(Object.keys(started).sort()).toEqual(["otpauthUrl", "qrSvg", "secret"]);
    const { TOTP, Secret } = await import("otpauth");
    const code = new TOTP({ secret: Secret.fromBase32(started.secret) }).generate();
    const confirmed = await caller.twoFactor.confirm({ code });
    expect(Object.keys(confirmed)).toEqual(["recoveryCodes"]);
    const regenerated = await caller.twoFactor.regenerateRecoveryCodes({ code: confirmed.recoveryCodes[0]! });
    const [row] = await t.db.select({ sealed: users.totpSecretEnc }).from(users).where(eq(users.id, user.id));
    const hashes = (await t.db.select({ h: recoveryCodes.codeHash }).from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))).map((r) => r.h);
    expect(hashes).toHaveLength(10);
    const stored = [row!.sealed!, ...hashes];
    // Only the stored values are searched for: the answers' own keys name secrets on purpose.
    expect(JSON.stringify([started, confirmed, regenerated, await caller.twoFactor.status()])).not.toMatch(new RegExp(stored.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")));
    expect(exposures(await caller.twoFactor.status(), stored)).toEqual([]);
  });
});

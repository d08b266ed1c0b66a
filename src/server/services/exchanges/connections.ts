/**
 * Exchange connections: a follower's exchange accounts the copy engine places orders on. Owns adding one (the key
 * checked with one private call and, where the exchange tells, its permissions: a key that can withdraw is refused),
 * listing them, removing one (its open copies first, if the follower says so; `finishRemovalIfDone` completes the
 * removal once they are closed) and the venue a connection's orders go through: a ccxt client for crypto exchanges,
 * an Alpaca account (integrations/alpaca) for US stocks.
 *
 * Alpaca: our own entry ("alpaca", paper account as its sandbox) replaces ccxt's, and "local-alpaca" is an
 * in-process fake broker where "local" is offered. An entry while the market is closed is skipped with the reason
 * (exits always wait for the open): the follower's choice of "queue" needs a column on exchange_connections, which
 * does not exist yet, so every Alpaca connection uses `ALPACA_OUTSIDE_HOURS` until it does.
 *
 * Adding is rate-limited per user (it calls the exchange); adding and removing write an audit row. The test fakes
 * (fake Binance, fake Alpaca) are imported only when a local connection is used, so they are no eager part of a
 * production bundle.
 *
 * INVARIANT: credentials exist in plaintext only inside this module's functions and the ccxt instance. They are
 * sealed at rest ("exchange-credentials", bound to the row's id), never returned (a connection's view carries the
 * key's first 4 characters only), never logged: errors are reduced to the exchange's code and message
 * (integrations/exchanges/errors.ts) before they reach a log line or a row, the ccxt instance (which holds the key
 * and secret) is never logged or attached to an error, and ccxt's `verbose` (which prints request headers) stays off.
 */
import "server-only";
import type { Exchange } from "ccxt";
import { and, eq, inArray, ne, notExists, sql } from "drizzle-orm";
import { env } from "@/env";
import { newId } from "@/lib/ids";
import { createConnectionInput, removeConnectionInput, type CreateConnectionInput } from "@/lib/validation/exchanges";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";
import { openFor, sealFor } from "@/server/crypto/secret-box";
import { db, type Executor } from "@/server/db";
import { copyOrders, exchangeConnections, positions, venueDiscrepancies, type ExchangeConnectionStatus, type ExchangeKeyPermissions } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { AlpacaVenue, checkAlpacaKey, createAlpacaClient, type OutsideHoursPolicy } from "@/server/integrations/alpaca/alpaca-venue";
import type { FakeAlpaca } from "@/server/integrations/alpaca/fake-alpaca";
import { CcxtVenue } from "@/server/integrations/exchanges/ccxt-venue";
import { classifyVenueError } from "@/server/integrations/exchanges/errors";
import type { FakeBinanceTrading } from "@/server/integrations/exchanges/fake-binance-trading";
import { logger } from "@/server/logger";
import { consume } from "@/server/rate-limit";
import { lockLiveAccount } from "@/server/services/privacy/live-account";
import { recordAudit } from "@/server/services/audit";
import { closePositionsNow } from "@/server/services/copy/engine";
import type { SerialVenue } from "@/server/services/copy/venues";
import type { ActingContext } from "@/server/services/context";

/** The in-process test exchange (a fake Binance spot API): no keys, no network, no money. */
export const LOCAL_EXCHANGE_ID = "local";
/** Alpaca (US stocks) through its own SDK, not ccxt: paper account as the sandbox, live when confirmed. */
export const ALPACA_EXCHANGE_ID = "alpaca";
/** The in-process test broker (a fake Alpaca trading API): no keys, no network, no money. */
export const LOCAL_ALPACA_ID = "local-alpaca";
/**
 * What an Alpaca connection does with an entry while the market is closed. Skipped (with the reason) rather than
 * queued until the follower can choose: a per-connection choice needs a column exchange_connections does not have
 * yet. Exits are never skipped, whatever this says: they wait for the open.
 */
export const ALPACA_OUTSIDE_HOURS: OutsideHoursPolicy = "skip";
/** Connections a user may add per hour: each one calls the exchange (or broker) with the key. */
export const CREATE_CONNECTION_RATE = { points: 10, seconds: 3600 } as const;
/** Offered first, in this order; any other ccxt exchange that can place orders follows by name. */
const FEATURED = ["binance", "bybit", "okx", "kraken"];
const CREDENTIAL_FIELDS = ["apiKey", "secret", "password"] as const;
type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

export interface SupportedExchange {
  id: string;
  name: string;
  /** The exchange has a testnet / sandbox ccxt can switch to; without one a connection must be confirmed live. */
  hasSandbox: boolean;
  /** The credentials it takes (ccxt's `requiredCredentials`; `password` is OKX's passphrase). */
  credentials: CredentialField[];
  /** What it trades when not crypto: "stocks" for Alpaca (and the local test broker). */
  market?: "stocks";
}

const isAlpaca = (exchangeId: string) => exchangeId === ALPACA_EXCHANGE_ID || exchangeId === LOCAL_ALPACA_ID;
const isLocal = (exchangeId: string) => exchangeId === LOCAL_EXCHANGE_ID || exchangeId === LOCAL_ALPACA_ID;

/** What a page may know about a connection. Never the credentials: the key's first 4 characters only. */
export interface ConnectionView {
  id: string;
  exchangeId: string;
  label: string;
  keyHint: string;
  sandbox: boolean;
  status: ExchangeConnectionStatus;
  statusReason: string | null;
  permissions: ExchangeKeyPermissions | null;
  lastCheckedAt: Date | null;
}

interface Credentials {
  connectionId: string;
  apiKey: string;
  secret: string;
  password?: string;
}

type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

const HOW_TO_MAKE_A_SAFE_KEY =
  "Create a new API key on the exchange with reading and spot trading enabled, withdrawals disabled, and access restricted to this server's IP address, then connect that key.";

async function exchangeClasses(): Promise<Record<string, ExchangeClass>> {
  // ccxt is large: loaded on first use, as the market-data adapter does.
  const ccxt = await import("ccxt");
  return ccxt.exchanges as unknown as Record<string, ExchangeClass>;
}

const localOffered = () => env.LOCAL_TEST_EXCHANGE || env.NODE_ENV !== "production";

let supported: Promise<SupportedExchange[]> | undefined;

/** ccxt exchanges that can place orders with a key and secret (and passphrase), featured ones first; "local" in dev. */
export async function listSupportedExchanges(): Promise<SupportedExchange[]> {
  supported ??= (async () => {
    const classes = await exchangeClasses();
    const list: SupportedExchange[] = [];
    for (const [id, Ctor] of Object.entries(classes)) {
      const ex = new Ctor();
      // Alpaca is served by its own SDK (our entry below), not ccxt's.
      if (id === ALPACA_EXCHANGE_ID || ex.has.createOrder !== true) continue;
      const required = Object.entries(ex.requiredCredentials).filter(([, needed]) => needed).map(([name]) => name);
      // Wallet-signed exchanges (private keys, wallet addresses, logins) take credentials this form does not collect.
      if (!required.includes("apiKey") || !required.includes("secret") || required.some((r) => !(CREDENTIAL_FIELDS as readonly string[]).includes(r))) continue;
      list.push({ id, name: ex.name ?? id, hasSandbox: Boolean(ex.urls.test), credentials: required as CredentialField[] });
    }
    // Its paper account is the sandbox; the key ID is the "API key".
    list.push({ id: ALPACA_EXCHANGE_ID, name: "Alpaca", hasSandbox: true, credentials: ["apiKey", "secret"], market: "stocks" });
    const rank = (id: string) => (FEATURED.includes(id) ? FEATURED.indexOf(id) : FEATURED.length);
    return list.sort((a, b) => rank(a.id) - rank(b.id) || a.name.localeCompare(b.name));
  })();
  const list = await supported;
  return localOffered()
    ? [
        { id: LOCAL_EXCHANGE_ID, name: "Local test exchange", hasSandbox: true, credentials: [] },
        { id: LOCAL_ALPACA_ID, name: "Local test broker (Alpaca, stocks)", hasSandbox: true, credentials: [], market: "stocks" },
        ...list,
      ]
    : list;
}

// The local test exchange and broker: started in process on first use (port 0); tests put their own in their place.
let localExchange: Promise<FakeBinanceTrading> | undefined;
let localBroker: Promise<FakeAlpaca> | undefined;

/** Test hook: the fake Binance "local" connections talk to (undefined: the lazily started default one). */
export function setLocalTestExchange(fake: FakeBinanceTrading | undefined): void {
  localExchange = fake ? Promise.resolve(fake) : undefined;
  clients.clear();
}

/** Test hook: the fake Alpaca "local-alpaca" connections talk to (undefined: the lazily started default one). */
export function setLocalTestBroker(fake: FakeAlpaca | undefined): void {
  localBroker = fake ? Promise.resolve(fake) : undefined;
  clients.clear();
}

// The fakes are loaded only here, when a local connection is used: not an eager part of a production bundle.
function localTestExchange(): Promise<FakeBinanceTrading> {
  localExchange ??= import("@/server/integrations/exchanges/fake-binance-trading").then((m) => m.startFakeBinanceTrading());
  localExchange.catch(() => (localExchange = undefined));
  return localExchange;
}

function localTestBroker(): Promise<FakeAlpaca> {
  localBroker ??= import("@/server/integrations/alpaca/fake-alpaca").then((m) => m.startFakeAlpaca());
  localBroker.catch(() => (localBroker = undefined));
  return localBroker;
}

/** The local test exchange's or broker's own key, for a local connection given none. */
async function localKey(exchangeId: string): Promise<{ apiKey: string; secret: string }> {
  if (exchangeId === LOCAL_ALPACA_ID) {
    const { FAKE_ALPACA_KEY } = await import("@/server/integrations/alpaca/fake-alpaca");
    return { apiKey: FAKE_ALPACA_KEY.keyId, secret: FAKE_ALPACA_KEY.secret };
  }
  const { FAKE_BINANCE_KEY } = await import("@/server/integrations/exchanges/fake-binance-trading");
  return FAKE_BINANCE_KEY;
}

/** An Alpaca SDK client for a connection: the local test broker, the paper account (sandbox) or the live one. */
async function buildAlpacaClient(exchangeId: string, credentials: Omit<Credentials, "connectionId">, sandbox: boolean) {
  const local = exchangeId === LOCAL_ALPACA_ID;
  return createAlpacaClient({
    keyId: credentials.apiKey,
    secret: credentials.secret,
    environment: local ? "local" : sandbox ? "paper" : "live",
    ...(local ? { baseUrl: (await localTestBroker()).url } : {}),
  });
}

/** How long the markets of an exchange, fetched once for all its clients, serve clients built after them. */
const SHARED_MARKETS_TTL_MS = 60 * 60_000;
// Markets are the exchange's, not the account's: one fetch per exchange (and sandbox) serves every connection's
// client, where each client would fetch them on its first order (with many connections, as many requests, each
// counted against the server's IP weight, and a slower first copy). Each client still indexes them itself.
const sharedMarkets = new Map<string, { at: number; markets: Promise<unknown[]> }>();

function shareMarkets(ex: Exchange, key: string): void {
  const fetchMarkets = ex.fetchMarkets.bind(ex);
  ex.fetchMarkets = async (params: Record<string, unknown> = {}) => {
    if (Object.keys(params).length) return fetchMarkets(params);
    let entry = sharedMarkets.get(key);
    if (!entry || Date.now() - entry.at > SHARED_MARKETS_TTL_MS) {
      const fresh = { at: Date.now(), markets: fetchMarkets() as Promise<unknown[]> };
      sharedMarkets.set(key, fresh);
      // A failed fetch is not kept: the next client (or this one's retry) asks again.
      fresh.markets.catch(() => sharedMarkets.get(key) === fresh && sharedMarkets.delete(key));
      entry = fresh;
    }
    // A copy: ccxt's setMarkets sorts the list it is given in place.
    return [...(await entry.markets)] as Awaited<ReturnType<Exchange["fetchMarkets"]>>;
  };
}

/**
 * A ccxt client for an exchange account: rate limiter on, spot markets only (fetched once per exchange and shared by
 * its clients), no currency or margin lists (private calls on Binance, and nothing we use), amounts and prices as
 * decimal strings. "local" is ccxt's binance with its real URLs, its HTTP sent to the in-process fake (see
 * fake-binance-trading.ts for why not a rebased URL).
 */
async function buildClient(exchangeId: string, credentials: Omit<Credentials, "connectionId">, sandbox: boolean): Promise<Exchange> {
  const local = exchangeId === LOCAL_EXCHANGE_ID;
  const classes = await exchangeClasses();
  const ccxtId = local ? "binance" : exchangeId;
  const Ctor = Object.hasOwn(classes, ccxtId) ? classes[ccxtId] : undefined;
  if (!Ctor) throw new ValidationError("Choose an exchange from the list", { exchangeId: ["Choose an exchange from the list"] });
  const ex = new Ctor({
    apiKey: credentials.apiKey,
    secret: credentials.secret,
    ...(credentials.password ? { password: credentials.password } : {}),
    enableRateLimit: true,
    options: {
      defaultType: "spot",
      fetchCurrencies: false,
      fetchMargins: false,
      ...(ccxtId === "binance" ? { fetchMarkets: { types: ["spot"] }, fetchOpenOrders: { warnWithoutSymbol: false } } : {}),
    },
  });
  ex.number = String as unknown as Exchange["number"];
  if (local) {
    const fake = await localTestExchange();
    ex.fetchImplementation = fake.fetchImplementation;
    shareMarkets(ex, `${LOCAL_EXCHANGE_ID}:${fake.url}`);
  } else {
    if (sandbox) ex.setSandboxMode(true);
    shareMarkets(ex, `${ccxtId}:${sandbox ? "sandbox" : "live"}`);
  }
  return ex;
}

function parseCreate(input: CreateConnectionInput) {
  const parsed = createConnectionInput.safeParse(input);
  if (!parsed.success) throw new ValidationError("Check the highlighted fields", fieldErrorsFromZod(parsed.error));
  return parsed.data;
}

const view = (row: typeof exchangeConnections.$inferSelect): ConnectionView => ({
  id: row.id,
  exchangeId: row.exchangeId,
  label: row.label,
  keyHint: row.keyHint,
  sandbox: row.sandbox,
  status: row.status,
  statusReason: row.statusReason,
  permissions: row.permissions,
  lastCheckedAt: row.lastCheckedAt,
});

/** The columns of a `ConnectionView`, for every select that returns one. */
export const viewColumns = {
  id: exchangeConnections.id,
  exchangeId: exchangeConnections.exchangeId,
  label: exchangeConnections.label,
  keyHint: exchangeConnections.keyHint,
  sandbox: exchangeConnections.sandbox,
  status: exchangeConnections.status,
  statusReason: exchangeConnections.statusReason,
  permissions: exchangeConnections.permissions,
  lastCheckedAt: exchangeConnections.lastCheckedAt,
};

interface CheckOutcome {
  status: "active" | "error";
  statusReason: string | null;
  permissions: ExchangeKeyPermissions | null;
  /** A key that can withdraw is not kept. */
  wipeCredentials: boolean;
}

/**
 * One private call (the balance) proves the key and secret; then, where the exchange reports them, the key's
 * permissions. Only the exchange's code and message leave here (never the error itself: ccxt's can carry URLs).
 */
async function checkKey(ctx: ActingContext, ex: Exchange, connectionId: string, exchangeName: string): Promise<CheckOutcome> {
  try {
    await ex.fetchBalance();
  } catch (err) {
    const e = classifyVenueError(ex.id, err);
    ctx.log.warn({ connectionId, exchangeId: ex.id, code: e.code, kind: e.kind }, "exchange connection check failed");
    const said = `${e.code ? `${e.code}: ` : ""}${e.message}`;
    return {
      status: "error",
      statusReason:
        e.kind === "ambiguous"
          ? `${exchangeName} did not answer (${said}). Try again in a few minutes.`
          : `${exchangeName} refused the key (${said}). Check that the key and secret were copied whole, that the key may read and trade spot, and, if it is restricted to IP addresses, that this server's address is on its list.`,
      permissions: null,
      wipeCredentials: false,
    };
  }
  if (ex.id !== "binance") {
    return { status: "active", statusReason: null, permissions: { canTrade: null, canWithdraw: null, ipRestricted: null, checkedVia: "none", warnings: [`${exchangeName}'s key permissions cannot be checked from here: make sure the key cannot withdraw. ${HOW_TO_MAKE_A_SAFE_KEY}`] }, wipeCredentials: false };
  }
  if (!(ex.urls.api as Record<string, unknown>).sapi) {
    // ccxt's testnet URLs have no sapi (Binance's spot testnet has no such endpoint, and no withdrawals either).
    return { status: "active", statusReason: null, permissions: { canTrade: null, canWithdraw: false, ipRestricted: null, checkedVia: "testnet", warnings: [] }, wipeCredentials: false };
  }
  let restrictions: { enableWithdrawals?: boolean; ipRestrict?: boolean; enableSpotAndMarginTrading?: boolean };
  try {
    restrictions = (await (ex as Exchange & { sapiGetAccountApiRestrictions(): Promise<typeof restrictions> }).sapiGetAccountApiRestrictions()) ?? {};
  } catch (err) {
    const e = classifyVenueError(ex.id, err);
    ctx.log.warn({ connectionId, exchangeId: ex.id, code: e.code, kind: e.kind }, "exchange key permissions check failed");
    return { status: "error", statusReason: `${exchangeName} did not say what the key may do (${e.code ? `${e.code}: ` : ""}${e.message}). Try again in a few minutes.`, permissions: null, wipeCredentials: false };
  }
  const permissions: ExchangeKeyPermissions = {
    canTrade: restrictions.enableSpotAndMarginTrading === true,
    canWithdraw: restrictions.enableWithdrawals === true,
    ipRestricted: restrictions.ipRestrict === true,
    checkedVia: "sapiGetAccountApiRestrictions",
    warnings: [],
  };
  if (permissions.canWithdraw) {
    return { status: "error", statusReason: `Refused: this key can withdraw funds, so anyone who obtained it could empty the account. It was not kept. ${HOW_TO_MAKE_A_SAFE_KEY}`, permissions, wipeCredentials: true };
  }
  if (!permissions.canTrade) {
    return { status: "error", statusReason: `This key may not trade spot: enable "Spot & Margin Trading" for it on ${exchangeName}, or ${HOW_TO_MAKE_A_SAFE_KEY.charAt(0).toLowerCase()}${HOW_TO_MAKE_A_SAFE_KEY.slice(1)}`, permissions, wipeCredentials: false };
  }
  if (!permissions.ipRestricted) {
    permissions.warnings.push(`This key works from any IP address: restrict it to this server's IP address on ${exchangeName} so a leaked key is useless elsewhere.`);
  }
  return { status: "active", statusReason: permissions.warnings[0] ?? null, permissions, wipeCredentials: false };
}

/**
 * An Alpaca key's check: one private call (the account). Alpaca keys cannot withdraw or move money (the account
 * holder does that in Alpaca's dashboard), so there is no withdraw permission to refuse. Alpaca's code and message
 * (cleaned of anything key-like by the integration) reach the reason; the log line gets neither.
 */
async function checkAlpaca(ctx: ActingContext, credentials: Credentials, exchangeId: string, sandbox: boolean): Promise<CheckOutcome> {
  const check = await checkAlpacaKey(await buildAlpacaClient(exchangeId, credentials, sandbox));
  if (check.status === "error") ctx.log.warn({ connectionId: credentials.connectionId, exchangeId, accountFound: check.account !== null }, "exchange connection check failed");
  return { status: check.status, statusReason: check.statusReason, permissions: check.permissions, wipeCredentials: false };
}

/**
 * Adds an exchange account for the acting user: validates, seals the credentials, saves the connection
 * `unverified`, checks the key with the exchange and stores the outcome (active, or error with the reason). The
 * returned view says which; a refused key is an `error` connection with the reason, not an exception, so the
 * follower sees the same thing here and in the list.
 */
export async function createConnection(ctx: ActingContext, raw: CreateConnectionInput): Promise<ConnectionView> {
  const input = parseCreate(raw);
  const offered = await listSupportedExchanges();
  const exchange = offered.find((e) => e.id === input.exchangeId);
  if (!exchange) throw new ValidationError("Choose an exchange from the list", { exchangeId: ["Choose an exchange from the list"] });

  const local = isLocal(exchange.id);
  // The local test exchange (and broker) has its own key unless one is given (tests give theirs).
  const own = local && (!input.apiKey || !input.secret) ? await localKey(exchange.id) : undefined;
  const apiKey = input.apiKey ?? own?.apiKey;
  const secret = input.secret ?? own?.secret;
  const missing: Record<string, string[]> = {};
  if (!apiKey) missing.apiKey = ["Enter the API key"];
  if (!secret) missing.secret = ["Enter the API secret"];
  if (exchange.credentials.includes("password") && !input.password) missing.password = [`Enter the passphrase you set when creating the key on ${exchange.name}`];
  if (Object.keys(missing).length) throw new ValidationError("Check the highlighted fields", missing);

  const sandbox = local ? true : input.sandbox;
  if (sandbox && !exchange.hasSandbox) {
    throw new ValidationError(`${exchange.name} has no sandbox: turn the sandbox off and confirm this is a live account`, { sandbox: [`${exchange.name} has no sandbox`] });
  }
  if (!sandbox && !input.confirmLive) {
    throw new ValidationError("Confirm that this is a live account: copies will place real orders with real money", { confirmLive: ["Confirm that this is a live account"] });
  }

  // Counted before anything is saved or sent: each attempt calls the exchange with the key.
  await consume("exchange-connection-create", ctx.actor.id, CREATE_CONNECTION_RATE.points, CREATE_CONNECTION_RATE.seconds);

  const id = newId("exc");
  const credentials: Credentials = { connectionId: id, apiKey: apiKey!, secret: secret!, ...(input.password ? { password: input.password } : {}) };
  // INVARIANT: a deleted account stores no key (see privacy/live-account.ts): checked under its row's lock.
  const inserted = await db.transaction(async (tx) => {
    await lockLiveAccount(tx, ctx.actor.id);
    return tx
      .insert(exchangeConnections)
      .values({
        id,
        userId: ctx.actor.id,
        exchangeId: exchange.id,
        label: input.label,
        sandbox,
        liveConfirmedAt: sandbox ? null : ctx.now,
        credentialsSealed: sealFor("exchange-credentials", JSON.stringify(credentials)),
        keyHint: apiKey!.slice(0, 4),
        status: "unverified",
      })
      .onConflictDoNothing()
      .returning({ id: exchangeConnections.id });
  });
  if (!inserted.length) throw new ConflictError(`You already have a connection named "${input.label}"`);

  const outcome = isAlpaca(exchange.id)
    ? await checkAlpaca(ctx, credentials, exchange.id, sandbox)
    : await checkKey(ctx, await buildClient(exchange.id, credentials, sandbox), id, exchange.name);
  const row = await db.transaction(async (tx) => {
    // The account may have been deleted while the exchange was asked (the erase removed this row and its key):
    // refuse rather than bring the connection back.
    await lockLiveAccount(tx, ctx.actor.id);
    const [updated] = await tx
      .update(exchangeConnections)
      .set({
        status: outcome.status,
        statusReason: outcome.statusReason,
        permissions: outcome.permissions,
        lastCheckedAt: ctx.now,
        ...(outcome.wipeCredentials ? { credentialsSealed: "" } : {}),
      })
      .where(eq(exchangeConnections.id, id))
      .returning();
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: "exchange.connection.create",
      targetType: "exchange_connection",
      targetId: id,
      data: { exchangeId: exchange.id, sandbox, status: outcome.status, keyHint: apiKey!.slice(0, 4) },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return updated;
  });
  ctx.log.info({ connectionId: id, exchangeId: exchange.id, sandbox, status: outcome.status }, "exchange connection added");
  return view(row!);
}

/** The acting user's connections (removed ones left out), oldest first. */
export async function listConnections(ctx: ActingContext): Promise<ConnectionView[]> {
  return db
    .select(viewColumns)
    .from(exchangeConnections)
    .where(and(eq(exchangeConnections.userId, ctx.actor.id), ne(exchangeConnections.status, "removed")))
    .orderBy(exchangeConnections.createdAt, exchangeConnections.id);
}

export type RemoveConnectionResult = { needsDecision: true; openCopies: number } | { removed: true; status: "removed" | "removing"; closing: number };

/**
 * Removes one of the acting user's connections. With copies still open on it, the follower decides first:
 * `{ needsDecision, openCopies }` until they ask to close them (`closeCopies: true`); then each is closed through the
 * engine (a closing order the connection's run places on the exchange) and the connection stays `removing`, usable
 * for those orders only, until they have filled. Without open copies it is `removed` and its credentials wiped.
 */
export async function removeConnection(ctx: ActingContext, id: string, raw: { closeCopies?: boolean } = {}): Promise<RemoveConnectionResult> {
  const { closeCopies } = removeConnectionInput.parse(raw);
  const [row] = await db
    .select({ id: exchangeConnections.id, status: exchangeConnections.status })
    .from(exchangeConnections)
    .where(and(eq(exchangeConnections.id, id), eq(exchangeConnections.userId, ctx.actor.id), ne(exchangeConnections.status, "removed")));
  if (!row) throw new NotFoundError("Connection not found");

  const open = await db
    .select({ id: positions.id })
    .from(positions)
    .where(and(eq(positions.userId, ctx.actor.id), eq(positions.venue, id), eq(positions.status, "open")));
  if (open.length && !closeCopies) return { needsDecision: true, openCopies: open.length };

  if (open.length) {
    await db.transaction(async (tx) => {
      await tx.update(exchangeConnections).set({ status: "removing", statusReason: "Closing its open copies before removal" }).where(eq(exchangeConnections.id, id));
      await recordAudit(tx, { actorId: ctx.actor.id, action: "exchange.connection.remove", targetType: "exchange_connection", targetId: id, data: { closing: open.length }, ip: ctx.ip, userAgent: ctx.userAgent });
    });
    await closePositionsNow({ userId: ctx.actor.id, positionIds: open.map((p) => p.id), reason: "manual", now: ctx.now });
    ctx.log.info({ connectionId: id, closing: open.length }, "exchange connection removing: closing its copies");
    return { removed: true, status: "removing", closing: open.length };
  }
  await db.transaction(async (tx) => {
    await tx
      .update(exchangeConnections)
      .set({ status: "removed", statusReason: null, credentialsSealed: "" })
      .where(and(eq(exchangeConnections.id, id), inArray(exchangeConnections.status, ["unverified", "active", "error", "removing"])));
    await recordAudit(tx, { actorId: ctx.actor.id, action: "exchange.connection.remove", targetType: "exchange_connection", targetId: id, data: { closing: 0 }, ip: ctx.ip, userAgent: ctx.userAgent });
    await resolveDiscrepanciesOf(tx, id, ctx.now);
  });
  clients.delete(id);
  ctx.log.info({ connectionId: id }, "exchange connection removed");
  return { removed: true, status: "removed", closing: 0 };
}

/** A removed connection is no longer reconciled: what was still open on it is closed as "connection_removed". */
async function resolveDiscrepanciesOf(tx: Executor, connectionId: string, now: Date): Promise<void> {
  await tx
    .update(venueDiscrepancies)
    .set({ status: "resolved", resolution: "connection_removed", resolvedAt: now })
    .where(and(eq(venueDiscrepancies.connectionId, connectionId), eq(venueDiscrepancies.status, "open")));
}

/**
 * Completes a removal: a `removing` connection whose open copies are all closed and which has no planned order left
 * becomes `removed`, its credentials wiped (one statement, so an order planned or a copy opened meanwhile keeps it
 * removing). Returns whether it did. Called by the connection's job after its placements; harmless on any other
 * connection (nothing happens).
 */
export async function finishRemovalIfDone(connectionId: string): Promise<boolean> {
  const done = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(exchangeConnections)
      .set({ status: "removed", statusReason: null, credentialsSealed: "" })
      .where(
        and(
          eq(exchangeConnections.id, connectionId),
          eq(exchangeConnections.status, "removing"),
          notExists(tx.select({ one: sql`1` }).from(positions).where(and(eq(positions.venue, connectionId), eq(positions.status, "open")))),
          notExists(tx.select({ one: sql`1` }).from(copyOrders).where(and(eq(copyOrders.venue, connectionId), eq(copyOrders.status, "planned")))),
        ),
      )
      .returning({ id: exchangeConnections.id, userId: exchangeConnections.userId });
    if (!row) return null;
    // The platform finished what the follower asked for (their own removal is audited when they asked).
    await recordAudit(tx, { actorId: null, action: "exchange.connection.removed", targetType: "exchange_connection", targetId: row.id, data: { userId: row.userId, after: "its copies closed" } });
    await resolveDiscrepanciesOf(tx, row.id, new Date());
    return row;
  });
  if (!done) return false;
  clients.delete(connectionId);
  logger.info({ connectionId }, "exchange connection removed: its copies are closed");
  return true;
}

/** Opens a row's credentials; the connection id sealed inside must be the row's (a blob moved between rows fails). */
function openCredentials(row: { id: string; credentialsSealed: string }): Credentials {
  const credentials = JSON.parse(openFor("exchange-credentials", row.credentialsSealed)) as Credentials;
  if (credentials.connectionId !== row.id) throw new Error(`The sealed credentials on connection ${row.id} belong to another connection`);
  return credentials;
}

type ConnectionClient = { kind: "ccxt"; exchange: Exchange; venue: CcxtVenue } | { kind: "alpaca"; venue: AlpacaVenue };

// One client per connection for the process's lifetime: markets load once and the rate limiter is shared (ccxt's,
// or the Alpaca SDK's per-account one).
const clients = new Map<string, Promise<ConnectionClient>>();

/**
 * The live venue of a connection that may place orders (active, or removing while its closing orders go out), or
 * null: for the venue resolver the copy engine installs. A ccxt venue for crypto exchanges, an Alpaca one for
 * Alpaca accounts (entries outside market hours as `ALPACA_OUTSIDE_HOURS` says; exits wait for the open). The client
 * is built once per connection.
 */
export async function connectionVenue(connectionId: string): Promise<SerialVenue | null> {
  return (await connectionClient(connectionId))?.venue ?? null;
}

/** A connection's ccxt venue with its read methods (reconciliation), or null when it has none (Alpaca, unusable). */
export async function connectionCcxtVenue(connectionId: string): Promise<CcxtVenue | null> {
  const client = await connectionClient(connectionId);
  return client?.kind === "ccxt" ? client.venue : null;
}

async function connectionClient(connectionId: string): Promise<ConnectionClient | null> {
  const [row] = await db
    .select({ id: exchangeConnections.id, exchangeId: exchangeConnections.exchangeId, sandbox: exchangeConnections.sandbox, credentialsSealed: exchangeConnections.credentialsSealed })
    .from(exchangeConnections)
    .where(and(eq(exchangeConnections.id, connectionId), inArray(exchangeConnections.status, ["active", "removing"]), sql`${exchangeConnections.credentialsSealed} <> ''`));
  if (!row) {
    clients.delete(connectionId);
    return null;
  }
  let client = clients.get(connectionId);
  if (!client) {
    client = (async (): Promise<ConnectionClient> => {
      if (isAlpaca(row.exchangeId)) {
        const alpaca = await buildAlpacaClient(row.exchangeId, openCredentials(row), row.sandbox);
        return { kind: "alpaca", venue: new AlpacaVenue({ client: alpaca, outsideHours: ALPACA_OUTSIDE_HOURS }) };
      }
      const exchange = await buildClient(row.exchangeId, openCredentials(row), row.sandbox);
      return { kind: "ccxt", exchange, venue: new CcxtVenue({ exchange }) };
    })();
    clients.set(connectionId, client);
    client.catch(() => clients.delete(connectionId));
  }
  return client;
}

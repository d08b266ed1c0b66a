/**
 * TradingView alerts → signals. The provider's secret webhook URL identifies them (only its sha256 is stored), an
 * optional passphrase in the body adds a second factor, stale alerts are refused, and every delivery is idempotent:
 * a repeat (TradingView re-sends after errors, users double-fire alerts) returns the first answer and writes nothing.
 */
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { env } from "@/env";
import { db, type Executor } from "@/server/db";
import { executeRows, rawQuery, type RawRow } from "@/server/db/raw";
import { providers, signals, webhookDeliveries } from "@/server/db/schema";
import { ConflictError, ValidationError, errorBody, isLockTimeout, refusalOf, statusOf } from "@/server/errors";
import { constantTimeEqual, open, randomToken, seal, sha256Hex } from "@/server/crypto/secret-box";
import { recordAudit } from "@/server/services/audit";
import { getMarketData, type SymbolInfo } from "@/server/integrations/market-data";
import {
  announceChange,
  announcePublished,
  checkPublicationVerdict,
  exitLocked,
  liveSignalRows,
  publishChecked,
  publishLocked,
  publishOptimistic,
  refundPublication,
  tryCheckPublication,
  type PublicationCheck,
  type LiveSignal,
  type SignalRow,
} from "@/server/services/signals";
import { toView } from "@/server/services/signals/views";
import { parseAlert, type ParsedAlert } from "@/lib/tradingview";

export interface AlertOutcome {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Creates (or replaces) the provider's webhook secret; the URL is shown once. */
export async function rotateWebhookToken(userId: string, providerId: string): Promise<{ token: string }> {
  const token = `tv_${randomToken(24)}`;
  await db.transaction(async (tx) => {
    await tx.update(providers).set({ webhookTokenHash: sha256Hex(token) }).where(eq(providers.id, providerId));
    await recordAudit(tx, { actorId: userId, action: "provider.webhook_rotated", targetType: "provider", targetId: providerId });
  });
  forgetProvider(providerId);
  return { token };
}

export async function setWebhookPassphrase(userId: string, providerId: string, passphrase: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(providers).set({ webhookPassphraseEnc: passphrase ? seal(passphrase) : null }).where(eq(providers.id, providerId));
    await recordAudit(tx, { actorId: userId, action: passphrase ? "provider.webhook_passphrase_set" : "provider.webhook_passphrase_cleared", targetType: "provider", targetId: providerId });
  });
  forgetProvider(providerId);
}

export async function webhookStatus(providerId: string) {
  const p = await db.query.providers.findFirst({ where: eq(providers.id, providerId), columns: { webhookTokenHash: true, webhookPassphraseEnc: true } });
  return { configured: Boolean(p?.webhookTokenHash), passphrase: Boolean(p?.webhookPassphraseEnc) };
}

function idempotencyKeyOf(alert: ParsedAlert, rawBody: string, now: Date): string {
  if (alert.alertId) return `tv:id:${sha256Hex(alert.alertId)}`;
  // Without an id, the body itself (which carries TradingView's {{timenow}} when the template has it) is the key;
  // with no time in it, identical bodies within the same 5 minutes are one delivery.
  const bucket = alert.time ? "" : `:${Math.floor(now.getTime() / 300_000)}`;
  return `tv:${sha256Hex(rawBody)}${bucket}`;
}

/** Take-profit prices from an alert share the position equally (a single target closes it all). */
function splitTargets(prices: string[]): { price: string; share: string }[] {
  if (!prices.length) return [];
  const shares = prices.length === 1 ? ["1"] : prices.length === 2 ? ["0.5", "0.5"] : ["0.34", "0.33", "0.33"];
  return prices.map((price, i) => ({ price, share: shares[i]! }));
}

/** The alert's order, as `publishSignal` takes it. */
function openInput(alert: ParsedAlert, info: SymbolInfo, side: "long" | "short", key: string) {
  return {
    symbol: info.symbol,
    side,
    entryType: "market" as const,
    ...(alert.price ? { entryPrice: alert.price } : {}),
    ...(alert.stop ? { stopLoss: alert.stop } : {}),
    takeProfits: splitTargets(alert.takeProfits),
    note: alert.comment ?? "",
    idempotencyKey: key,
  };
}

/** The side an alert may open (after exiting the other side, if it has to), else null. */
function opensSide(intent: ParsedAlert["intent"]): "long" | "short" | null {
  return intent === "open_long" || intent === "close_or_open_long" ? "long" : intent === "open_short" || intent === "close_or_open_short" ? "short" : null;
}

const otherSide = (side: "long" | "short") => (side === "long" ? "short" : "long");

/** The side an alert opens when it has nothing to exit first (the common case), else null. */
function plainOpen(intent: ParsedAlert["intent"], live: LiveSignal[]): "long" | "short" | null {
  const side = opensSide(intent);
  return side && !live.some((s) => s.side === otherSide(side)) ? side : null;
}

const unknownUrl = (): AlertOutcome => ({ status: statusOf("not_found"), body: errorBody("Unknown webhook URL. Copy it again from Settings → TradingView.") });

/**
 * A repeat's answer: the first delivery's, as recorded with its effect. A repeat of an alert that took effect is a
 * 200; one whose open was refused after its exit keeps that refusal's status.
 */
function repeatAnswer(response: Record<string, unknown>, status = 200): AlertOutcome {
  return { status: status >= 400 ? status : 200, body: { ...response, duplicate: true } };
}

/**
 * Seconds a repeat of an alert still being processed is told to wait. TradingView resends only after a 5xx, 5 s
 * apart; by then the first delivery has answered, or — its process having died — its claim has lapsed (see
 * `settle`), so the resend is processed.
 */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;

/** A repeat of an alert still being processed (or one the provider's lock kept waiting too long): retry shortly. */
function inFlightAnswer(): AlertOutcome {
  return {
    status: 503,
    body: { error: { message: `This alert is already being processed. Send it again in ${IN_FLIGHT_RETRY_AFTER_SECONDS} seconds to get its answer.` } },
    headers: { "retry-after": String(IN_FLIGHT_RETRY_AFTER_SECONDS) },
  };
}

/** A refusal (DomainError) as the 4xx answer, with its kind's status like every edge's; anything else is rethrown. */
function refusal(err: unknown): AlertOutcome {
  const refused = refusalOf(err);
  if (!refused) throw err;
  return { status: refused.status, body: errorBody(refused.message, refused.fieldErrors) };
}

interface DeliveryContext {
  id: string;
  userId: string;
  webhookPassphraseEnc: string | null;
  /** An earlier delivery of this alert: its status and answer (status 0: a claim an older version left; ignored). */
  deliveryStatus: number | null;
  deliveryResponse: Record<string, unknown> | null;
  /** A signal already holds the alert's idempotency key. */
  keyUsed: boolean;
  /** Live signals on the alert's symbol, newest first (read before any lock: the fast way's hint only). */
  live: LiveSignal[];
}

/**
 * Deliveries this process is processing (provider id and key). A repeat arriving meanwhile is answered 503 with
 * Retry-After at once, rather than being checked against the market and counted against the rate limit; in
 * another process, a repeat finds the delivery's claim taken (`settle`) or waits on the provider's lock and then
 * finds the recorded answer.
 */
const inFlight = new Set<string>();

interface KnownProvider {
  id: string;
  userId: string;
  webhookPassphraseEnc: string | null;
  until: number;
}

/**
 * Providers by webhook token hash, as recent deliveries found them, so the next alert can be checked before its
 * transaction (`openKnown`). Never trusted on its own: the transaction locks the provider row only if it still has
 * that token and passphrase. Rotating the token or changing the passphrase forgets the provider here at once.
 */
const knownProviders = new Map<string, KnownProvider>();
const KNOWN_PROVIDER_MS = 60_000;
const KNOWN_PROVIDERS_MAX = 10_000;

function rememberProvider(tokenHash: string, p: { id: string; userId: string; webhookPassphraseEnc: string | null }) {
  if (knownProviders.size >= KNOWN_PROVIDERS_MAX) knownProviders.clear();
  knownProviders.set(tokenHash, { id: p.id, userId: p.userId, webhookPassphraseEnc: p.webhookPassphraseEnc, until: Date.now() + KNOWN_PROVIDER_MS });
}

function knownProvider(tokenHash: string): KnownProvider | undefined {
  const p = knownProviders.get(tokenHash);
  if (p && p.until < Date.now()) knownProviders.delete(tokenHash);
  return p && p.until >= Date.now() ? p : undefined;
}

function forgetProvider(providerId: string) {
  for (const [hash, p] of knownProviders) if (p.id === providerId) knownProviders.delete(hash);
}

/** Locks the provider row if it still has the token; its passphrase is compared with the remembered one. */
const LOCK_KNOWN_PROVIDER_SQL = `select webhook_passphrase_enc as "webhookPassphraseEnc" from providers where id = $1 and webhook_token_hash = $2 for no key update`;
/** SQL: a live signal of the provider on the symbol has the given side (the one an opening alert would exit first). */
const liveOnSide = (provider: string, symbol: string, side: string) =>
  `exists (select 1 from signals as o where o.provider_id = ${provider} and o.symbol = ${symbol} and o.side = ${side}::text::signal_side and o.status in ('pending', 'open'))`;
const LIVE_SIDE_SQL = `select ${liveOnSide("$1", "$2", "$3")} as "live"`;

/**
 * The common case — an alert that only opens a signal, from a provider a recent delivery found — in two round
 * trips: the publication is checked first, then one transaction locks the provider (if the token and passphrase
 * are still the ones checked), reads the chain head, any delivery of the alert and any position to exit, and writes
 * the signal with the delivery. Returns null whenever the answer could differ from `handleAlert`'s exact path
 * (a refusal, a changed token, something to exit, a key already used), having written and counted nothing.
 */
async function openKnown(known: KnownProvider, tokenHash: string, alert: ParsedAlert, info: SymbolInfo, key: string, now: Date): Promise<AlertOutcome | null> {
  if (known.webhookPassphraseEnc && (!alert.passphrase || !constantTimeEqual(alert.passphrase, open(known.webhookPassphraseEnc)))) return null;
  if (alert.time && (now.getTime() - alert.time.getTime()) / 1000 > env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS) return null;
  const side = opensSide(alert.intent);
  const flight = `${known.id} ${key}`;
  if (!side || inFlight.has(flight)) return null;
  inFlight.add(flight);
  try {
    const meta = { actorId: known.userId, now };
    const checked = await tryCheckPublication(known.id, openInput(alert, info, side, key), meta);
    if (!checked) return null;
    // One statement when this process wrote the provider's last chain entry; the locked way below otherwise.
    const optimistic = await publishOptimistic(known.id, checked, "tradingview", meta, openedAnswer(key), ($) =>
      [
        `p.webhook_token_hash = ${$(tokenHash)}::text`,
        `p.webhook_passphrase_enc is not distinct from ${$(known.webhookPassphraseEnc)}::text`,
        `not ${liveOnSide("p.id", `${$(info.symbol)}::text`, $(otherSide(side)))}`,
      ].join(" and "),
    );
    if (optimistic) return { status: optimistic.status, body: optimistic.body };
    let result: Awaited<ReturnType<typeof publishChecked<"changed" | "exits">>>;
    try {
      result = await publishChecked(known.id, checked, "tradingview", meta, openedAnswer(key), {
        lockTimeout: LOCK_TIMEOUT,
        lock: [LOCK_KNOWN_PROVIDER_SQL, [known.id, tokenHash]],
        read: [LIVE_SIDE_SQL, [known.id, info.symbol, otherSide(side)]],
        check: (locked, [live]) => {
          if (!locked.length || locked[0]!.webhookPassphraseEnc !== known.webhookPassphraseEnc) {
            knownProviders.delete(tokenHash);
            return "changed";
          }
          return live!.live ? "exits" : undefined;
        },
      });
    } catch (err) {
      // The provider's row is held for longer than an alert may wait: TradingView's resend comes in 5 s.
      if (!isLockTimeout(err)) throw err;
      await refundPublication(known.id);
      return inFlightAnswer();
    }
    if (result.outcome === "published") return { status: result.status, body: result.body };
    if (result.outcome === "recorded") return repeatAnswer(result.response, result.status);
    return null;
  } finally {
    inFlight.delete(flight);
  }
}

/** What an alert that opened a signal answers (and its delivery records). */
function openedAnswer(key: string) {
  return { key, answer: (signal: SignalRow) => ({ status: 201, body: { action: "opened", signal: toView(signal, "owner") } }) };
}

/**
 * Everything a delivery is decided on, in one round trip (plain SQL: this is the webhook's hot path): the provider
 * owning the token ($1: its sha256), an earlier delivery and a signal with the idempotency key ($2), and the live
 * signals on the symbol ($3).
 */
const DELIVERY_CONTEXT_SQL = `select p.id, p.user_id as "userId", p.webhook_passphrase_enc as "webhookPassphraseEnc",
  d.status as "deliveryStatus", d.response as "deliveryResponse",
  exists (select 1 from signals as k where k.provider_id = p.id and k.idempotency_key = $2) as "keyUsed",
  coalesce((select json_agg(json_build_object('id', s.id, 'side', s.side, 'status', s.status) order by s.published_at desc)
    from signals as s where s.provider_id = p.id and s.symbol = $3 and s.status in ('pending', 'open')), '[]'::json) as live
from providers as p
left join webhook_deliveries as d on d.provider_id = p.id and d.key = $2
where p.webhook_token_hash = $1`;

/**
 * Handles one webhook delivery. Never throws for bad input: every refusal is a 4xx outcome with a message, and a
 * refused delivery writes nothing.
 *
 * Every delivery's effect and its recorded answer commit in one transaction, so a delivery has exactly one effect
 * whatever crashes: a repeat finds the recorded answer (200, `duplicate: true`), or — while the first is still
 * being processed — a 503 with Retry-After; a delivery whose process died left nothing behind and is processed
 * when it comes again. An alert that only opens a signal goes the fast way (`openKnown`: one statement, or two
 * round trips); every other alert, and any open the fast way cannot settle, is decided under the provider's lock
 * on the state found there (`settle`).
 */
export async function handleAlert(token: string, rawBody: string, contentType: string | null, now: Date = new Date()): Promise<AlertOutcome> {
  if (!/^tv_[A-Za-z0-9_-]{20,64}$/.test(token)) return unknownUrl();
  const parsed = parseAlert(rawBody, contentType);
  const key = parsed.ok ? idempotencyKeyOf(parsed.alert, rawBody, now) : null;
  // Resolved before the provider is known so the context needs one round trip; a failure surfaces only where the
  // symbol is needed, after the checks below, as it always has.
  let symbol: { info: SymbolInfo | null } | { error: unknown } = { info: null };
  if (parsed.ok) {
    try {
      symbol = { info: await getMarketData().getSymbol(parsed.alert.ticker) };
    } catch (error) {
      symbol = { error };
    }
  }
  const info = "info" in symbol ? symbol.info : null;
  const tokenHash = sha256Hex(token);
  if (parsed.ok && key && info) {
    const known = knownProvider(tokenHash);
    const fast = known ? await openKnown(known, tokenHash, parsed.alert, info, key, now) : null;
    if (fast) return fast;
  }

  const [ctx] = await rawQuery<DeliveryContext & RawRow>(DELIVERY_CONTEXT_SQL, [tokenHash, key, info?.symbol ?? null]);
  if (!ctx) return unknownUrl();
  rememberProvider(tokenHash, ctx);

  if (!parsed.ok) return { status: statusOf("invalid"), body: { error: { message: parsed.message, ...(parsed.field ? { field: parsed.field } : {}) } } };
  const alert = parsed.alert;

  if (ctx.webhookPassphraseEnc && !passphraseMatches(alert, ctx.webhookPassphraseEnc)) return wrongPassphrase();
  if (alert.time) {
    const ageSec = (now.getTime() - alert.time.getTime()) / 1000;
    if (ageSec > env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS) {
      return refusal(new ValidationError(`The alert is stale: it was sent ${Math.round(ageSec)} s ago, more than the ${env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS} s allowed.`));
    }
  }

  const deliveryKey = key ?? idempotencyKeyOf(alert, rawBody, now);
  if (ctx.deliveryStatus && ctx.deliveryResponse) return repeatAnswer(ctx.deliveryResponse, ctx.deliveryStatus);
  if ("error" in symbol) throw symbol.error;
  if (!info) return refusal(new ValidationError(`Unknown symbol "${alert.ticker}". Use a symbol Tradsy lists, e.g. BTCUSDT.`, { ticker: [`Unknown symbol "${alert.ticker}"`] }));

  const provider: KnownProvider = { id: ctx.id, userId: ctx.userId, webhookPassphraseEnc: ctx.webhookPassphraseEnc, until: 0 };
  if (inFlight.has(`${provider.id} ${deliveryKey}`)) return inFlightAnswer();
  if (!ctx.keyUsed && plainOpen(alert.intent, ctx.live)) {
    const opened = await openKnown(provider, tokenHash, alert, info, deliveryKey, now);
    if (opened) return opened;
  }
  return settle(provider, tokenHash, alert, info, deliveryKey, now);
}

const passphraseMatches = (alert: ParsedAlert, sealed: string) => Boolean(alert.passphrase) && constantTimeEqual(alert.passphrase!, open(sealed));
const wrongPassphrase = (): AlertOutcome => ({ status: statusOf("unauthorized"), body: errorBody("The alert's passphrase is missing or wrong.") });

/**
 * How long an alert waits for its provider's row (held by the price monitor, a manual close, another alert) before
 * it is answered 503 + Retry-After: well inside TradingView's 3 s timeout, and the bound on how long a claim whose
 * process died while waiting can outlive it.
 */
const LOCK_TIMEOUT = "2s";

/** Thrown inside `settle`'s transaction when another process holds this delivery's claim. */
class DeliveryInFlight extends Error {}

/** What `settle`'s transaction decided: the answer recorded with it, and what to announce once it committed. */
interface Settled {
  answer: AlertOutcome;
  exited: SignalRow[];
  opened: SignalRow | null;
  /** The open was refused by its checks (after exits that stand): the refusal counts against the quota. */
  openRefused?: boolean;
}

/**
 * The general way, for every alert: one transaction that claims the delivery, locks the provider, reads the state
 * (an earlier answer, the signal holding the key, the live signals on the symbol), decides the alert on what it
 * found, makes every change (exits, the open) and records the answer, then commits — or, on a refusal or any
 * failure, writes nothing.
 *
 * The claim is this transaction's advisory lock on (provider, key): a repeat in another process finds it taken
 * and is answered 503 at once. It lasts exactly as long as the transaction, so it cannot outlive its process: when
 * a process dies, PostgreSQL ends its transactions as soon as it notices the connection gone — at once if the
 * transaction was idle between statements, and within the 2 s `lock_timeout` if it was waiting for the provider's
 * lock (the statement then fails and the dead connection is found). A redelivery after that is processed; one
 * before it gets 503, and TradingView's next resend (5 s later) is processed.
 *
 * The market is read before the transaction (nothing but the database is awaited under the lock): the price an
 * exit fills at, and the open's checks, whose verdict counts only if the alert turns out to open.
 */
async function settle(provider: KnownProvider, tokenHash: string, alert: ParsedAlert, info: SymbolInfo, key: string, now: Date): Promise<AlertOutcome> {
  const flight = `${provider.id} ${key}`;
  if (inFlight.has(flight)) return inFlightAnswer();
  inFlight.add(flight);
  try {
    const meta = { actorId: provider.userId, now };
    const side = opensSide(alert.intent);
    const price = alert.intent === "cancel" ? null : (await getMarketData().lastPrice(info.symbol)).price;
    const check = side ? await checkPublicationVerdict(provider.id, openInput(alert, info, side, key), meta) : null;
    let settled: Settled;
    try {
      settled = await db.transaction((tx) => settleLocked(tx, { provider, tokenHash, alert, info, key, now, price, check }));
    } catch (err) {
      // A refused open counts against the quota like any refused publication; nothing else that wrote nothing does.
      if (check?.counted && !(check.ok === false && err === check.error)) await refundPublication(provider.id);
      if (err instanceof DeliveryInFlight || isLockTimeout(err)) return inFlightAnswer();
      return refusal(err);
    }
    if (check?.counted && !settled.opened && !settled.openRefused) await refundPublication(provider.id);
    for (const s of settled.exited) await announceChange(s, s.status === "cancelled" ? "cancelled" : "closed");
    if (settled.opened) await announcePublished(settled.opened);
    return settled.answer;
  } finally {
    inFlight.delete(flight);
  }
}

interface SettleInput {
  provider: KnownProvider;
  tokenHash: string;
  alert: ParsedAlert;
  info: SymbolInfo;
  key: string;
  now: Date;
  /** The market price exits fill at (null for a cancel, which fills nothing). */
  price: string | null;
  /** The open's checks, made before the lock; null when the alert cannot open. */
  check: PublicationCheck | null;
}

async function settleLocked(tx: Executor, { provider, tokenHash, alert, info, key, now, price, check }: SettleInput): Promise<Settled> {
  // Bounds the wait for the provider's lock (the price monitor, a manual close, a dead process's statement).
  await tx.execute(sql.raw(`set local lock_timeout = '${LOCK_TIMEOUT}'`));
  const [claim] = await executeRows<{ free: boolean }>(tx, sql`select pg_try_advisory_xact_lock(hashtext(${`tradingview-delivery:${provider.id}:${key}`})) as free`);
  if (!claim?.free) throw new DeliveryInFlight();
  const [locked] = await executeRows<{ webhookPassphraseEnc: string | null }>(
    tx,
    sql`select webhook_passphrase_enc as "webhookPassphraseEnc" from providers where id = ${provider.id} and webhook_token_hash = ${tokenHash} for no key update`,
  );
  // The token was rotated while this alert was on its way: it no longer belongs to anyone.
  if (!locked) return { answer: unknownUrl(), exited: [], opened: null };
  // The passphrase changed meanwhile: the alert must carry the new one.
  if (locked.webhookPassphraseEnc !== provider.webhookPassphraseEnc && locked.webhookPassphraseEnc && !passphraseMatches(alert, locked.webhookPassphraseEnc)) {
    return { answer: wrongPassphrase(), exited: [], opened: null };
  }

  const [prior] = await tx
    .select({ status: webhookDeliveries.status, response: webhookDeliveries.response })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.providerId, provider.id), eq(webhookDeliveries.key, key)));
  if (prior?.status) return { answer: repeatAnswer(prior.response, prior.status), exited: [], opened: null };

  const side = opensSide(alert.intent);
  const meta = { actorId: provider.userId, now };
  const owner = (s: SignalRow) => toView(s, "owner");
  const record = async (answer: AlertOutcome, exited: SignalRow[], opened: SignalRow | null): Promise<Settled> => {
    await tx
      .insert(webhookDeliveries)
      .values({ providerId: provider.id, key, status: answer.status, response: answer.body })
      // Only a status-0 claim left by an older version can be there (an answer was looked for above, under the lock).
      .onConflictDoUpdate({ target: [webhookDeliveries.providerId, webhookDeliveries.key], set: { status: answer.status, response: answer.body } });
    return { answer, exited, opened };
  };

  if (side) {
    // A signal already holds this alert's key: its open happened (with whatever it exited); nothing more to do.
    const [existing] = await tx.select().from(signals).where(and(eq(signals.providerId, provider.id), eq(signals.idempotencyKey, key))).limit(1);
    if (existing) return record({ status: 200, body: { action: "opened", signal: owner(existing) } }, [], null);
  }

  const live = await liveSignalRows(tx, provider.id, info.symbol);
  const exit = async (targets: SignalRow[]) => {
    const done: SignalRow[] = [];
    // Ends are dated in one order: each at or after the state it acts on and the one before it.
    let at = now;
    for (const s of targets) {
      const next = await exitLocked(tx, s, price ?? s.entryPrice, { ...meta, now: at });
      at = next.closedAt ?? at;
      done.push(next);
    }
    return done;
  };
  const openSide = async (opening: "long" | "short", exited: SignalRow[]) => {
    if (!check) throw new Error("settle: an open without checks");
    if (!check.ok) throw check.error;
    const at = exited.reduce((t, s) => (s.closedAt && s.closedAt > t ? s.closedAt : t), now);
    return publishLocked(tx, provider.id, { ...check.value, now: at }, "tradingview", meta);
  };

  switch (alert.intent) {
    case "cancel": {
      const pending = live.filter((s) => s.status === "pending");
      if (!pending.length) throw new ConflictError(`No pending limit entry on ${info.symbol} to cancel.`);
      const exited = await exit(pending);
      return record({ status: 200, body: { action: "cancelled", signals: exited.map(owner) } }, exited, null);
    }
    case "close": {
      if (!live.length) throw new ConflictError(`No open signal on ${info.symbol} to exit.`);
      const exited = await exit(live);
      return record({ status: 200, body: { action: "closed", signals: exited.map(owner) } }, exited, null);
    }
    case "close_or_open_long":
    case "close_or_open_short": {
      const opening = alert.intent === "close_or_open_long" ? "long" : "short";
      const opposite = live.filter((s) => s.side === otherSide(opening));
      if (opposite.length) {
        const exited = await exit(opposite);
        return record({ status: 200, body: { action: "closed", signals: exited.map(owner) } }, exited, null);
      }
      const opened = await openSide(opening, []);
      return record({ status: 201, body: { action: "opened", signal: owner(opened) } }, [], opened);
    }
    case "open_long":
    case "open_short": {
      const opening = alert.intent === "open_long" ? "long" : "short";
      // A reversal closes the other side first.
      const exited = await exit(live.filter((s) => s.side === otherSide(opening)));
      if (exited.length && check && !check.ok) {
        // The strategy has left the other side whether or not the new one can be opened, and TradingView never
        // resends after a 4xx: the exits stand, recorded with the refusal of the open.
        const refused = refusal(check.error);
        const sideName = otherSide(opening);
        const reason = (refused.body.error as { message: string }).message;
        const body = {
          error: { message: `Closed the ${sideName} on ${info.symbol}, but the ${opening} was not opened: ${reason}` },
          action: "closed",
          signals: exited.map(owner),
        };
        return { ...(await record({ status: refused.status, body }, exited, null)), openRefused: true };
      }
      const opened = await openSide(opening, exited);
      const body = exited.length ? { action: "reversed", signal: owner(opened), closed: exited.map(owner) } : { action: "opened", signal: owner(opened) };
      return record({ status: 201, body }, exited, opened);
    }
  }
}

/**
 * TradingView alerts → signals. The provider's secret webhook URL identifies them (only its sha256 is stored), an
 * optional passphrase in the body adds a second factor, stale alerts are refused, and every delivery is idempotent:
 * a repeat (TradingView re-sends after errors, users double-fire alerts) returns the first answer and writes nothing.
 */
import "server-only";
import { and, eq } from "drizzle-orm";
import { env } from "@/env";
import { db } from "@/server/db";
import { rawQuery, type RawRow } from "@/server/db/raw";
import { providers, webhookDeliveries } from "@/server/db/schema";
import { ConflictError, DomainError, NotFoundError, UnauthorizedError, ValidationError, isUniqueViolation } from "@/server/errors";
import { constantTimeEqual, open, randomToken, seal, sha256Hex } from "@/server/crypto/secret-box";
import { recordAudit } from "@/server/services/audit";
import { getMarketData, type SymbolInfo } from "@/server/integrations/market-data";
import { cancelSignal, closeSignal, liveSignalsOn, publishChecked, publishOptimistic, publishSignal, publishSignalWithDelivery, tryCheckPublication, type LiveSignal, type SignalRow } from "@/server/services/signals";
import { toView } from "@/server/services/signals/views";
import { parseAlert, type ParsedAlert } from "@/lib/tradingview";

export interface AlertOutcome {
  status: number;
  body: Record<string, unknown>;
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

async function act(provider: { id: string; userId: string }, alert: ParsedAlert, info: SymbolInfo, key: string, now: Date): Promise<AlertOutcome> {
  const live = await liveSignalsOn(provider.id, info.symbol);
  const meta = { actorId: provider.userId, now };
  const owned = (id: string) => ({ providerId: provider.id, signalId: id });

  const exitAll = async (side?: "long" | "short") => {
    const targets = live.filter((s) => !side || s.side === side);
    const done = [];
    for (const s of targets) done.push(s.status === "pending" ? await cancelSignal(owned(s.id), meta) : await closeSignal(owned(s.id), {}, meta));
    return done;
  };
  const open = (side: "long" | "short") => publishSignal(provider.id, openInput(alert, info, side, key), "tradingview", meta);

  switch (alert.intent) {
    case "cancel": {
      const pending = live.filter((s) => s.status === "pending");
      if (!pending.length) throw new ConflictError(`No pending limit entry on ${info.symbol} to cancel.`);
      const done = [];
      for (const s of pending) done.push(await cancelSignal(owned(s.id), meta));
      return { status: 200, body: { action: "cancelled", signals: done.map((s) => toView(s, "owner")) } };
    }
    case "close": {
      if (!live.length) throw new ConflictError(`No open signal on ${info.symbol} to exit.`);
      const done = await exitAll();
      return { status: 200, body: { action: "closed", signals: done.map((s) => toView(s, "owner")) } };
    }
    case "close_or_open_long":
    case "close_or_open_short": {
      const opposite = alert.intent === "close_or_open_long" ? "short" : "long";
      if (live.some((s) => s.side === opposite)) {
        const done = await exitAll(opposite);
        return { status: 200, body: { action: "closed", signals: done.map((s) => toView(s, "owner")) } };
      }
      const { signal, created } = await open(alert.intent === "close_or_open_long" ? "long" : "short");
      return { status: created ? 201 : 200, body: { action: "opened", signal: toView(signal, "owner") } };
    }
    case "open_long":
    case "open_short": {
      const side = alert.intent === "open_long" ? "long" : "short";
      const closed = await exitAll(side === "long" ? "short" : "long"); // a reversal closes the opposite side first
      const { signal, created } = await open(side);
      return { status: created ? 201 : 200, body: { action: closed.length ? "reversed" : "opened", signal: toView(signal, "owner") } };
    }
  }
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

const unknownUrl = (): AlertOutcome => ({ status: 404, body: { error: { message: "Unknown webhook URL. Copy it again from Settings → TradingView." } } });

/** A repeat's answer: the first delivery's, or 409 while the first is still being processed (status 0). */
function repeatAnswer(status: number, response: Record<string, unknown> | null | undefined): AlertOutcome {
  return status && response ? { status: 200, body: { ...response, duplicate: true } } : { status: 409, body: { error: { message: "This alert is already being processed." } } };
}

/** A refusal (DomainError) as the 4xx answer; anything else is rethrown. */
function refusal(err: unknown): AlertOutcome {
  if (!(err instanceof DomainError)) throw err;
  const status = err instanceof ValidationError ? 422 : err instanceof ConflictError ? 409 : err instanceof NotFoundError ? 404 : err instanceof UnauthorizedError ? 401 : err.kind === "limit" ? 429 : 422;
  return { status, body: { error: { message: err.message, ...(err instanceof ValidationError && Object.keys(err.fieldErrors).length ? { fieldErrors: err.fieldErrors } : {}) } } };
}

interface DeliveryContext {
  id: string;
  userId: string;
  webhookPassphraseEnc: string | null;
  /** An earlier delivery of this alert: its status (0 while in flight) and answer. */
  deliveryStatus: number | null;
  deliveryResponse: Record<string, unknown> | null;
  /** A signal already holds the alert's idempotency key. */
  keyUsed: boolean;
  /** Live signals on the alert's symbol, newest first, as `liveSignalsOn` returns them. */
  live: LiveSignal[];
}

/**
 * Deliveries this process is publishing in one transaction (provider id and key). Their row appears only at commit,
 * so a repeat arriving meanwhile is answered as "in flight" (409), like a repeat of a claimed delivery, rather than
 * being checked against the market and counted against the rate limit. A repeat in another process waits on the
 * provider's lock instead, then finds the recorded answer (and gives back the rate-limit point it took).
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
    const result = await publishChecked(known.id, checked, "tradingview", meta, openedAnswer(key), {
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
    if (result.outcome === "published") return { status: result.status, body: result.body };
    if (result.outcome === "recorded") return repeatAnswer(result.status, result.response);
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
 * An alert that only opens a signal (nothing to exit first) is published in one transaction that also records the
 * delivery with its answer: a concurrent repeat waits for it on the provider's lock, then finds the recorded answer.
 * From a provider a recent delivery found, that takes two round trips (`openKnown`); otherwise a first read of the
 * delivery's context comes before. Alerts that exit or reverse positions run several transactions, so they first
 * claim the delivery (status 0: a repeat meanwhile gets 409), act, then store the answer; a refusal releases the
 * claim.
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

  if (!parsed.ok) return { status: 400, body: { error: { message: parsed.message, ...(parsed.field ? { field: parsed.field } : {}) } } };
  const alert = parsed.alert;

  if (ctx.webhookPassphraseEnc) {
    const expected = open(ctx.webhookPassphraseEnc);
    if (!alert.passphrase || !constantTimeEqual(alert.passphrase, expected)) {
      return { status: 401, body: { error: { message: "The alert's passphrase is missing or wrong." } } };
    }
  }
  if (alert.time) {
    const ageSec = (now.getTime() - alert.time.getTime()) / 1000;
    if (ageSec > env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS) {
      return { status: 422, body: { error: { message: `The alert is stale: it was sent ${Math.round(ageSec)} s ago, more than the ${env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS} s allowed.` } } };
    }
  }

  const provider = { id: ctx.id, userId: ctx.userId };
  const deliveryKey = key ?? idempotencyKeyOf(alert, rawBody, now);
  if (ctx.deliveryStatus !== null) return repeatAnswer(ctx.deliveryStatus, ctx.deliveryResponse);
  if ("error" in symbol) throw symbol.error;
  if (!info) return refusal(new ValidationError(`Unknown symbol "${alert.ticker}". Use a symbol Tradsy lists, e.g. BTCUSDT.`, { ticker: [`Unknown symbol "${alert.ticker}"`] }));

  const side = ctx.keyUsed ? null : plainOpen(alert.intent, ctx.live);
  const flight = `${provider.id} ${deliveryKey}`;
  if (side && inFlight.has(flight)) return repeatAnswer(0, null);
  if (side) {
    inFlight.add(flight);
    try {
      const published = await publishSignalWithDelivery(provider.id, openInput(alert, info, side, deliveryKey), "tradingview", { actorId: provider.userId, now }, openedAnswer(deliveryKey));
      if (published.outcome === "published") return { status: published.status, body: published.body };
      if (published.outcome === "recorded") return repeatAnswer(published.status, published.response);
      // "conflict": something else holds the key; the general path below sorts it out.
    } catch (err) {
      return refusal(err);
    } finally {
      inFlight.delete(flight);
    }
  }

  try {
    await db.insert(webhookDeliveries).values({ providerId: provider.id, key: deliveryKey, status: 0, response: {} });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const [prior] = await db
      .select({ status: webhookDeliveries.status, response: webhookDeliveries.response })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.providerId, provider.id), eq(webhookDeliveries.key, deliveryKey)));
    return repeatAnswer(prior?.status ?? 0, prior?.response);
  }
  try {
    const outcome = await act(provider, alert, info, deliveryKey, now);
    await db.update(webhookDeliveries).set({ status: outcome.status, response: outcome.body }).where(and(eq(webhookDeliveries.providerId, provider.id), eq(webhookDeliveries.key, deliveryKey)));
    return outcome;
  } catch (err) {
    await db.delete(webhookDeliveries).where(and(eq(webhookDeliveries.providerId, provider.id), eq(webhookDeliveries.key, deliveryKey)));
    return refusal(err);
  }
}


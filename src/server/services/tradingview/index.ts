/**
 * TradingView alerts → signals. The provider's secret webhook URL identifies them (only its sha256 is stored), an
 * optional passphrase in the body adds a second factor, stale alerts are refused, and every delivery is idempotent:
 * a repeat (TradingView re-sends after errors, users double-fire alerts) returns the first answer and writes nothing.
 */
import "server-only";
import { and, eq, lt } from "drizzle-orm";
import { env } from "@/env";
import { db } from "@/server/db";
import { providers, webhookDeliveries } from "@/server/db/schema";
import { ConflictError, DomainError, NotFoundError, UnauthorizedError, ValidationError, isUniqueViolation } from "@/server/errors";
import { constantTimeEqual, open, randomToken, seal, sha256Hex } from "@/server/crypto/secret-box";
import { recordAudit } from "@/server/services/audit";
import { getMarketData } from "@/server/integrations/market-data";
import { cancelSignal, closeSignal, liveSignalsOn, publishSignal } from "@/server/services/signals";
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
  return { token };
}

export async function setWebhookPassphrase(userId: string, providerId: string, passphrase: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(providers).set({ webhookPassphraseEnc: passphrase ? seal(passphrase) : null }).where(eq(providers.id, providerId));
    await recordAudit(tx, { actorId: userId, action: passphrase ? "provider.webhook_passphrase_set" : "provider.webhook_passphrase_cleared", targetType: "provider", targetId: providerId });
  });
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

async function act(provider: { id: string; userId: string }, alert: ParsedAlert, key: string, now: Date): Promise<AlertOutcome> {
  const market = await getMarketData();
  const info = await market.getSymbol(alert.ticker);
  if (!info) throw new ValidationError(`Unknown symbol "${alert.ticker}". Use a symbol Tradsy lists, e.g. BTCUSDT.`, { ticker: [`Unknown symbol "${alert.ticker}"`] });
  const live = await liveSignalsOn(provider.id, info.symbol);
  const meta = { actorId: provider.userId, now };
  const owned = (id: string) => ({ providerId: provider.id, signalId: id });

  const exitAll = async (side?: "long" | "short") => {
    const targets = live.filter((s) => !side || s.side === side);
    const done = [];
    for (const s of targets) done.push(s.status === "pending" ? await cancelSignal(owned(s.id), meta) : await closeSignal(owned(s.id), {}, meta));
    return done;
  };
  const open = (side: "long" | "short") =>
    publishSignal(
      provider.id,
      {
        symbol: info.symbol,
        side,
        entryType: "market",
        ...(alert.price ? { entryPrice: alert.price } : {}),
        ...(alert.stop ? { stopLoss: alert.stop } : {}),
        takeProfits: splitTargets(alert.takeProfits),
        note: alert.comment ?? "",
        idempotencyKey: key,
      },
      "tradingview",
      meta,
    );

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

/**
 * Handles one webhook delivery. Never throws for bad input: every refusal is a 4xx outcome with a message, and a
 * refused delivery writes nothing (its claim on the idempotency key is released).
 */
export async function handleAlert(token: string, rawBody: string, contentType: string | null, now: Date = new Date()): Promise<AlertOutcome> {
  if (!/^tv_[A-Za-z0-9_-]{20,64}$/.test(token)) return { status: 404, body: { error: { message: "Unknown webhook URL. Copy it again from Settings → TradingView." } } };
  const provider = await db.query.providers.findFirst({
    where: eq(providers.webhookTokenHash, sha256Hex(token)),
    columns: { id: true, userId: true, webhookPassphraseEnc: true },
  });
  if (!provider) return { status: 404, body: { error: { message: "Unknown webhook URL. Copy it again from Settings → TradingView." } } };

  const parsed = parseAlert(rawBody, contentType);
  if (!parsed.ok) return { status: 400, body: { error: { message: parsed.message, ...(parsed.field ? { field: parsed.field } : {}) } } };
  const alert = parsed.alert;

  if (provider.webhookPassphraseEnc) {
    const expected = open(provider.webhookPassphraseEnc);
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

  const key = idempotencyKeyOf(alert, rawBody, now);
  try {
    await db.insert(webhookDeliveries).values({ providerId: provider.id, key, status: 0, response: {} });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const prior = await db.query.webhookDeliveries.findFirst({ where: and(eq(webhookDeliveries.providerId, provider.id), eq(webhookDeliveries.key, key)) });
    // status 0: the first delivery is still being processed.
    return prior && prior.status ? { status: 200, body: { ...prior.response, duplicate: true } } : { status: 409, body: { error: { message: "This alert is already being processed." } } };
  }
  try {
    const outcome = await act(provider, alert, key, now);
    await db.update(webhookDeliveries).set({ status: outcome.status, response: outcome.body }).where(and(eq(webhookDeliveries.providerId, provider.id), eq(webhookDeliveries.key, key)));
    return outcome;
  } catch (err) {
    await db.delete(webhookDeliveries).where(and(eq(webhookDeliveries.providerId, provider.id), eq(webhookDeliveries.key, key)));
    if (err instanceof DomainError) {
      const status = err instanceof ValidationError ? 422 : err instanceof ConflictError ? 409 : err instanceof NotFoundError ? 404 : err instanceof UnauthorizedError ? 401 : err.kind === "limit" ? 429 : 422;
      return { status, body: { error: { message: err.message, ...(err instanceof ValidationError && Object.keys(err.fieldErrors).length ? { fieldErrors: err.fieldErrors } : {}) } } };
    }
    throw err;
  }
}

/** Deliveries older than this are only kept for support; pruned by the same retention cadence as audit rows. */
export async function pruneDeliveries(before: Date): Promise<number> {
  const rows = await db.delete(webhookDeliveries).where(lt(webhookDeliveries.createdAt, before)).returning({ key: webhookDeliveries.key });
  return rows.length;
}

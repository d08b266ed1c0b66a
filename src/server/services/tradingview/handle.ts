/**
 * One webhook delivery, from its token and body to its answer: the provider and everything the delivery is decided
 * on are read in one round trip, then the alert goes the fast way (`openKnown`) or the general one (`settle`).
 */
import "server-only";
import { env } from "@/env";
import { rawQuery, type RawRow } from "@/server/db/raw";
import { ValidationError, statusOf } from "@/server/errors";
import { sha256Hex } from "@/server/crypto/secret-box";
import type { ServiceContext } from "@/server/services/context";
import type { LiveSignal } from "@/server/services/signals";
import { getMarketData, type SymbolInfo } from "@/server/integrations/market-data";
import { parseAlert } from "@/lib/tradingview";
import { idempotencyKeyOf, passphraseMatches, plainOpen, staleAge } from "./alert";
import { inFlightAnswer, refusal, repeatAnswer, unknownUrl, wrongPassphrase, type AlertOutcome } from "./answers";
import { flightOf, inFlight, knownProvider, rememberProvider, type KnownProvider } from "./memory";
import { openKnown } from "./open";
import { settle } from "./settle";

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
 * Everything a delivery is decided on, in one round trip (plain SQL: this is the webhook's hot path): the provider
 * owning the token ($1: its sha256), an earlier delivery and a signal with the idempotency key ($2), and the live
 * signals on the symbol ($3). Checked against the Drizzle schema by src/server/db/raw-sql-columns.test.ts.
 */
export const DELIVERY_CONTEXT_SQL = `select p.id, p.user_id as "userId", p.webhook_passphrase_enc as "webhookPassphraseEnc",
  d.status as "deliveryStatus", d.response as "deliveryResponse",
  exists (select 1 from signals as k where k.provider_id = p.id and k.idempotency_key = $2) as "keyUsed",
  coalesce((select json_agg(json_build_object('id', s.id, 'side', s.side, 'status', s.status) order by s.published_at desc)
    from signals as s where s.provider_id = p.id and s.symbol = $3 and s.status in ('pending', 'open')), '[]'::json) as live
from providers as p
left join webhook_deliveries as d on d.provider_id = p.id and d.key = $2
where p.webhook_token_hash = $1`;

/**
 * Handles one webhook delivery at `ctx.now` (the provider acting is the token's). Never throws for bad input: every
 * refusal is a 4xx outcome with a message, and a refused delivery writes nothing.
 *
 * Every delivery's effect and its recorded answer commit in one transaction, so a delivery has exactly one effect
 * whatever crashes: a repeat finds the recorded answer (200, `duplicate: true`), or — while the first is still
 * being processed — a 503 with Retry-After; a delivery whose process died left nothing behind and is processed
 * when it comes again. An alert that only opens a signal goes the fast way (`openKnown`: one statement, or two
 * round trips); every other alert, and any open the fast way cannot settle, is decided under the provider's lock
 * on the state found there (`settle`).
 */
export async function handleAlert(ctx: ServiceContext, token: string, rawBody: string, contentType: string | null): Promise<AlertOutcome> {
  if (!/^tv_[A-Za-z0-9_-]{20,64}$/.test(token)) return unknownUrl();
  const parsed = parseAlert(rawBody, contentType);
  const key = parsed.ok ? idempotencyKeyOf(parsed.alert, rawBody, ctx.now) : null;
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
    const fast = known ? await openKnown(ctx, known, tokenHash, parsed.alert, info, key) : null;
    if (fast) return fast;
  }

  const [found] = await rawQuery<DeliveryContext & RawRow>(DELIVERY_CONTEXT_SQL, [tokenHash, key, info?.symbol ?? null]);
  if (!found) return unknownUrl();
  rememberProvider(tokenHash, found);

  if (!parsed.ok) return { status: statusOf("invalid"), body: { error: { message: parsed.message, ...(parsed.field ? { field: parsed.field } : {}) } } };
  const alert = parsed.alert;

  if (found.webhookPassphraseEnc && !passphraseMatches(alert, found.webhookPassphraseEnc)) return wrongPassphrase();
  const age = staleAge(alert, ctx.now, env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS);
  if (age !== null) {
    return { ...refusal(new ValidationError(`The alert is stale: it was sent ${Math.round(age)} s ago, more than the ${env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS} s allowed.`)), outcome: "stale" };
  }

  const deliveryKey = key ?? idempotencyKeyOf(alert, rawBody, ctx.now);
  if (found.deliveryStatus && found.deliveryResponse) return repeatAnswer(found.deliveryResponse, found.deliveryStatus);
  if ("error" in symbol) throw symbol.error;
  if (!info) return refusal(new ValidationError(`Unknown symbol "${alert.ticker}". Use a symbol Tradsy lists, e.g. BTCUSDT.`, { ticker: [`Unknown symbol "${alert.ticker}"`] }));

  const provider: KnownProvider = { id: found.id, userId: found.userId, webhookPassphraseEnc: found.webhookPassphraseEnc, until: 0 };
  if (inFlight.has(flightOf(provider.id, deliveryKey))) return inFlightAnswer();
  if (!found.keyUsed && plainOpen(alert.intent, found.live)) {
    const opened = await openKnown(ctx, provider, tokenHash, alert, info, deliveryKey);
    if (opened) return opened;
  }
  return settle(ctx, provider, tokenHash, alert, info, deliveryKey);
}

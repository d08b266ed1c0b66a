/**
 * The fast way for the common alert — one that only opens a signal, from a provider a recent delivery found: the
 * publication is checked first, then written in one optimistic statement or one locked transaction, under a guard
 * (the token and passphrase are still the ones checked, and there is still nothing to exit).
 */
import "server-only";
import { env } from "@/env";
import { isLockTimeout } from "@/server/errors";
import type { ServiceContext } from "@/server/services/context";
import { publishChecked, publishOptimistic, refundPublication, tryCheckPublication, type PublicationGuard } from "@/server/services/signals";
import type { SymbolInfo } from "@/server/integrations/market-data";
import type { ParsedAlert } from "@/lib/tradingview";
import { openInput, opensSide, otherSide, passphraseMatches, staleAge } from "./alert";
import { LOCK_TIMEOUT, inFlightAnswer, openedAnswer, repeatAnswer, type AlertOutcome } from "./answers";
import { flightOf, forgetToken, inFlight, type KnownProvider } from "./memory";

/**
 * The provider acting through its webhook. Its audit rows carry no address: the request comes from TradingView's
 * servers, not from the provider.
 */
export function providerContext(ctx: ServiceContext, provider: KnownProvider): ServiceContext {
  return { ...ctx, actor: { id: provider.userId, role: "provider" }, ip: null };
}

/**
 * Opens the alert's signal in two round trips at most: the publication is checked first, then — when this process
 * wrote the provider's last chain entry — one statement writes it, or else one transaction locks the provider (if
 * the token and passphrase are still the ones checked), reads the chain head, any delivery of the alert and any
 * position to exit, and writes the signal with the delivery. Returns null whenever the answer could differ from
 * `handleAlert`'s exact path (a refusal, a changed token, something to exit, a key already used), having written
 * and counted nothing.
 */
export async function openKnown(
  ctx: ServiceContext,
  known: KnownProvider,
  tokenHash: string,
  alert: ParsedAlert,
  info: SymbolInfo,
  key: string,
): Promise<AlertOutcome | null> {
  if (known.webhookPassphraseEnc && !passphraseMatches(alert, known.webhookPassphraseEnc)) return null;
  if (staleAge(alert, ctx.now, env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS) !== null) return null;
  const side = opensSide(alert.intent);
  const flight = flightOf(known.id, key);
  if (!side || inFlight.has(flight)) return null;
  inFlight.add(flight);
  try {
    const acting = providerContext(ctx, known);
    const checked = await tryCheckPublication(acting, known.id, openInput(alert, info, side, key));
    if (!checked) return null;
    const guard: PublicationGuard = {
      tokenHash,
      passphraseEnc: known.webhookPassphraseEnc,
      noLiveOn: { symbol: info.symbol, side: otherSide(side) },
      lockTimeout: LOCK_TIMEOUT,
    };
    // One statement when this process wrote the provider's last chain entry; the locked way below otherwise.
    const optimistic = await publishOptimistic(acting, known.id, checked, "tradingview", openedAnswer(key), guard);
    if (optimistic) return { status: optimistic.status, body: optimistic.body };
    let result: Awaited<ReturnType<typeof publishChecked>>;
    try {
      result = await publishChecked(acting, known.id, checked, "tradingview", openedAnswer(key), guard);
    } catch (err) {
      // The provider's row is held for longer than an alert may wait: TradingView's resend comes in 5 s.
      if (!isLockTimeout(err)) throw err;
      await refundPublication(known.id);
      return inFlightAnswer();
    }
    if (result.outcome === "published") return { status: result.status, body: result.body };
    if (result.outcome === "recorded") return repeatAnswer(result.response, result.status);
    // The token or passphrase is no longer the one remembered: the exact path looks the provider up again.
    if (result.outcome === "guard_failed" && result.failed === "provider_changed") forgetToken(tokenHash);
    return null;
  } finally {
    inFlight.delete(flight);
  }
}

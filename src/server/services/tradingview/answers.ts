/** What a delivery is answered (and its delivery row records), and the timing TradingView's resends allow. */
import "server-only";
import { errorBody, refusalOf, statusOf } from "@/server/errors";
import { toView } from "@/server/services/signals/views";
import type { PublishDelivery, SignalRow } from "@/server/services/signals";

export interface AlertOutcome {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Set when the status alone does not say what happened (`tradsy_tradingview_alerts_total`'s outcome label). */
  outcome?: "stale";
}

/**
 * Seconds a repeat of an alert still being processed is told to wait. TradingView resends only after a 5xx, 5 s
 * apart; by then the first delivery has answered, or — its process having died — its claim has lapsed (see
 * `settle`), so the resend is processed.
 */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;

/**
 * How long an alert waits for its provider's row (held by the price monitor, a manual close, another alert) before
 * it is answered 503 + Retry-After: well inside TradingView's 3 s timeout, and the bound on how long a claim whose
 * process died while waiting can outlive it.
 */
export const LOCK_TIMEOUT = "2s";

export const unknownUrl = (): AlertOutcome => ({ status: statusOf("not_found"), body: errorBody("Unknown webhook URL. Copy it again from Settings → TradingView.") });

export const wrongPassphrase = (): AlertOutcome => ({ status: statusOf("unauthorized"), body: errorBody("The alert's passphrase is missing or wrong.") });

/**
 * A repeat's answer: the first delivery's, as recorded with its effect. A repeat of an alert that took effect is a
 * 200; one whose open was refused after its exit keeps that refusal's status.
 */
export function repeatAnswer(response: Record<string, unknown>, status = 200): AlertOutcome {
  return { status: status >= 400 ? status : 200, body: { ...response, duplicate: true } };
}

/** A repeat of an alert still being processed (or one the provider's lock kept waiting too long): retry shortly. */
export function inFlightAnswer(): AlertOutcome {
  return {
    status: 503,
    body: { error: { message: `This alert is already being processed. Send it again in ${IN_FLIGHT_RETRY_AFTER_SECONDS} seconds to get its answer.` } },
    headers: { "retry-after": String(IN_FLIGHT_RETRY_AFTER_SECONDS) },
  };
}

/** A refusal (DomainError) as the 4xx answer, with its kind's status like every edge's; anything else is rethrown. */
export function refusal(err: unknown): AlertOutcome {
  const refused = refusalOf(err);
  if (!refused) throw err;
  return { status: refused.status, body: errorBody(refused.message, refused.fieldErrors) };
}

/** What an alert that opened a signal answers (and its delivery records). */
export function openedAnswer(key: string): PublishDelivery {
  return { key, answer: (signal: SignalRow) => ({ status: 201, body: { action: "opened", signal: toView(signal, "owner") } }) };
}

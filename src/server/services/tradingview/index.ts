/**
 * TradingView alerts → signals. The provider's secret webhook URL identifies them (only its sha256 is stored), an
 * optional passphrase in the body adds a second factor, stale alerts are refused, and every delivery is idempotent:
 * a repeat (TradingView re-sends after errors, users double-fire alerts) returns the first answer and writes nothing.
 *
 * By concern: ./handle (one delivery, from token to answer), ./open (the fast way for an alert that only opens),
 * ./settle (the general way, under the provider's lock), ./alert and ./answers (reading an alert, answering it),
 * ./memory (what this process remembers between deliveries), ./settings (the webhook URL and passphrase).
 */
import "server-only";

export { handleAlert } from "./handle";
export { IN_FLIGHT_RETRY_AFTER_SECONDS, type AlertOutcome } from "./answers";
export { rotateWebhookToken, setWebhookPassphrase, webhookStatus } from "./settings";

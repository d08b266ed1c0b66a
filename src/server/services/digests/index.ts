/**
 * Digests (issue 15): the daily digest at each user's local hour, the monthly provider report, and the weekly
 * digest with double opt-in for people without an account. Emails go through the outbox (services/email).
 */
import "server-only";
export { sendDailyDigests } from "./daily";
export { monthlyFigures, sendMonthlyReports } from "./monthly";
export { CONFIRM_REFUSED, DIGEST_REQUEST_RATE, confirmWeeklyDigest, requestWeeklyDigest } from "./subscribers";
export { MARKETPLACE_TOP, sendWeeklyDigests } from "./weekly";

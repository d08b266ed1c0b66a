/**
 * The client order id we send to an exchange for one copy order, derived from the copy order's stored
 * `client_order_id` (services/copy/paper.ts `clientOrderId`: "tc" + 30 base64url characters).
 *
 * That id cannot go to every venue as it is: base64url carries '-' and '_', which OKX's clOrdId (alphanumeric, at most
 * 32) refuses, and Kraken's cl_ord_id takes a 32-hex "short UUID" (or at most 18 characters of free text). So the
 * venue id is "7c" + the first 30 hex characters of sha256(client order id): 32 lowercase hex characters, 120 bits,
 * valid for Binance newClientOrderId (^[.A-Z:/a-z0-9_-]{1,36}$), Bybit orderLinkId (at most 36), OKX clOrdId, Kraken
 * and Alpaca (at most 128). Deriving it (rather than storing a second random id) means a re-driven order gets the
 * same venue id on every attempt, and reconciliation recognises our orders on the exchange by the "7c" prefix.
 *
 * Server-side, not src/lib: it hashes synchronously with node:crypto (src/lib is isomorphic and imports no Node
 * built-ins; Web Crypto's digest is asynchronous), and only the server talks to exchanges.
 */
import "server-only";
import { createHash } from "node:crypto";

export const VENUE_CLIENT_ORDER_ID_PREFIX = "7c";
const VENUE_CLIENT_ORDER_ID = /^7c[0-9a-f]{30}$/;

export function venueClientOrderId(clientOrderId: string): string {
  const hex = createHash("sha256").update(clientOrderId, "utf8").digest("hex");
  return VENUE_CLIENT_ORDER_ID_PREFIX + hex.slice(0, 30);
}

/** Whether an exchange order's client id is one of ours (reconciliation: orders we placed but never recorded). */
export function isVenueClientOrderId(value: string): boolean {
  return VENUE_CLIENT_ORDER_ID.test(value);
}

/**
 * Outbound webhook signatures (the scheme the README documents, and ./snippets.ts shows receivers how to check):
 *
 *   Tradsy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The key is the endpoint's secret exactly as shown to its owner (`whsec_…`, UTF-8). The timestamp is part of what is
 * signed, so a captured request cannot be replayed once it is older than the tolerance (5 minutes), and each attempt
 * of a delivery is signed at send time with its own `t`. A header may carry several `v1` values (any one matching is
 * enough), so the scheme can sign with two secrets while one is being replaced.
 *
 * Pure (no I/O) but Node-only (node:crypto): used by the server's webhook sender and by tests, never by a page.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** A signature older (or further in the future) than this is refused: a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
export const SIGNATURE_HEADER = "Tradsy-Signature";
export const SECRET_PREFIX = "whsec_";

/** A new endpoint secret: `whsec_` and 32 random bytes, base64url (43 characters). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64url");
}

export function isWebhookSecret(value: string): boolean {
  return /^whsec_[A-Za-z0-9_-]{43}$/.test(value);
}

/** The hex HMAC-SHA256 of `<t>.<body>` under `secret`. */
export function signatureOf(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** The Tradsy-Signature header value for `body` sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, body: string | Uint8Array, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`A signature timestamp is whole unix seconds, not ${timestamp}`);
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: "malformed" | "too_old" | "too_new" | "mismatch" };

/**
 * Checks a Tradsy-Signature header against the raw body (the bytes received, before any JSON parsing). `now` is unix
 * seconds. Every v1 value is compared in constant time.
 */
export function verifySignature(
  secret: string,
  body: string | Uint8Array,
  header: string,
  now: number = Date.now() / 1000,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): VerifyResult {
  const fields = header.split(",").map((part) => {
    const at = part.indexOf("=");
    return at < 0 ? ["", ""] : [part.slice(0, at).trim(), part.slice(at + 1).trim()];
  });
  const t = fields.find(([k]) => k === "t")?.[1];
  const signatures = fields.filter(([k]) => k === "v1").map(([, v]) => v!);
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return { ok: false, reason: "malformed" };
  const timestamp = Number(t);
  if (now - timestamp > toleranceSeconds) return { ok: false, reason: "too_old" };
  if (timestamp - now > toleranceSeconds) return { ok: false, reason: "too_new" };
  const expected = Buffer.from(signatureOf(secret, timestamp, body), "hex");
  // Every candidate is compared (no early exit), each in constant time.
  let match = false;
  for (const s of signatures) {
    const given = /^[0-9a-f]{64}$/i.test(s) ? Buffer.from(s, "hex") : Buffer.alloc(0);
    if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
  }
  return match ? { ok: true, timestamp } : { ok: false, reason: "mismatch" };
}

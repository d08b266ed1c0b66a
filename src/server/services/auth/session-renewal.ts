/**
 * Session renewals: how the one session that changed its password stays signed in while the change ends the
 * account's other sessions (every session carries the account's session version; a change bumps it).
 *
 * A renewal is a sealed (AES-256-GCM, so unforgeable and unreadable) statement "the session <sid> of <user> may move
 * to version <n> until <time>", handed to the browser that made the change, which presents it at once through
 * Auth.js's session update (`renewSession` server action). Auth.js accepts session updates from any holder of a
 * cookie (POST /api/auth/session), so the `jwt` callback moves a token to a new version only on a valid renewal;
 * a stale session has none and stays ended.
 *
 * INVARIANT: only `issueSessionRenewal` makes a value that redeems. It is sealed for the "session-renewal" purpose
 * (bound into the ciphertext, see secret-box.ts): the same key seals text users choose (a provider's webhook
 * passphrase), which must never pass for a renewal however it is worded. And it names the session it was issued to,
 * so a renewal that leaks cannot revive another stale session of the account (a stolen cookie, say).
 */
import "server-only";
import { openFor, sealFor } from "@/server/crypto/secret-box";

const PURPOSE = "session-renewal";
/** Long enough for the settings page's follow-up request, short enough that a leaked one is soon worthless. */
export const SESSION_RENEWAL_TTL_MS = 2 * 60 * 1000;

interface RenewalClaims {
  purpose: typeof PURPOSE;
  sub: string;
  /**
   * The session (the `sid` its token got at sign-in) that may redeem it. Absent only for a session signed in
   * before sessions had ids, whose renewal any session of the account can redeem, as every renewal could then.
   */
  sid?: string;
  sessionVersion: number;
  exp: number;
}

export function issueSessionRenewal(userId: string, sessionVersion: number, now: Date = new Date(), sessionId: string | null = null): string {
  const claims: RenewalClaims = { purpose: PURPOSE, sub: userId, ...(sessionId ? { sid: sessionId } : {}), sessionVersion, exp: now.getTime() + SESSION_RENEWAL_TTL_MS };
  return sealFor(PURPOSE, JSON.stringify(claims));
}

/**
 * The session version a renewal grants to the session `sessionId` of `userId`, or null when it is not a valid,
 * current one for that session.
 */
export function redeemSessionRenewal(renewal: unknown, userId: string, sessionId: string | null = null, now: Date = new Date()): number | null {
  if (typeof renewal !== "string" || renewal.length > 1000) return null;
  let claims: Partial<RenewalClaims>;
  try {
    claims = JSON.parse(openFor(PURPOSE, renewal)) as Partial<RenewalClaims>;
  } catch {
    return null; // not sealed by us as a renewal (forged, tampered, sealed for another purpose, another deployment)
  }
  if (claims.purpose !== PURPOSE || claims.sub !== userId) return null;
  if (claims.sid !== undefined && claims.sid !== sessionId) return null;
  if (typeof claims.exp !== "number" || claims.exp <= now.getTime()) return null;
  return Number.isSafeInteger(claims.sessionVersion) ? (claims.sessionVersion as number) : null;
}

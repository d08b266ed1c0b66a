/**
 * Session renewals: how the one session that changed its password stays signed in while the change ends the
 * account's other sessions (every session carries the account's session version; a change bumps it).
 *
 * A renewal is a sealed (AES-256-GCM, so unforgeable and unreadable) statement "the session of <user> may move to
 * version <n> until <time>", handed to the browser that made the change, which presents it at once through
 * Auth.js's session update (`renewSession` server action). Auth.js accepts session updates from any holder of a
 * cookie (POST /api/auth/session), so the `jwt` callback moves a token to a new version only on a valid renewal;
 * a stale session has none and stays ended.
 */
import "server-only";
import { open, seal } from "@/server/crypto/secret-box";

const PURPOSE = "session-renewal";
/** Long enough for the settings page's follow-up request, short enough that a leaked one is soon worthless. */
export const SESSION_RENEWAL_TTL_MS = 2 * 60 * 1000;

interface RenewalClaims {
  purpose: typeof PURPOSE;
  sub: string;
  sessionVersion: number;
  exp: number;
}

export function issueSessionRenewal(userId: string, sessionVersion: number, now: Date = new Date()): string {
  const claims: RenewalClaims = { purpose: PURPOSE, sub: userId, sessionVersion, exp: now.getTime() + SESSION_RENEWAL_TTL_MS };
  return seal(JSON.stringify(claims));
}

/** The session version a renewal grants to `userId`'s session, or null when it is not a valid, current one for them. */
export function redeemSessionRenewal(renewal: unknown, userId: string, now: Date = new Date()): number | null {
  if (typeof renewal !== "string" || renewal.length > 1000) return null;
  let claims: Partial<RenewalClaims>;
  try {
    claims = JSON.parse(open(renewal)) as Partial<RenewalClaims>;
  } catch {
    return null; // not sealed with our key (forged, tampered or from another deployment)
  }
  if (claims.purpose !== PURPOSE || claims.sub !== userId) return null;
  if (typeof claims.exp !== "number" || claims.exp <= now.getTime()) return null;
  return Number.isSafeInteger(claims.sessionVersion) ? (claims.sessionVersion as number) : null;
}

/**
 * What this process remembers between deliveries: the providers recent deliveries found (so the next alert can be
 * checked before its transaction) and the deliveries it is processing right now. Neither is ever trusted on its
 * own: the transactions recheck everything under the provider's lock.
 */
import "server-only";

export interface KnownProvider {
  id: string;
  userId: string;
  webhookPassphraseEnc: string | null;
  until: number;
}

/**
 * Providers by webhook token hash, as recent deliveries found them (`openKnown`). The transaction locks the
 * provider row only if it still has that token and passphrase. Rotating the token or changing the passphrase
 * forgets the provider here at once.
 */
const knownProviders = new Map<string, KnownProvider>();
const KNOWN_PROVIDER_MS = 60_000;
const KNOWN_PROVIDERS_MAX = 10_000;

export function rememberProvider(tokenHash: string, p: { id: string; userId: string; webhookPassphraseEnc: string | null }) {
  if (knownProviders.size >= KNOWN_PROVIDERS_MAX) knownProviders.clear();
  knownProviders.set(tokenHash, { id: p.id, userId: p.userId, webhookPassphraseEnc: p.webhookPassphraseEnc, until: Date.now() + KNOWN_PROVIDER_MS });
}

export function knownProvider(tokenHash: string): KnownProvider | undefined {
  const p = knownProviders.get(tokenHash);
  if (p && p.until < Date.now()) knownProviders.delete(tokenHash);
  return p && p.until >= Date.now() ? p : undefined;
}

/** The token no longer finds the provider as remembered (rotated, or its passphrase changed). */
export function forgetToken(tokenHash: string) {
  knownProviders.delete(tokenHash);
}

export function forgetProvider(providerId: string) {
  for (const [hash, p] of knownProviders) if (p.id === providerId) knownProviders.delete(hash);
}

/**
 * Deliveries this process is processing (provider id and key). A repeat arriving meanwhile is answered 503 with
 * Retry-After at once, rather than being checked against the market and counted against the rate limit; in
 * another process, a repeat finds the delivery's claim taken (`settle`) or waits on the provider's lock and then
 * finds the recorded answer.
 */
export const inFlight = new Set<string>();

export const flightOf = (providerId: string, key: string) => `${providerId} ${key}`;

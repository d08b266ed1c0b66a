/**
 * The chain head and last signal number this process last committed for each provider: a guess that lets the
 * optimistic publication (`publishOptimistic`) write in one statement. Never trusted: the statement checks it under
 * the provider's lock, and the unique (provider, seq) and (provider, number) indexes refuse a write that raced with
 * another. Any other append from this process forgets it; appends elsewhere only make the next guess miss.
 */
import "server-only";

export interface KnownHead {
  seq: number;
  hash: string;
  lastNumber: number;
}

const knownHeads = new Map<string, KnownHead>();
const KNOWN_HEADS_MAX = 10_000;

export function knownHead(providerId: string): KnownHead | undefined {
  return knownHeads.get(providerId);
}

/** Only once committed: the head this process's own publication left. */
export function rememberHead(providerId: string, head: KnownHead) {
  if (knownHeads.size >= KNOWN_HEADS_MAX && !knownHeads.has(providerId)) knownHeads.clear();
  knownHeads.set(providerId, head);
}

/** Before any other append, and when a guess turned out wrong. */
export function forgetHead(providerId: string) {
  knownHeads.delete(providerId);
}

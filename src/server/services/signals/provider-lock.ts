/**
 * The one way to lock a provider's row. The lock serialises, per provider, everything that numbers signals or
 * appends to their chain — publication in every form, lifecycle events, manual changes, TradingView's exits — so
 * what is read under it (the last number, the chain head, the live signals) is the truth until the commit.
 *
 * Strength: FOR NO KEY UPDATE wherever it is taken, which conflicts with itself but not with the KEY SHARE lock a
 * new signal's foreign key takes on the provider row (FOR UPDATE would, and two publishers would deadlock; see
 * `appendChainEntry` in services/chain, which takes it through this helper for its own callers). The only variation
 * is the optimistic publication's SKIP LOCKED: that statement is pipelined with other alerts' statements and must
 * never wait, so it writes nothing instead and the locked way then waits its turn.
 */
import "server-only";
import type { Executor } from "@/server/db";
import { asQuery, executeRows, statement, type Param, type RawRow, type RawStatement } from "@/server/db/raw";

export interface ProviderLock {
  /**
   * Lock the row only while the provider still has this webhook token (its sha256): with another token — rotated
   * meanwhile — nothing is locked and no row comes back.
   */
  tokenHash?: string;
  /** Also read the sealed webhook passphrase, to recheck it under the lock. */
  passphrase?: boolean;
  /** Further conditions on the locked row `p`, with their parameters added through the same `$`. */
  where?: readonly string[];
  /** Write nothing rather than wait for a transaction that holds the row (the optimistic statement only). */
  skipLocked?: boolean;
}

export interface LockedProvider extends RawRow {
  id: string;
  /** Present when the lock asked for the passphrase. */
  webhookPassphraseEnc?: string | null;
}

/** The locking select on `providers as p`, for the provider whose placeholder is `providerId` (see `ProviderLock`). */
export function providerLockSql($: Param, providerId: string, lock: ProviderLock = {}): string {
  const columns = lock.passphrase ? `p.id, p.webhook_passphrase_enc as "webhookPassphraseEnc"` : "p.id";
  const where = [`p.id = ${providerId}::text`];
  if (lock.tokenHash !== undefined) where.push(`p.webhook_token_hash = ${$(lock.tokenHash)}::text`);
  if (lock.where) where.push(...lock.where);
  return `select ${columns} from providers as p
  where ${where.join("\n    and ")}
  for no key update of p${lock.skipLocked ? " skip locked" : ""}`;
}

/** The lock as a statement of its own (the first statement of a raw publication transaction). */
export function providerLockStatement(providerId: string, lock: Omit<ProviderLock, "where" | "skipLocked"> = {}): RawStatement {
  return statement(($) => providerLockSql($, $(providerId), lock));
}

/**
 * Locks the provider's row inside the caller's transaction, and returns it — or undefined when there is no such
 * provider (or, with `tokenHash`, it no longer has that token), having locked nothing.
 */
export async function lockProvider(tx: Executor, providerId: string, lock: Omit<ProviderLock, "where" | "skipLocked"> = {}): Promise<LockedProvider | undefined> {
  const [row] = await executeRows<LockedProvider>(tx, asQuery(providerLockStatement(providerId, lock)));
  return row;
}

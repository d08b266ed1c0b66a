/**
 * A caller's guard on a publication: what must still hold, under the provider's lock, for it to be written — the
 * TradingView webhook's: the alert's token and passphrase are still the provider's, and there is still nothing to
 * exit before the alert opens. The caller states it as data; this module alone turns it into SQL, for both ways of
 * writing: conditions of the optimistic statement (`guardConditions`), or the lock and one read of the locked
 * transaction (`guardStatements`), whose rows `guardFailure` judges.
 */
import "server-only";
import type { Param, RawRow, RawStatement } from "@/server/db/raw";
import type { SignalSide } from "@/server/db/schema";
import { providerLockStatement, type ProviderLock } from "./provider-lock";

/** A PostgreSQL interval for `lock_timeout`, e.g. "2s". */
export type LockTimeout = `${number}s` | `${number}ms`;

export interface PublicationGuard {
  /** The provider must still have this webhook token (its sha256): a rotated token publishes nothing. */
  tokenHash?: string;
  /** The provider's sealed webhook passphrase must still be exactly this one (null: still none). */
  passphraseEnc?: string | null;
  /** No live (pending or open) signal of the provider on `symbol` may be on `side` (one the alert would exit first). */
  noLiveOn?: { symbol: string; side: SignalSide };
  /** How long the locked way waits for the provider's lock before failing with 55P03 (the optimistic never waits). */
  lockTimeout?: LockTimeout;
}

/** Why a guard stopped a publication: the token or passphrase changed, or there is a live signal to exit first. */
export type GuardFailure = "provider_changed" | "live_on_side";

/** SQL: a live signal of the provider on the symbol has the given side. */
function liveOnSide(provider: string, symbol: string, side: string): string {
  return `exists (select 1 from signals as o where o.provider_id = ${provider} and o.symbol = ${symbol} and o.side = ${side}::text::signal_side and o.status in ('pending', 'open'))`;
}

/** The locked way's read for `noLiveOn`: $1 the provider, $2 the symbol, $3 the side. */
export const LIVE_SIDE_SQL = `select ${liveOnSide("$1", "$2", "$3")} as "live"`;

/** The guard as conditions on the locked provider row `p` of the optimistic statement (its lock takes `tokenHash`). */
export function guardConditions($: Param, guard: PublicationGuard): Pick<ProviderLock, "tokenHash" | "where"> {
  const where: string[] = [];
  if (guard.passphraseEnc !== undefined) where.push(`p.webhook_passphrase_enc is not distinct from ${$(guard.passphraseEnc)}::text`);
  if (guard.noLiveOn) where.push(`not ${liveOnSide("p.id", `${$(guard.noLiveOn.symbol)}::text`, $(guard.noLiveOn.side))}`);
  return { ...(guard.tokenHash !== undefined ? { tokenHash: guard.tokenHash } : {}), where };
}

/**
 * The guard as the locked transaction's statements: the provider lock (only with the token, reading the passphrase
 * when the guard names one) and, for `noLiveOn`, a read sent after it.
 */
export function guardStatements(providerId: string, guard: PublicationGuard | undefined): { lock: RawStatement; read: RawStatement | null } {
  const lock = providerLockStatement(providerId, {
    ...(guard?.tokenHash !== undefined ? { tokenHash: guard.tokenHash } : {}),
    passphrase: guard?.passphraseEnc !== undefined,
  });
  const read: RawStatement | null = guard?.noLiveOn ? [LIVE_SIDE_SQL, [providerId, guard.noLiveOn.symbol, guard.noLiveOn.side]] : null;
  return { lock, read };
}

/**
 * From the rows of `guardStatements`: why the guard fails, or undefined when it holds. (No provider row without a
 * token to check is not the guard's to judge: the caller answers "not found".)
 */
export function guardFailure(guard: PublicationGuard | undefined, locked: RawRow[], read: RawRow[] | undefined): GuardFailure | undefined {
  if (!guard) return undefined;
  if (guard.tokenHash !== undefined && !locked.length) return "provider_changed";
  if (guard.passphraseEnc !== undefined && locked.length && locked[0]!.webhookPassphraseEnc !== guard.passphraseEnc) return "provider_changed";
  if (guard.noLiveOn && read?.[0]?.live) return "live_on_side";
  return undefined;
}

/** `lockTimeout` as the statement that sets it for the transaction (checked: it is spliced into the text). */
export function lockTimeoutStatement(timeout: LockTimeout): RawStatement {
  if (!/^\d+(ms|s)$/.test(timeout)) throw new Error(`lockTimeout ${timeout}: use e.g. "2s"`);
  return [`set local lock_timeout = '${timeout}'`, []];
}

/**
 * The provider hash chain: appending entries (inside the caller's transaction), the public read that withholds
 * open signals, and server-side verification including the cross-check against the `signals` rows.
 * The encoding and the checks live in `@/lib/chain`, shared with the browser's verify page.
 */
import "server-only";
import { createHash } from "node:crypto";
import { asc, desc, eq } from "drizzle-orm";
import { is } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { db, type Executor } from "@/server/db";
import { providers, signalEvents, signals, type SignalEventKind, type SignalStatus } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { lockProvider } from "@/server/services/signals/provider-lock";
import { newId } from "@/lib/ids";
import {
  GENESIS_HASH,
  canonicalJson,
  checkSignalStates,
  newNonce,
  verifyChain,
  type ChainEntry,
  type ChainVerification,
  type PublicChain,
  type SignalStateView,
} from "@/lib/chain";

export type { PublicChain };

export interface AppendChainEntryInput {
  providerId: string;
  signalId: string;
  kind: SignalEventKind;
  at: Date;
  /** Prices, sizes and shares as decimal strings; see the data contract in `@/lib/chain`. */
  data: Record<string, unknown>;
}

export interface AppendedChainEntry {
  seq: number;
  at: string;
  nonce: string;
  prevHash: string;
  hash: string;
}

/** Statuses whose entries are published with data and nonce withheld, so subscribers' edge is not given away. */
export const HIDDEN_STATUSES: readonly SignalStatus[] = ["pending", "open"];

/**
 * Numbers in chain data must be safe integers: decimals travel as strings so every verifier, in any language,
 * hashes the same bytes (JCS number formatting of floats is where implementations drift) and money is never a float.
 */
function assertChainData(value: unknown, path = "data"): void {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError(`${path} is ${value}: put decimals in chain data as strings`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertChainData(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) assertChainData(v, `${path}.${k}`);
  }
}

/**
 * Appends one entry to the provider's chain and returns what was sealed. Runs inside the caller's transaction, with
 * the signal change it records: `at` is the time stored on the row (publishedAt, filledAt, closedAt, …) and `data`
 * follows the contract in `@/lib/chain`, so `verifyStoredChain` and the public verify page can tie row and chain
 * together. The lifecycle (services/signals/lifecycle.ts) appends every event after publication this way; the demo
 * generator (services/seed/track-records.ts) also its `published` entries, on a row it has just inserted.
 *
 * Live publication (services/signals/publish.ts) does not come through here: it takes the same lock, reads the head
 * itself and seals the entry with `sealChainEntry` before inserting the row, so the row goes in with its hash in the
 * same statement.
 */
export async function appendChainEntry(tx: Executor, input: AppendChainEntryInput): Promise<AppendedChainEntry & { row: SealedChainEntry["row"] }> {
  // A lock taken in autocommit mode is released at once and would let two appends read the same head.
  // drizzle's `is` compares entity kinds, not classes: bundlers may load drizzle twice (route vs instrumentation).
  if (!is(tx, PgTransaction)) throw new Error("appendChainEntry must run inside the caller's transaction");

  // INVARIANT: appends for one provider are serialised by this row lock, so each reads the true head of the chain.
  // NO KEY UPDATE rather than UPDATE: the caller has already inserted a signal row, whose foreign key took a KEY
  // SHARE lock on this provider. FOR UPDATE conflicts with KEY SHARE, so two concurrent publishers would each wait
  // for the other (deadlock); NO KEY UPDATE does not, yet still conflicts with itself. The unique (provider_id, seq)
  // index stays as the backstop.
  const provider = await lockProvider(tx, input.providerId);
  if (!provider) throw new NotFoundError("No provider with that id");

  const [head] = await tx
    .select({ seq: signalEvents.seq, hash: signalEvents.hash })
    .from(signalEvents)
    .where(eq(signalEvents.providerId, input.providerId))
    .orderBy(desc(signalEvents.seq))
    .limit(1);

  const sealed = sealChainEntry(head ?? null, input);
  await tx.insert(signalEvents).values(sealed.row);
  return { ...sealed.entry, row: sealed.row };
}

/** A sealed entry: what `appendChainEntry` returns, and the `signal_events` row to insert for it. */
export interface SealedChainEntry {
  entry: AppendedChainEntry;
  row: {
    id: string;
    providerId: string;
    signalId: string;
    seq: number;
    kind: SignalEventKind;
    at: string;
    data: Record<string, unknown>;
    nonce: string;
    prevHash: string;
    hash: string;
  };
}

/**
 * Seals the entry that follows `head` (the provider's last entry, null for an empty chain): numbers it, links it,
 * adds the nonce and hashes it (as `hashEntry` from `@/lib/chain` does). Pure apart from the random nonce and id;
 * `appendChainEntry` is the usual way in.
 * A caller that inserts the row itself must have read `head` under the provider's row lock, in the transaction
 * that inserts the row (see the invariant in `appendChainEntry`).
 */
export function sealChainEntry(head: { seq: number; hash: string } | null, input: AppendChainEntryInput): SealedChainEntry {
  // Hash exactly what jsonb will give back: JSON drops undefined members and turns Dates into strings.
  const data = JSON.parse(JSON.stringify(input.data)) as Record<string, unknown>;
  assertChainData(data);
  const entry: ChainEntry = {
    seq: (head?.seq ?? 0) + 1,
    kind: input.kind,
    signalId: input.signalId,
    at: input.at.toISOString(),
    data,
    nonce: newNonce(),
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  // `hashEntry`'s digest, computed synchronously: Web Crypto's async digest costs more than the hashing here.
  const hash = createHash("sha256").update(canonicalJson(entry)).digest("hex");
  const nonce = entry.nonce!;
  return {
    entry: { seq: entry.seq, at: entry.at, nonce, prevHash: entry.prevHash, hash },
    row: {
      id: newId("sev"),
      providerId: input.providerId,
      signalId: input.signalId,
      seq: entry.seq,
      kind: input.kind,
      at: entry.at,
      data,
      nonce,
      prevHash: entry.prevHash,
      hash,
    },
  };
}

const entryColumns = {
  seq: signalEvents.seq,
  kind: signalEvents.kind,
  signalId: signalEvents.signalId,
  at: signalEvents.at,
  data: signalEvents.data,
  nonce: signalEvents.nonce,
  prevHash: signalEvents.prevHash,
  hash: signalEvents.hash,
};

/** A signal's published state, column by column: the chain download's and the provider's own data export's. */
export const signalStateColumns = {
  id: signals.id,
  number: signals.number,
  status: signals.status,
  symbol: signals.symbol,
  side: signals.side,
  entryType: signals.entryType,
  entryPrice: signals.entryPrice,
  initialStop: signals.initialStop,
  stopLoss: signals.stopLoss,
  takeProfits: signals.takeProfits,
  note: signals.note,
  source: signals.source,
  publishedAt: signals.publishedAt,
  expiresAt: signals.expiresAt,
  filledAt: signals.filledAt,
  fillPrice: signals.fillPrice,
  closedAt: signals.closedAt,
  exitPrice: signals.exitPrice,
  exitReason: signals.exitReason,
  remaining: signals.remaining,
  targetsHit: signals.targetsHit,
  resultPct: signals.resultPct,
  resultR: signals.resultR,
  prevHash: signals.prevHash,
  hash: signals.hash,
};

type StateRow = Pick<typeof signals.$inferSelect, keyof typeof signalStateColumns>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** JSON-ready state: times as ISO strings, decimals as the strings the numeric columns return. */
function toStateView(row: StateRow): SignalStateView & { publishedAt: string } {
  return {
    ...row,
    publishedAt: row.publishedAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    filledAt: iso(row.filledAt),
    closedAt: iso(row.closedAt),
  };
}

/** The chain anyone may download: entries of pending/open signals have data and nonce withheld. */
export async function getPublicChain(slug: string): Promise<PublicChain> {
  const provider = await db.query.providers.findFirst({
    where: eq(providers.slug, slug),
    columns: { id: true, slug: true, displayName: true },
  });
  if (!provider) throw new NotFoundError("No provider with that name");

  // Signals are read before events, and an entry is revealed only if its signal was read as revealed: a signal
  // closing (or a new one arriving) between the two reads then stays hidden instead of leaking or looking broken.
  const rows = await db.select(signalStateColumns).from(signals).where(eq(signals.providerId, provider.id)).orderBy(asc(signals.number));
  const revealed = new Map(rows.filter((r) => !HIDDEN_STATUSES.includes(r.status)).map((r) => [r.id, r]));
  const events = await db.select(entryColumns).from(signalEvents).where(eq(signalEvents.providerId, provider.id)).orderBy(asc(signalEvents.seq));

  return {
    provider: { slug: provider.slug, displayName: provider.displayName },
    entries: events.map((e) => (revealed.has(e.signalId) ? e : { ...e, data: null, nonce: null })),
    signals: [...revealed.values()].map(toStateView),
  };
}

/**
 * Verifies a provider's full chain (nothing withheld) and cross-checks every signal row against its events.
 * For tests and the admin integrity check; the public page runs the same checks on the public chain.
 */
export async function verifyStoredChain(providerId: string): Promise<ChainVerification> {
  const [rows, events] = await Promise.all([
    db.select(signalStateColumns).from(signals).where(eq(signals.providerId, providerId)),
    db.select(entryColumns).from(signalEvents).where(eq(signalEvents.providerId, providerId)).orderBy(asc(signalEvents.seq)),
  ]);
  const result = await verifyChain(events);
  const problems = [...result.problems, ...checkSignalStates(rows.map(toStateView), events)].sort((a, b) => a.seq - b.seq);
  return { ...result, ok: problems.length === 0, problems };
}

/**
 * Publishing a checked signal: numbering it, sealing its `published` chain entry and writing the row, the entry,
 * the audit row, any webhook delivery and the NOTIFY together. Three ways in, one result: the locked transaction
 * (`publishSignal`, `publishChecked`: two round trips), the optimistic single statement when this process knows
 * the provider's chain head (`publishOptimistic`), and inside a caller's transaction that already holds the
 * provider's lock (`publishLocked`).
 */
import "server-only";
import type { Executor } from "@/server/db";
import { asQuery, executeRows, rawPipelined, rawTransaction, type RawRow, type RawStatement } from "@/server/db/raw";
import { signalEvents, signals } from "@/server/db/schema";
import { NotFoundError, isUniqueViolation } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import { sealChainEntry, type SealedChainEntry } from "@/server/services/chain";
import type { ServiceContext } from "@/server/services/context";
import type { PublishSignalInput } from "@/lib/validation/signals";
import { publishedEventData } from "@/lib/chain";
import { newId } from "@/lib/ids";
import { emit, notify, requestCopyFanout } from "./announce";
import { recordFanout } from "./fanout-row";
import { checkInput, parsePublishInput, refundPublication, type CheckedPublication } from "./checks";
import { guardFailure, guardStatements, lockTimeoutStatement, type GuardFailure, type PublicationGuard } from "./guard";
import { forgetHead, knownHead, rememberHead, type KnownHead } from "./known-heads";
import { HEAD_SQL, HEAD_WITH_DELIVERY_SQL, LOCKED_HEAD_SQL, optimisticWrite, publicationWrite, type AuditValues, type HeadRow } from "./publication-sql";
import { loadSignal, signalByKey } from "./queries";
import type { SignalRow, SignalSource } from "./types";

export interface PublishResult {
  signal: SignalRow;
  /** False when an idempotency key matched an earlier publication: nothing new was written. */
  created: boolean;
}

/**
 * A webhook delivery recorded with the publication: its row (with the final answer) is written in the publishing
 * transaction, so the delivery and the signal commit together or not at all.
 */
export interface PublishDelivery {
  /** The delivery's idempotency key (per provider). */
  key: string;
  /** The answer to store on the delivery row and return, built from the new signal before it commits. */
  answer(signal: SignalRow): { status: number; body: Record<string, unknown> };
}

export type DeliveryPublishResult =
  | { outcome: "published"; signal: SignalRow; status: number; body: Record<string, unknown> }
  /** A delivery with this key is already recorded, with its answer; nothing was written. */
  | { outcome: "recorded"; status: number; response: Record<string, unknown> }
  /** A signal already holds the idempotency key, or a concurrent writer took the key: nothing was written. */
  | { outcome: "conflict" };

/** The caller's guard stopped the publication (see `PublicationGuard`): nothing was written. */
export type GuardedResult = { outcome: "guard_failed"; failed: GuardFailure };

/** After the commit of a publication: the job event, and the copy fan-out's when the statement wrote its row. */
async function announceWritten(signal: SignalRow, fanout: boolean): Promise<void> {
  await emit("signal/published", { signalId: signal.id, providerId: signal.providerId });
  if (fanout) await requestCopyFanout(signal.id, signal.providerId);
}

/** The audit row of a publication made for someone (none for a system publication). */
function auditOf(ctx: ServiceContext, source: SignalSource): AuditValues | null {
  return ctx.actor ? { actorId: ctx.actor.id, data: { source }, ip: ctx.ip } : null;
}

/**
 * The row a publication inserts and its sealed `published` chain entry, from the number, the numeric columns' text
 * as PostgreSQL stores it, and the chain head the entry follows. The row is exactly what a read returns (column
 * defaults included), so the chain entry built from it and the answer match the stored signal.
 */
function newPublication(
  providerId: string,
  p: CheckedPublication,
  source: SignalSource,
  at: { number: number; entryPrice: string; stopLoss: string | null; head: { seq: number; hash: string } | null },
): { signal: SignalRow; sealed: SealedChainEntry } {
  const { input, now } = p;
  const market = input.entryType === "market";
  const signal: SignalRow = {
    id: newId("sig"),
    providerId,
    number: at.number,
    symbol: p.symbol,
    side: input.side,
    entryType: input.entryType,
    entryPrice: at.entryPrice,
    initialStop: at.stopLoss,
    stopLoss: at.stopLoss,
    takeProfits: p.takeProfits,
    note: input.note,
    source,
    status: market ? "open" : "pending",
    idempotencyKey: input.idempotencyKey ?? null,
    publishedAt: now,
    expiresAt: p.expiresAt,
    filledAt: market ? now : null,
    fillPrice: market ? at.entryPrice : null,
    remaining: "1",
    targetsHit: [],
    closedAt: null,
    checkedUntil: null,
    exitPrice: null,
    exitReason: null,
    resultPct: null,
    resultR: null,
    prevHash: "",
    hash: "",
    updatedAt: new Date(),
  };
  const sealed = sealChainEntry(at.head, {
    providerId,
    signalId: signal.id,
    kind: "published",
    at: now,
    // Built from the row as stored, so every field the row shows (its number included) is what the chain commits to.
    data: publishedEventData(signal),
  });
  signal.prevHash = sealed.entry.prevHash;
  signal.hash = sealed.entry.hash;
  return { signal, sealed };
}

type Written =
  | { kind: "published"; signal: SignalRow; answer?: { status: number; body: Record<string, unknown> }; head?: KnownHead; copiers: boolean }
  | { kind: "existing"; id: string }
  | { kind: "recorded"; status: number; response: Record<string, unknown> }
  | { kind: "guard_failed"; failed: GuardFailure };

/**
 * The publication transaction, in two round trips and one commit: BEGIN, lock the provider (under the caller's
 * guard, if any) and read the head and what the guard needs; then number the signal, seal its `published` chain
 * entry, and write everything in one statement sent with the COMMIT. Nothing is written when a signal already holds
 * the key, (with a delivery) the delivery is recorded, or the guard fails.
 */
async function writePublication(
  ctx: ServiceContext,
  providerId: string,
  p: CheckedPublication,
  source: SignalSource,
  delivery?: PublishDelivery,
  guard?: PublicationGuard,
): Promise<Written> {
  const { input } = p;
  const key = input.idempotencyKey ?? null;
  const { lock, read } = guardStatements(providerId, guard);
  const first: RawStatement[] = [
    ...(guard?.lockTimeout ? [lockTimeoutStatement(guard.lockTimeout)] : []),
    lock,
    delivery ? [HEAD_WITH_DELIVERY_SQL, [providerId, key, p.entry, input.stopLoss ?? null, delivery.key]] : [HEAD_SQL, [providerId, key, p.entry, input.stopLoss ?? null]],
    ...(read ? [read] : []),
  ];
  const written = await rawTransaction<Written>(first, (rows) => {
    const [locked, heads, readRows] = guard?.lockTimeout ? rows.slice(1) : rows;
    const failed = guardFailure(guard, locked!, readRows);
    if (failed) return { last: [], result: { kind: "guard_failed", failed } };
    if (!locked!.length) throw new NotFoundError("Provider not found");
    const head = heads![0] as unknown as HeadRow;
    // A status-0 row is a claim left by an older version of the webhook (it claimed, acted, then answered): never an
    // answer. Going on, the insert of this delivery meets it and the caller takes the path that replaces it.
    if (delivery && head.deliveryStatus) return { last: [], result: { kind: "recorded", status: head.deliveryStatus, response: head.deliveryResponse ?? {} } };
    if (head.existingId) return { last: [], result: { kind: "existing", id: head.existingId } };

    const { signal, sealed } = newPublication(providerId, p, source, {
      number: (head.lastNumber ?? 0) + 1,
      entryPrice: head.entryPrice,
      stopLoss: head.stopLoss,
      // INVARIANT: the head was read under the provider's lock, so this entry follows the true head of the chain.
      head: head.headSeq == null ? null : { seq: head.headSeq, hash: head.headHash! },
    });
    const answer = delivery?.answer(signal);
    const write = publicationWrite(signal, sealed.row, auditOf(ctx, source), delivery && answer ? { key: delivery.key, status: answer.status, response: answer.body } : null);
    return {
      last: [write],
      result: { kind: "published", signal, answer, head: { seq: sealed.entry.seq, hash: sealed.entry.hash, lastNumber: signal.number }, copiers: Boolean(head.copiers) },
    };
  });
  // Remembered only once committed; any other outcome leaves the guess as it was (the optimistic write checks it).
  if (written.kind === "published" && written.head) rememberHead(providerId, written.head);
  return written;
}

/**
 * Publishes a signal for `ctx.actor` after checking it against the market (see ./checks): refusals throw
 * ValidationError and write nothing. A repeat of an idempotency key returns the first signal (`created: false`).
 */
export async function publishSignal(ctx: ServiceContext, providerId: string, raw: PublishSignalInput | unknown, source: SignalSource): Promise<PublishResult> {
  const input = parsePublishInput(raw);

  if (input.idempotencyKey) {
    const existing = await signalByKey(providerId, input.idempotencyKey);
    if (existing) return { signal: existing, created: false };
  }
  const checked = await checkInput(providerId, input, ctx.now);

  try {
    const written = await writePublication(ctx, providerId, checked, source);
    switch (written.kind) {
      case "published":
        await announceWritten(written.signal, written.copiers);
        return { signal: written.signal, created: true };
      case "existing":
        return { signal: await loadSignal(written.id), created: false };
      default:
        throw new Error(`publishSignal: unexpected ${written.kind} outcome`);
    }
  } catch (err) {
    // Two deliveries of one idempotency key racing: the loser returns the winner's signal.
    if (input.idempotencyKey && isUniqueViolation(err, "signals_provider_id_idempotency_key_idx")) {
      const existing = await signalByKey(providerId, input.idempotencyKey);
      if (existing) return { signal: existing, created: false };
    }
    throw err;
  }
}

/**
 * Writes a publication already checked (`checkPublication`) with its delivery, optionally under the caller's
 * guard. Whatever the outcome but "published", nothing was written and the rate-limit point is given back.
 */
export async function publishChecked(
  ctx: ServiceContext,
  providerId: string,
  checked: CheckedPublication,
  source: SignalSource,
  delivery: PublishDelivery,
  guard?: PublicationGuard,
): Promise<DeliveryPublishResult | GuardedResult> {
  let written: Written;
  try {
    written = await writePublication(ctx, providerId, checked, source, delivery, guard);
  } catch (err) {
    // A concurrent writer took the signal's key or the delivery's between the check and the insert.
    if (isUniqueViolation(err, "signals_provider_id_idempotency_key_idx") || isUniqueViolation(err, "webhook_deliveries_provider_id_key_idx")) {
      await refundPublication(providerId);
      return { outcome: "conflict" };
    }
    throw err;
  }
  if (written.kind === "published" && written.answer) {
    await announceWritten(written.signal, written.copiers);
    return { outcome: "published", signal: written.signal, ...written.answer };
  }
  // A repeat that got past the caller's check: like a repeat caught before it, it does not count against the limit.
  await refundPublication(providerId);
  if (written.kind === "guard_failed") return { outcome: "guard_failed", failed: written.failed };
  return written.kind === "recorded" ? { outcome: "recorded", status: written.status, response: written.response } : { outcome: "conflict" };
}

/** A decimal string PostgreSQL's numeric gives back unchanged (no sign, exponent or leading zeros). */
const PLAIN_DECIMAL = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/**
 * The optimistic publication: when this process knows the provider's chain head (it wrote the last entry), the
 * signal, its chain entry, the audit row, the delivery and the NOTIFY go in one statement, with no transaction
 * round trips, pipelined with other alerts' statements on one connection (`rawPipelined`). The statement locks the
 * provider row (or, when another transaction holds it, writes nothing rather than wait) and writes only if, under
 * that lock, the head and last number are the guessed ones, no signal holds the key, no delivery is recorded, and
 * the caller's `guard` holds (see `optimisticWrite`). A concurrent append that slips in is refused by the unique
 * indexes.
 *
 * Returns the published result, or null when it wrote nothing (no guess, a price PostgreSQL would rewrite, a
 * condition that failed, a race): the caller then goes the locked way (`publishChecked`), which finds out why.
 */
export async function publishOptimistic(
  ctx: ServiceContext,
  providerId: string,
  p: CheckedPublication,
  source: SignalSource,
  delivery: PublishDelivery,
  guard: PublicationGuard = {},
): Promise<Extract<DeliveryPublishResult, { outcome: "published" }> | null> {
  const known = knownHead(providerId);
  const stop = p.input.stopLoss ?? null;
  if (!known || !PLAIN_DECIMAL.test(p.entry) || (stop !== null && !PLAIN_DECIMAL.test(stop))) return null;
  const { signal, sealed } = newPublication(providerId, p, source, { number: known.lastNumber + 1, entryPrice: p.entry, stopLoss: stop, head: known });
  const answer = delivery.answer(signal);
  const [text, params] = optimisticWrite(signal, sealed.row, auditOf(ctx, source), { key: delivery.key, status: answer.status, response: answer.body }, known, guard);
  let rows: RawRow[];
  try {
    // Pipelined with the other alerts' statements. SKIP LOCKED: while another transaction holds the provider, this
    // one writes nothing at once (the locked way then waits its turn) rather than holding up the pipeline.
    rows = await rawPipelined(text, params);
  } catch (err) {
    // Raced with another append (or took a key meanwhile): the unique indexes refused the whole statement.
    if (isUniqueViolation(err)) {
      forgetHead(providerId);
      return null;
    }
    throw err;
  }
  if (!rows.length) {
    forgetHead(providerId);
    return null;
  }
  rememberHead(providerId, { seq: sealed.entry.seq, hash: sealed.entry.hash, lastNumber: signal.number });
  await announceWritten(signal, Number(rows[0]!.fanouts ?? 0) > 0);
  return { outcome: "published", signal, ...answer };
}

/**
 * Publishes a checked signal inside the caller's transaction, which already holds the provider's row lock
 * (`lockProvider`) and has decided, under it, that this publication is due: numbers the signal and seals its
 * `published` chain entry on the head read under that lock, then writes the row, the entry, the audit row and the
 * NOTIFY. The caller announces it after the commit (`announcePublished`).
 */
export async function publishLocked(ctx: ServiceContext, tx: Executor, providerId: string, p: CheckedPublication, source: SignalSource): Promise<SignalRow> {
  // This process's guess of the head is stale from here on, whether or not the caller commits.
  forgetHead(providerId);
  const [head] = await executeRows<HeadRow & RawRow>(tx, asQuery([LOCKED_HEAD_SQL, [providerId, p.entry, p.input.stopLoss ?? null]]));
  const { signal, sealed } = newPublication(providerId, p, source, {
    number: (head!.lastNumber ?? 0) + 1,
    entryPrice: head!.entryPrice,
    stopLoss: head!.stopLoss,
    // INVARIANT: the caller holds the provider's lock, so this entry follows the true head of the chain.
    head: head!.headSeq == null ? null : { seq: Number(head!.headSeq), hash: head!.headHash! },
  });
  await tx.insert(signals).values(signal);
  await tx.insert(signalEvents).values(sealed.row);
  await recordFanout(tx, sealed.row);
  if (ctx.actor) await recordAudit(tx, { actorId: ctx.actor.id, action: "signal.published", targetType: "signal", targetId: signal.id, data: { source }, ip: ctx.ip, userAgent: ctx.userAgent });
  await notify(tx, { providerId, signalId: signal.id, kind: "published" });
  return signal;
}

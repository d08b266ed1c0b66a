/**
 * Signals: publishing (web form, REST API and TradingView all come here), the provider's manual changes, and the
 * lifecycle events decided from market prices. A signal row is never edited in place: every change appends a
 * hash-chained event (services/chain) in the same transaction that updates the row's current state, and each
 * commit NOTIFYs the realtime channel.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { env } from "@/env";
import { db, type Executor } from "@/server/db";
import { executeRows, rawPipelined, rawTransaction, type RawRow, type RawStatement } from "@/server/db/raw";
import { providers, signalEvents, signals, type SignalEventKind, type TakeProfitLevel } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError, isUniqueViolation } from "@/server/errors";
import { consume, refund } from "@/server/rate-limit";
import { recordAudit } from "@/server/services/audit";
import { appendChainEntry, sealChainEntry, type SealedChainEntry } from "@/server/services/chain";
import { getMarketData } from "@/server/integrations/market-data";
import { sendEvent, type JobEvents } from "@/server/jobs/events";
import { logger } from "@/server/logger";
import { DEFAULT_LIMIT_EXPIRY_HOURS, levelProblems, publishSignalSchema, relativeDistance, type PublishSignalInput } from "@/lib/validation/signals";
import { fieldErrorsFromZod, firstFieldError } from "@/lib/validation/field-errors";
import { publishedEventData } from "@/lib/chain";
import { newId } from "@/lib/ids";
import { averageExit, legsOf, runCandles, type Candle, type LifecycleEvent, type LifecycleState } from "@/lib/lifecycle";
import { rMultiple, signalReturn } from "@/lib/stats";

export type SignalRow = typeof signals.$inferSelect;
export type SignalSource = SignalRow["source"];

export const SIGNAL_CHANNEL = "tradsy_signals";
/** A provider's publishing quota (`SIGNAL_PUBLISH_LIMIT_PER_MINUTE`, default 30 a minute). */
export const PUBLISH_RATE = { points: env.SIGNAL_PUBLISH_LIMIT_PER_MINUTE, seconds: 60 } as const;

export interface ActionMeta {
  actorId: string | null;
  ip?: string | null;
  now?: Date;
}

/** Row lock on the provider: serialises numbering and chain appends per provider. */
async function lockProvider(tx: Executor, providerId: string) {
  // NO KEY UPDATE: serialises appends per provider without blocking inserts that reference the provider row.
  const [row] = await tx.select({ id: providers.id }).from(providers).where(eq(providers.id, providerId)).for("no key update");
  if (!row) throw new NotFoundError("Provider not found");
}

async function notify(tx: Executor, payload: { providerId: string; signalId: string; kind: SignalEventKind }) {
  await tx.execute(sql`select pg_notify(${SIGNAL_CHANNEL}, ${JSON.stringify(payload)})`);
}

/** Appends one chain entry for a signal and keeps the row's stored hash of its `published` entry. */
/**
 * The chain head and last signal number this process last committed for each provider: a guess that lets the
 * optimistic publication (`publishOptimistic`) write in one statement. Never trusted: the statement checks it under
 * the provider's lock, and the unique (provider, seq) and (provider, number) indexes refuse a write that raced with
 * another. Any other append from this process forgets it; appends elsewhere only make the next guess miss.
 */
interface KnownHead {
  seq: number;
  hash: string;
  lastNumber: number;
}
const knownHeads = new Map<string, KnownHead>();
const KNOWN_HEADS_MAX = 10_000;

function rememberHead(providerId: string, head: KnownHead) {
  if (knownHeads.size >= KNOWN_HEADS_MAX && !knownHeads.has(providerId)) knownHeads.clear();
  knownHeads.set(providerId, head);
}

async function appendEvent(tx: Executor, signal: { id: string; providerId: string }, kind: SignalEventKind, at: Date, data: Record<string, unknown>) {
  knownHeads.delete(signal.providerId);
  const entry = await appendChainEntry(tx, { providerId: signal.providerId, signalId: signal.id, kind, at, data });
  await notify(tx, { providerId: signal.providerId, signalId: signal.id, kind });
  return entry;
}

type SignalJobEvent = Extract<keyof JobEvents, `signal/${string}`>;

async function emit<K extends SignalJobEvent>(name: K, data: JobEvents[K]) {
  try {
    await sendEvent(name, data);
  } catch (err) {
    // The signal is committed; a lost job event is logged, and the price monitor and roll-up catch up on their own.
    logger.error({ err, name }, "could not emit job event");
  }
}

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

/**
 * The caller's own guard on the publication transaction (the TradingView webhook's: its token must still be the
 * provider's, and the alert must still only open). Nothing is written when `check` returns a value.
 */
export interface PublicationGuard<E> {
  /** How long to wait for the provider's lock (a PostgreSQL interval, e.g. "2s") before failing with 55P03. */
  lockTimeout?: string;
  /** Takes the place of the plain provider lock: must lock the provider's row FOR NO KEY UPDATE and return it. */
  lock: RawStatement;
  /** A read made under the lock (sent after it, as its own statement). */
  read: RawStatement;
  /** From their rows: a value to end the transaction with, or undefined to go on and publish. */
  check(locked: RawRow[], read: RawRow[]): E | undefined;
}

type PublishInput = z.output<typeof publishSignalSchema>;

/** A publication that passed every check (`checkPublication`), ready to be numbered, chained and written. */
export interface CheckedPublication {
  input: PublishInput;
  symbol: string;
  entry: string;
  takeProfits: TakeProfitLevel[];
  expiresAt: Date | null;
  now: Date;
}

function parsePublishInput(raw: unknown): PublishInput {
  const parsed = publishSignalSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrorsFromZod(parsed.error);
    throw new ValidationError(firstFieldError(fields) ?? "Check the signal's fields", fields);
  }
  return parsed.data;
}

async function signalByKey(providerId: string, key: string): Promise<SignalRow | undefined> {
  const [row] = await db
    .select()
    .from(signals)
    .where(and(eq(signals.providerId, providerId), eq(signals.idempotencyKey, key)))
    .limit(1);
  return row;
}

/**
 * The rate limit and the checks against the market; refusals throw and write nothing (a refusal after the rate
 * limit still counts against it). A checked publication that is then not written, being a repeat, gives its point
 * back with `refundPublication`.
 */
async function checkInput(providerId: string, input: PublishInput, now: Date): Promise<CheckedPublication> {
  await consume("publish-signal", providerId, PUBLISH_RATE.points, PUBLISH_RATE.seconds);
  return checkMarket(input, now);
}

async function checkMarket(input: PublishInput, now: Date): Promise<CheckedPublication> {
  const market = getMarketData();
  const info = await market.getSymbol(input.symbol);
  if (!info) {
    const msg = `Unknown symbol "${input.symbol}". Pick one from the symbol list (e.g. BTC/USDT).`;
    throw new ValidationError(msg, { symbol: [msg] });
  }
  const quote = await market.lastPrice(info.symbol);
  const tolerance = new Decimal(env.SIGNAL_ENTRY_TOLERANCE);
  let entry: string;
  if (input.entryType === "market") {
    if (input.entryPrice && relativeDistance(input.entryPrice, quote.price).gt(tolerance)) {
      const pct = relativeDistance(input.entryPrice, quote.price).times(100).toDecimalPlaces(2).toString();
      const msg = `Entry ${input.entryPrice} is ${pct}% from the market price ${quote.price}; a market entry must be within ${tolerance.times(100).toString()}% of it.`;
      throw new ValidationError(msg, { entryPrice: [msg] });
    }
    entry = quote.price;
  } else {
    entry = input.entryPrice!;
    const long = input.side === "long";
    const wrongSide = long ? new Decimal(entry).gte(quote.price) : new Decimal(entry).lte(quote.price);
    if (wrongSide) {
      const msg = `A ${input.side} limit entry must be ${long ? "below" : "above"} the current price ${quote.price}; use a market entry to enter now.`;
      throw new ValidationError(msg, { entryPrice: [msg] });
    }
  }
  const problems = levelProblems(input, entry);
  if (Object.keys(problems).length) throw new ValidationError(firstFieldError(problems) ?? "Check the levels", problems);

  const takeProfits: TakeProfitLevel[] = input.takeProfits.map((tp) => ({ price: tp.price, share: tp.share }));
  const expiresAt = input.entryType === "limit" ? new Date(now.getTime() + (input.expiresInHours ?? DEFAULT_LIMIT_EXPIRY_HOURS) * 3_600_000) : null;
  return { input, symbol: info.symbol, entry, takeProfits, expiresAt, now };
}

/** Parses and checks a publication (see `checkInput`) without writing anything. */
export async function checkPublication(providerId: string, raw: PublishSignalInput | unknown, meta: ActionMeta): Promise<CheckedPublication> {
  return checkInput(providerId, parsePublishInput(raw), meta.now ?? new Date());
}

/** A publication's checks as a verdict, with whether they took a point of the provider's quota (see `checkInput`). */
export type PublicationCheck = { ok: true; value: CheckedPublication; counted: true } | { ok: false; error: unknown; counted: boolean };

/**
 * `checkPublication` as a verdict rather than a throw, for a caller that decides later whether it publishes at all:
 * if it does not, it gives back the point the checks took (`counted`) with `refundPublication`.
 */
export async function checkPublicationVerdict(providerId: string, raw: PublishSignalInput | unknown, meta: ActionMeta): Promise<PublicationCheck> {
  let input: PublishInput;
  try {
    input = parsePublishInput(raw);
    await consume("publish-signal", providerId, PUBLISH_RATE.points, PUBLISH_RATE.seconds);
  } catch (error) {
    return { ok: false, error, counted: false };
  }
  try {
    return { ok: true, value: await checkMarket(input, meta.now ?? new Date()), counted: true };
  } catch (error) {
    return { ok: false, error, counted: true };
  }
}

/**
 * `checkPublication` for a caller with an exact path to fall back on: null instead of a refusal or an error, and
 * then nothing counted against the rate limit (the exact path counts and refuses it, once).
 */
export async function tryCheckPublication(providerId: string, raw: PublishSignalInput | unknown, meta: ActionMeta): Promise<CheckedPublication | null> {
  const parsed = publishSignalSchema.safeParse(raw);
  if (!parsed.success) return null;
  try {
    await consume("publish-signal", providerId, PUBLISH_RATE.points, PUBLISH_RATE.seconds);
  } catch {
    return null;
  }
  try {
    return await checkMarket(parsed.data, meta.now ?? new Date());
  } catch {
    await refundPublication(providerId);
    return null;
  }
}

/** Gives back the rate-limit point a checked publication took, when it turned out to be a repeat and wrote nothing. */
export async function refundPublication(providerId: string): Promise<void> {
  await refund("publish-signal", providerId);
}

// The publication transaction in plain SQL (src/server/db/raw.ts): it runs on every signal published, the
// TradingView webhook's hot path, where the query builder cost several times the database's own work.

/** Row lock on the provider: serialises numbering and chain appends per provider (see `appendChainEntry`). */
const LOCK_PROVIDER_SQL = "select id from providers where id = $1 for no key update";

/**
 * Read after the lock, in its own statement (a statement's snapshot predates the lock wait, so the lock and these
 * reads cannot share one): the last number, the chain head, a signal already holding the idempotency key, the
 * numeric columns' stored text for the entry and stop (the chain commits to what the row will show), and with a
 * webhook delivery, a delivery row already recorded for its key.
 */
function headSql(withDelivery: boolean): string {
  return `select (select max(number) from signals where provider_id = $1) as "lastNumber",
  (select id from signals where provider_id = $1 and idempotency_key = $2) as "existingId",
  h.seq as "headSeq", h.hash as "headHash",
  $3::text::numeric::text as "entryPrice", $4::text::numeric::text as "stopLoss"${
    withDelivery ? `,\n  d.status as "deliveryStatus", d.response as "deliveryResponse"` : ""
  }
from (select 1) as one
left join lateral (select seq, hash from signal_events where provider_id = $1 order by seq desc limit 1) as h on true${
    withDelivery ? "\nleft join webhook_deliveries as d on d.provider_id = $1 and d.key = $5" : ""
  }`;
}
const HEAD_SQL = headSql(false);
const HEAD_WITH_DELIVERY_SQL = headSql(true);

interface HeadRow {
  lastNumber: number | null;
  existingId: string | null;
  headSeq: number | null;
  headHash: string | null;
  entryPrice: string;
  stopLoss: string | null;
  deliveryStatus?: number | null;
  deliveryResponse?: Record<string, unknown> | null;
}

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * One statement writes the signal, its `published` chain entry, the audit row, the delivery row and the NOTIFY
 * (data-modifying CTEs all run, whether or not the outer query reads them).
 */
/** Adds a statement parameter and returns its placeholder ($1, $2…). */
export type Param = (value: unknown) => string;

function publicationWrite(
  signal: SignalRow,
  event: SealedChainEntry["row"],
  audit: { actorId: string; data: Record<string, unknown>; ip: string | null } | null,
  delivery: { key: string; status: number; response: Record<string, unknown> } | null,
  /** The optimistic write's CTE (`ok`, one row or none): every insert and the NOTIFY then happen only with its row. */
  ok?: ($: Param, providerId: string) => string,
): RawStatement {
  const params: unknown[] = [];
  const $: Param = (value) => {
    params.push(value);
    return `$${params.length}`;
  };
  const id = $(signal.id);
  const providerId = $(signal.providerId);
  const prevHash = $(signal.prevHash);
  const hash = $(signal.hash);
  const rows = (values: string) => (ok ? `select ${values} from ok` : `values (${values})`);
  let text = `with ${ok ? `ok as (\n${ok($, providerId)}\n), ` : ""}s as (
  insert into signals (id, provider_id, number, symbol, side, entry_type, entry_price, initial_stop, stop_loss, take_profits, note, source,
    status, idempotency_key, published_at, expires_at, filled_at, fill_price, prev_hash, hash, updated_at)
  ${rows(`${id}, ${providerId}, ${$(signal.number)}::int, ${$(signal.symbol)}::text, ${$(signal.side)}::text::signal_side, ${$(signal.entryType)}::text::entry_type,
    ${$(signal.entryPrice)}::text::numeric, ${$(signal.initialStop)}::text::numeric, ${$(signal.stopLoss)}::text::numeric, ${$(JSON.stringify(signal.takeProfits))}::text::jsonb,
    ${$(signal.note)}::text, ${$(signal.source)}::text::signal_source, ${$(signal.status)}::text::signal_status, ${$(signal.idempotencyKey)}::text,
    ${$(signal.publishedAt.toISOString())}::text::timestamptz, ${$(isoOrNull(signal.expiresAt))}::text::timestamptz, ${$(isoOrNull(signal.filledAt))}::text::timestamptz,
    ${$(signal.fillPrice)}::text::numeric, ${prevHash}::text, ${hash}::text, ${$(signal.updatedAt.toISOString())}::text::timestamptz`)}
), e as (
  insert into signal_events (id, provider_id, signal_id, seq, kind, at, data, nonce, prev_hash, hash)
  ${rows(`${$(event.id)}::text, ${providerId}::text, ${id}::text, ${$(event.seq)}::int, ${$(event.kind)}::text::signal_event_kind, ${$(event.at)}::text, ${$(JSON.stringify(event.data))}::text::jsonb,
    ${$(event.nonce)}::text, ${prevHash}::text, ${hash}::text`)}
)`;
  if (audit) {
    text += `, a as (
  insert into audit_log (actor_id, action, target_type, target_id, data, ip)
  ${rows(`${$(audit.actorId)}::text, 'signal.published'::text, 'signal'::text, ${id}::text, ${$(JSON.stringify(audit.data))}::text::jsonb, ${$(audit.ip)}::text`)}
)`;
  }
  if (delivery) {
    text += `, d as (
  insert into webhook_deliveries (provider_id, key, status, response)
  ${rows(`${providerId}::text, ${$(delivery.key)}::text, ${$(delivery.status)}::int, ${$(JSON.stringify(delivery.response))}::text::jsonb`)}
)`;
  }
  text += `\nselect pg_notify(${$(SIGNAL_CHANNEL)}::text, ${$(JSON.stringify({ providerId: signal.providerId, signalId: signal.id, kind: "published" }))}::text)${ok ? " from ok" : ""}`;
  return [text, params];
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

type Written<E = never> =
  | { kind: "published"; signal: SignalRow; answer?: { status: number; body: Record<string, unknown> }; head?: KnownHead }
  | { kind: "existing"; id: string }
  | { kind: "recorded"; status: number; response: Record<string, unknown> }
  | { kind: "ended"; value: E };

/**
 * The publication transaction, in two round trips and one commit: BEGIN, lock the provider and read the head;
 * then number the signal, seal its `published` chain entry, and write everything in one statement sent with the
 * COMMIT. Nothing is written when a signal already holds the key, (with a delivery) the delivery is recorded, or
 * the caller's guard ends it.
 */
async function writePublication<E = never>(
  providerId: string,
  p: CheckedPublication,
  source: SignalSource,
  meta: ActionMeta,
  delivery?: PublishDelivery,
  guard?: PublicationGuard<E>,
): Promise<Written<E>> {
  const { input } = p;
  const key = input.idempotencyKey ?? null;
  if (guard?.lockTimeout && !/^\d+(ms|s)$/.test(guard.lockTimeout)) throw new Error(`lockTimeout ${guard.lockTimeout}: use e.g. "2s"`);
  const first: RawStatement[] = [
    ...(guard?.lockTimeout ? [[`set local lock_timeout = '${guard.lockTimeout}'`, []] as const] : []),
    guard ? guard.lock : [LOCK_PROVIDER_SQL, [providerId]],
    delivery ? [HEAD_WITH_DELIVERY_SQL, [providerId, key, p.entry, input.stopLoss ?? null, delivery.key]] : [HEAD_SQL, [providerId, key, p.entry, input.stopLoss ?? null]],
    ...(guard ? [guard.read] : []),
  ];
  const written = await rawTransaction<Written<E>>(first, (rows) => {
    const [locked, heads, read] = guard?.lockTimeout ? rows.slice(1) : rows;
    const value = guard?.check(locked!, read!);
    if (value !== undefined) return { last: [], result: { kind: "ended", value } };
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
    const write = publicationWrite(
      signal,
      sealed.row,
      meta.actorId ? { actorId: meta.actorId, data: { source }, ip: meta.ip ?? null } : null,
      delivery && answer ? { key: delivery.key, status: answer.status, response: answer.body } : null,
    );
    return { last: [write], result: { kind: "published", signal, answer, head: { seq: sealed.entry.seq, hash: sealed.entry.hash, lastNumber: signal.number } } };
  });
  // Remembered only once committed; any other outcome leaves the guess as it was (the optimistic write checks it).
  if (written.kind === "published" && written.head) rememberHead(providerId, written.head);
  return written;
}

/** A decimal string PostgreSQL's numeric gives back unchanged (no sign, exponent or leading zeros). */
const PLAIN_DECIMAL = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/**
 * The optimistic publication: when this process knows the provider's chain head (it wrote the last entry), the
 * signal, its chain entry, the audit row, the delivery and the NOTIFY go in one statement, with no transaction
 * round trips, pipelined with other alerts' statements on one connection (`rawPipelined`). The statement locks the
 * provider row (or, when another transaction holds it, writes nothing rather than wait) and writes only if, under
 * that lock, the head and last number are the guessed ones, no signal holds the key, no delivery is recorded, and
 * the caller's `guard` SQL holds (a condition on the locked provider row `p`). A concurrent append that slips in is
 * refused by the unique indexes.
 *
 * Returns the published result, or null when it wrote nothing (no guess, a price PostgreSQL would rewrite, a
 * condition that failed, a race): the caller then goes the locked way (`publishChecked`), which finds out why.
 */
export async function publishOptimistic(
  providerId: string,
  p: CheckedPublication,
  source: SignalSource,
  meta: ActionMeta,
  delivery: PublishDelivery,
  guard: ($: Param) => string,
): Promise<Extract<DeliveryPublishResult, { outcome: "published" }> | null> {
  const known = knownHeads.get(providerId);
  const stop = p.input.stopLoss ?? null;
  if (!known || !PLAIN_DECIMAL.test(p.entry) || (stop !== null && !PLAIN_DECIMAL.test(stop))) return null;
  const key = p.input.idempotencyKey ?? null;
  const { signal, sealed } = newPublication(providerId, p, source, { number: known.lastNumber + 1, entryPrice: p.entry, stopLoss: stop, head: known });
  const answer = delivery.answer(signal);
  const statement = publicationWrite(
    signal,
    sealed.row,
    meta.actorId ? { actorId: meta.actorId, data: { source }, ip: meta.ip ?? null } : null,
    { key: delivery.key, status: answer.status, response: answer.body },
    ($, pid) => `  select p.id from providers as p
  where p.id = ${pid}::text
    and (select max(n.number) from signals as n where n.provider_id = ${pid}::text) = ${$(known.lastNumber)}::int
    and (select h.seq from signal_events as h where h.provider_id = ${pid}::text order by h.seq desc limit 1) = ${$(known.seq)}::int
    and (select h.hash from signal_events as h where h.provider_id = ${pid}::text and h.seq = ${$(known.seq)}::int) = ${$(known.hash)}::text
    and not exists (select 1 from signals as k where k.provider_id = ${pid}::text and k.idempotency_key = ${$(key)}::text)
    and not exists (select 1 from webhook_deliveries as w where w.provider_id = ${pid}::text and w.key = ${$(delivery.key)}::text)
    and ${guard($)}
  for no key update of p skip locked`,
  );
  let rows: RawRow[];
  try {
    // Pipelined with the other alerts' statements. SKIP LOCKED: while another transaction holds the provider, this
    // one writes nothing at once (the locked way then waits its turn) rather than holding up the pipeline.
    rows = await rawPipelined(statement[0], statement[1]);
  } catch (err) {
    // Raced with another append (or took a key meanwhile): the unique indexes refused the whole statement.
    if (isUniqueViolation(err)) {
      knownHeads.delete(providerId);
      return null;
    }
    throw err;
  }
  if (!rows.length) {
    knownHeads.delete(providerId);
    return null;
  }
  rememberHead(providerId, { seq: sealed.entry.seq, hash: sealed.entry.hash, lastNumber: signal.number });
  await emit("signal/published", { signalId: signal.id, providerId });
  return { outcome: "published", signal, ...answer };
}

/**
 * Publishes a checked signal inside the caller's transaction, which already holds the provider's row lock (FOR NO
 * KEY UPDATE, as `lockProvider` takes it) and has decided, under it, that this publication is due: numbers the
 * signal and seals its `published` chain entry on the head read under that lock, then writes the row, the entry,
 * the audit row and the NOTIFY. The caller announces it after the commit (`announcePublished`).
 */
export async function publishLocked(tx: Executor, providerId: string, p: CheckedPublication, source: SignalSource, meta: ActionMeta): Promise<SignalRow> {
  // This process's guess of the head is stale from here on, whether or not the caller commits.
  knownHeads.delete(providerId);
  const [head] = await executeRows<{ lastNumber: number | null; headSeq: number | null; headHash: string | null; entryPrice: string; stopLoss: string | null }>(
    tx,
    sql`select (select max(number) from signals where provider_id = ${providerId}) as "lastNumber", h.seq as "headSeq", h.hash as "headHash",
      ${p.entry}::text::numeric::text as "entryPrice", ${p.input.stopLoss ?? null}::text::numeric::text as "stopLoss"
    from (select 1) as one
    left join lateral (select seq, hash from signal_events where provider_id = ${providerId} order by seq desc limit 1) as h on true`,
  );
  const { signal, sealed } = newPublication(providerId, p, source, {
    number: (head!.lastNumber ?? 0) + 1,
    entryPrice: head!.entryPrice,
    stopLoss: head!.stopLoss,
    // INVARIANT: the caller holds the provider's lock, so this entry follows the true head of the chain.
    head: head!.headSeq == null ? null : { seq: Number(head!.headSeq), hash: head!.headHash! },
  });
  await tx.insert(signals).values(signal);
  await tx.insert(signalEvents).values(sealed.row);
  if (meta.actorId) await recordAudit(tx, { actorId: meta.actorId, action: "signal.published", targetType: "signal", targetId: signal.id, data: { source }, ip: meta.ip });
  await notify(tx, { providerId, signalId: signal.id, kind: "published" });
  return signal;
}

/** After the commit of `publishLocked`: the job event (the price monitor and copy fan-out start from it). */
export async function announcePublished(signal: SignalRow): Promise<void> {
  await emit("signal/published", { signalId: signal.id, providerId: signal.providerId });
}

/**
 * The time a change to `s` is recorded at: the request's time, but never before the state it acts on (its
 * publication, fill or last recorded change). A request that waited for the provider's lock can carry an earlier
 * time than a change committed while it waited, and a close dated before the opening it closes is not a trade.
 */
export function changeTime(s: SignalRow, requested: Date): Date {
  let t = requested.getTime();
  for (const d of [s.publishedAt, s.filledAt, s.checkedUntil]) if (d && d.getTime() > t) t = d.getTime();
  return new Date(t);
}

/**
 * Ends a live signal inside the caller's transaction, which holds the provider's lock and read `s` under it: a
 * pending limit entry is cancelled, an open signal closed in full at `price` (the market price the caller fetched
 * before taking the lock). The caller announces the change after the commit (`announceChange`).
 */
export async function exitLocked(tx: Executor, s: SignalRow, price: string, meta: ActionMeta & { now: Date }): Promise<SignalRow> {
  const at = changeTime(s, meta.now);
  if (s.status === "pending") {
    const next = await applyLifecycle(tx, s, [{ kind: "cancelled", at, reason: "provider" }]);
    if (meta.actorId) await recordAudit(tx, { actorId: meta.actorId, action: "signal.cancelled", targetType: "signal", targetId: s.id, ip: meta.ip });
    return next;
  }
  if (s.status !== "open") throw new ConflictError(`This signal is already ${s.status}.`);
  const next = await applyLifecycle(tx, s, [{ kind: "closed", at, price, share: s.remaining, reason: "manual" }]);
  if (meta.actorId) await recordAudit(tx, { actorId: meta.actorId, action: "signal.closed", targetType: "signal", targetId: s.id, ip: meta.ip });
  return next;
}

/** After the commit of a change made under the provider's lock: the job event for it. */
export async function announceChange(signal: SignalRow, kind: SignalEventKind): Promise<void> {
  await afterChange(signal, kind);
}

/** Live (pending/open) signals of a provider on one symbol, newest first, as read inside the caller's transaction. */
export async function liveSignalRows(tx: Executor, providerId: string, symbol: string): Promise<SignalRow[]> {
  return tx
    .select()
    .from(signals)
    .where(and(eq(signals.providerId, providerId), eq(signals.symbol, symbol), inArray(signals.status, ["pending", "open"])))
    .orderBy(desc(signals.publishedAt), desc(signals.number));
}

async function loadSignal(id: string): Promise<SignalRow> {
  const [row] = await db.select().from(signals).where(eq(signals.id, id)).limit(1);
  if (!row) throw new NotFoundError("No signal with that id");
  return row;
}

/**
 * Publishes a signal after checking it against the market: the symbol must exist, a market entry must be within
 * tolerance of the current price (so nobody can back-date a winner), a limit must be on the right side of the
 * market, the stop on the losing side and targets on the winning side. Refusals throw ValidationError and write
 * nothing.
 */
export async function publishSignal(providerId: string, raw: PublishSignalInput | unknown, source: SignalSource, meta: ActionMeta): Promise<PublishResult> {
  const input = parsePublishInput(raw);
  const now = meta.now ?? new Date();

  if (input.idempotencyKey) {
    const existing = await signalByKey(providerId, input.idempotencyKey);
    if (existing) return { signal: existing, created: false };
  }
  const checked = await checkInput(providerId, input, now);

  try {
    const written = await writePublication(providerId, checked, source, meta);
    switch (written.kind) {
      case "published":
        await emit("signal/published", { signalId: written.signal.id, providerId });
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
export async function publishChecked<E = never>(
  providerId: string,
  checked: CheckedPublication,
  source: SignalSource,
  meta: ActionMeta,
  delivery: PublishDelivery,
  guard?: PublicationGuard<E>,
): Promise<DeliveryPublishResult | { outcome: "ended"; value: E }> {
  let written: Written<E>;
  try {
    written = await writePublication(providerId, checked, source, meta, delivery, guard);
  } catch (err) {
    // A concurrent writer took the signal's key or the delivery's between the check and the insert.
    if (isUniqueViolation(err, "signals_provider_id_idempotency_key_idx") || isUniqueViolation(err, "webhook_deliveries_provider_id_key_idx")) {
      await refundPublication(providerId);
      return { outcome: "conflict" };
    }
    throw err;
  }
  if (written.kind === "published" && written.answer) {
    await emit("signal/published", { signalId: written.signal.id, providerId });
    return { outcome: "published", signal: written.signal, ...written.answer };
  }
  // A repeat that got past the caller's check: like a repeat caught before it, it does not count against the limit.
  await refundPublication(providerId);
  if (written.kind === "ended") return { outcome: "ended", value: written.value };
  return written.kind === "recorded" ? { outcome: "recorded", status: written.status, response: written.response } : { outcome: "conflict" };
}

function stateOf(s: SignalRow): LifecycleState {
  return {
    side: s.side,
    status: s.status,
    entryPrice: s.entryPrice,
    fillPrice: s.fillPrice,
    stopLoss: s.stopLoss,
    takeProfits: s.takeProfits,
    targetsHit: s.targetsHit,
    remaining: s.remaining,
    publishedAt: s.publishedAt,
    filledAt: s.filledAt,
    expiresAt: s.expiresAt,
    checkedUntil: s.checkedUntil,
  };
}

/** Loads a signal's closing legs from its events (the record), for results and stats. */
async function legsFromEvents(tx: Executor, signalId: string) {
  const rows = await tx
    .select({ kind: signalEvents.kind, at: signalEvents.at, data: signalEvents.data })
    .from(signalEvents)
    .where(and(eq(signalEvents.signalId, signalId), inArray(signalEvents.kind, ["partial_close", "closed"])))
    .orderBy(asc(signalEvents.seq));
  return legsOf(rows.map((r) => ({ kind: r.kind, at: new Date(r.at), price: r.data.price as string, share: r.data.share as string })));
}

function results(signal: SignalRow, legs: { price: string; share: string; at: Date }[], closedAt: Date) {
  const input = {
    id: signal.id,
    side: signal.side,
    entryPrice: signal.fillPrice ?? signal.entryPrice,
    initialStop: signal.initialStop,
    openedAt: signal.filledAt ?? signal.publishedAt,
    closedAt,
    legs,
  };
  return { resultPct: signalReturn(input), resultR: rMultiple(input), exitPrice: averageExit(legs) };
}

type OwnedSignal = { providerId: string; signalId: string };

async function loadOwned(tx: Executor, { providerId, signalId }: OwnedSignal) {
  await lockProvider(tx, providerId);
  // INVARIANT: scoped by the caller's provider; another provider's signal is indistinguishable from a missing one.
  const signal = await tx.query.signals.findFirst({ where: and(eq(signals.id, signalId), eq(signals.providerId, providerId)) });
  if (!signal) throw new NotFoundError("No signal with that id");
  return signal;
}

/**
 * Applies lifecycle events (from the price monitor, the demo generator or a manual close) to a signal in one
 * transaction: each becomes a chain entry, and the row moves to the resulting state.
 */
export async function applyLifecycle(tx: Executor, signal: SignalRow, events: (LifecycleEvent | ManualEvent)[]): Promise<SignalRow> {
  let current = signal;
  for (const e of events) {
    const patch: Partial<typeof signals.$inferInsert> = {};
    let data: Record<string, unknown>;
    switch (e.kind) {
      case "filled":
        data = { price: e.price };
        Object.assign(patch, { status: "open", fillPrice: e.price, filledAt: e.at });
        break;
      case "partial_close": {
        data = { price: e.price, share: e.share, reason: e.reason, ...("level" in e ? { level: e.level } : {}) };
        const remaining = new Decimal(current.remaining).minus(e.share).toString();
        Object.assign(patch, { remaining, targetsHit: "level" in e && e.level ? [...current.targetsHit, e.level - 1] : current.targetsHit });
        if (e.reason === "manual") patch.checkedUntil = e.at;
        break;
      }
      case "closed": {
        // The results go into the entry too, so a stored result that was changed later no longer matches the chain.
        const legs = [...(await legsFromEvents(tx, current.id)), { price: e.price, share: e.share, at: e.at }];
        const outcome = results({ ...current, ...patch } as SignalRow, legs, e.at);
        data = { price: e.price, share: e.share, reason: e.reason, ...outcome };
        Object.assign(patch, { status: "closed", remaining: "0", closedAt: e.at, exitReason: e.reason, ...outcome });
        break;
      }
      case "expired":
        data = {};
        Object.assign(patch, { status: "expired", closedAt: e.at, exitReason: "expired" });
        break;
      case "stop_moved":
        data = { stopLoss: e.stopLoss };
        // Candles that opened before the move must not be judged against the new stop.
        Object.assign(patch, { stopLoss: e.stopLoss, checkedUntil: e.at });
        break;
      case "cancelled":
        data = { reason: e.reason };
        Object.assign(patch, { status: "cancelled", closedAt: e.at, exitReason: "cancelled" });
        break;
    }
    await appendEvent(tx, current, e.kind, e.at, data);
    const [next] = await tx.update(signals).set(patch).where(eq(signals.id, current.id)).returning();
    current = next!;
  }
  return current;
}

/**
 * The price monitor's step for one signal: runs the candles through the lifecycle rules and persists the events
 * and how far the candles were checked. Returns the updated row (or the same one when nothing happened).
 */
export async function monitorSignal(signalId: string, candles: Candle[], timeframeMs: number): Promise<{ signal: SignalRow; events: LifecycleEvent[] } | null> {
  const result = await db.transaction(async (tx) => {
    const owner = await tx.query.signals.findFirst({ where: eq(signals.id, signalId), columns: { providerId: true } });
    if (!owner) return null;
    await lockProvider(tx, owner.providerId);
    // INVARIANT: the state is read under the provider's lock. Read before it, a manual close or stop move committed
    // while this waited would be overwritten by events decided from stale state (a partial close after the close).
    const fresh = await tx.query.signals.findFirst({ where: eq(signals.id, signalId) });
    if (!fresh || (fresh.status !== "open" && fresh.status !== "pending")) return null;
    const run = runCandles(stateOf(fresh), candles, timeframeMs);
    let next = run.events.length ? await applyLifecycle(tx, fresh, run.events) : fresh;
    const checked = run.state.checkedUntil ?? null;
    if (checked && (!next.checkedUntil || checked > next.checkedUntil) && (next.status === "open" || next.status === "pending")) {
      [next] = await tx.update(signals).set({ checkedUntil: checked }).where(eq(signals.id, signalId)).returning() as [SignalRow];
    }
    return { signal: next, events: run.events };
  });
  if (result?.events.length) {
    const last = result.events[result.events.length - 1]!;
    await afterChange(result.signal, last.kind);
  }
  return result;
}

export type ManualEvent =
  | { kind: "stop_moved"; at: Date; stopLoss: string }
  | { kind: "partial_close"; at: Date; price: string; share: string; reason: "manual" }
  | { kind: "closed"; at: Date; price: string; share: string; reason: "manual" }
  | { kind: "cancelled"; at: Date; reason: string };

async function afterChange(signal: SignalRow, kind: string) {
  if (signal.status === "closed" || signal.status === "cancelled" || signal.status === "expired") {
    await emit("signal/closed", { signalId: signal.id, providerId: signal.providerId, status: signal.status });
  } else {
    await emit("signal/updated", { signalId: signal.id, providerId: signal.providerId, kind });
  }
}

/** Moves the stop of an open or pending signal; it must stay on the losing side of the current price. */
export async function moveStop(owned: OwnedSignal, stopRaw: unknown, meta: ActionMeta) {
  const parsed = publishSignalSchema.shape.stopLoss.safeParse(stopRaw);
  if (!parsed.success || !parsed.data) throw new ValidationError("Enter the new stop-loss price", { stopLoss: ["Enter the new stop-loss price"] });
  const stop = parsed.data;
  const now = meta.now ?? new Date();
  const before = await db.query.signals.findFirst({ where: and(eq(signals.id, owned.signalId), eq(signals.providerId, owned.providerId)) });
  if (!before) throw new NotFoundError("No signal with that id");
  const reference = before.status === "pending" ? before.entryPrice : (await (await getMarketData()).lastPrice(before.symbol)).price;
  const problems = levelProblems({ side: before.side, stopLoss: stop, takeProfits: [] }, reference);
  if (problems.stopLoss) {
    const msg = `The stop must stay ${before.side === "long" ? "below" : "above"} the ${before.status === "pending" ? "entry" : "current price"} (${reference}).`;
    throw new ValidationError(msg, { stopLoss: [msg] });
  }
  const signal = await db.transaction(async (tx) => {
    const s = await loadOwned(tx, owned);
    if (s.status !== "open" && s.status !== "pending") throw new ConflictError(`This signal is ${s.status}; its stop can no longer move.`);
    if (s.stopLoss === stop) throw new ConflictError("The stop is already at that price.");
    const next = await applyLifecycle(tx, s, [{ kind: "stop_moved", at: changeTime(s, now), stopLoss: stop }]);
    if (meta.actorId) await recordAudit(tx, { actorId: meta.actorId, action: "signal.stop_moved", targetType: "signal", targetId: s.id, ip: meta.ip });
    return next;
  });
  await afterChange(signal, "stop_moved");
  return signal;
}

/** Closes all (or a share of the original size) of an open signal at the current market price. */
export async function closeSignal(owned: OwnedSignal, input: { share?: string }, meta: ActionMeta) {
  const now = meta.now ?? new Date();
  const before = await db.query.signals.findFirst({ where: and(eq(signals.id, owned.signalId), eq(signals.providerId, owned.providerId)) });
  if (!before) throw new NotFoundError("No signal with that id");
  if (before.status === "pending") throw new ConflictError("This limit entry has not filled yet: cancel it instead.");
  if (before.status !== "open") throw new ConflictError(`This signal is already ${before.status}.`);
  const { price } = await (await getMarketData()).lastPrice(before.symbol);
  const signal = await db.transaction(async (tx) => {
    const s = await loadOwned(tx, owned);
    if (s.status !== "open") throw new ConflictError(`This signal is already ${s.status}.`);
    const remaining = new Decimal(s.remaining);
    const share = input.share ? new Decimal(input.share) : remaining;
    if (share.lte(0) || share.gt(remaining)) {
      const msg = `You can close between 0 and ${remaining.toString()} of the original size.`;
      throw new ValidationError(msg, { share: [msg] });
    }
    const at = changeTime(s, now);
    const event: ManualEvent = share.eq(remaining)
      ? { kind: "closed", at, price, share: share.toString(), reason: "manual" }
      : { kind: "partial_close", at, price, share: share.toString(), reason: "manual" };
    const next = await applyLifecycle(tx, s, [event]);
    if (meta.actorId) await recordAudit(tx, { actorId: meta.actorId, action: `signal.${event.kind}`, targetType: "signal", targetId: s.id, ip: meta.ip });
    return next;
  });
  await afterChange(signal, signal.status === "closed" ? "closed" : "partial_close");
  return signal;
}

/** Cancels a pending limit entry. */
export async function cancelSignal(owned: OwnedSignal, meta: ActionMeta) {
  const now = meta.now ?? new Date();
  const signal = await db.transaction(async (tx) => {
    const s = await loadOwned(tx, owned);
    if (s.status !== "pending") {
      throw new ConflictError(s.status === "open" ? "This signal is already filled: close it instead." : `This signal is already ${s.status}.`);
    }
    const next = await applyLifecycle(tx, s, [{ kind: "cancelled", at: changeTime(s, now), reason: "provider" }]);
    if (meta.actorId) await recordAudit(tx, { actorId: meta.actorId, action: "signal.cancelled", targetType: "signal", targetId: s.id, ip: meta.ip });
    return next;
  });
  await afterChange(signal, "cancelled");
  return signal;
}

export type LiveSignal = Pick<SignalRow, "id" | "side" | "status">;

export async function listOwnSignals(providerId: string, input: { status?: "live" | "done"; page: number; pageSize: number }) {
  const statusCond =
    input.status === "live" ? inArray(signals.status, ["pending", "open"]) : input.status === "done" ? inArray(signals.status, ["closed", "cancelled", "expired"]) : undefined;
  const where = and(eq(signals.providerId, providerId), statusCond);
  const [items, [total]] = await Promise.all([
    db.select().from(signals).where(where).orderBy(desc(signals.publishedAt), desc(signals.number)).limit(input.pageSize).offset((input.page - 1) * input.pageSize),
    db.select({ n: count() }).from(signals).where(where),
  ]);
  return { items, total: total?.n ?? 0, page: input.page, pageSize: input.pageSize };
}


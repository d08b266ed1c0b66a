/**
 * The publication's statements in plain SQL (src/server/db/raw.ts): they run on every signal published, the
 * TradingView webhook's hot path, where the query builder cost several times the database's own work. Their
 * tables and columns are checked against the Drizzle schema by src/server/db/raw-sql-columns.test.ts.
 */
import "server-only";
import { statement, type Param, type RawStatement } from "@/server/db/raw";
import { newId } from "@/lib/ids";
import type { SealedChainEntry } from "@/server/services/chain";
import { SIGNAL_CHANNEL } from "./announce";
import { guardConditions, type PublicationGuard } from "./guard";
import type { KnownHead } from "./known-heads";
import { providerLockSql } from "./provider-lock";
import type { SignalRow } from "./types";

/**
 * Read after the provider's lock, in its own statement (a statement's snapshot predates the lock wait, so the lock
 * and these reads cannot share one): the last number, the chain head, the numeric columns' stored text for the
 * entry and stop (the chain commits to what the row will show), and optionally a signal already holding the
 * idempotency key and a webhook delivery already recorded for its key.
 *
 * Parameters: $1 the provider, then (with `existing`) the idempotency key, the entry, the stop, and (with
 * `delivery`) the delivery's key.
 */
function headSql({ existing, delivery }: { existing: boolean; delivery: boolean }): string {
  let n = 1;
  const next = () => `$${++n}`;
  const key = existing ? next() : null;
  const entry = next();
  const stop = next();
  const deliveryKey = delivery ? next() : null;
  return `select (select max(number) from signals where provider_id = $1) as "lastNumber",
  exists (select 1 from copy_settings where provider_id = $1 and enabled) as "copiers",${
    key ? `\n  (select id from signals where provider_id = $1 and idempotency_key = ${key}) as "existingId",` : ""
  }
  h.seq as "headSeq", h.hash as "headHash",
  ${entry}::text::numeric::text as "entryPrice", ${stop}::text::numeric::text as "stopLoss"${
    deliveryKey ? `,\n  d.status as "deliveryStatus", d.response as "deliveryResponse"` : ""
  }
from (select 1) as one
left join lateral (select seq, hash from signal_events where provider_id = $1 order by seq desc limit 1) as h on true${
    deliveryKey ? `\nleft join webhook_deliveries as d on d.provider_id = $1 and d.key = ${deliveryKey}` : ""
  }`;
}
/** $1 provider, $2 idempotency key, $3 entry, $4 stop. */
export const HEAD_SQL = headSql({ existing: true, delivery: false });
/** $1 provider, $2 idempotency key, $3 entry, $4 stop, $5 delivery key. */
export const HEAD_WITH_DELIVERY_SQL = headSql({ existing: true, delivery: true });
/** For a caller that already decided, under the lock, that the publication is due: $1 provider, $2 entry, $3 stop. */
export const LOCKED_HEAD_SQL = headSql({ existing: false, delivery: false });

export interface HeadRow {
  lastNumber: number | null;
  /** The provider has followers copying: the publication writes a copy fan-out row (and its caller sends the event). */
  copiers: boolean;
  existingId?: string | null;
  headSeq: number | null;
  headHash: string | null;
  entryPrice: string;
  stopLoss: string | null;
  deliveryStatus?: number | null;
  deliveryResponse?: Record<string, unknown> | null;
}

export interface AuditValues {
  actorId: string;
  data: Record<string, unknown>;
  ip: string | null;
}

export interface DeliveryValues {
  key: string;
  status: number;
  response: Record<string, unknown>;
}

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * One statement writes the signal, its `published` chain entry, the audit row, the delivery row and the NOTIFY
 * (data-modifying CTEs all run, whether or not the outer query reads them).
 */
export function publicationWrite(
  signal: SignalRow,
  event: SealedChainEntry["row"],
  audit: AuditValues | null,
  delivery: DeliveryValues | null,
  /** The optimistic write's CTE (`ok`, one row or none): every insert and the NOTIFY then happen only with its row. */
  ok?: ($: Param, providerId: string) => string,
): RawStatement {
  return statement(($) => {
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
    // The copy fan-out's outbox row (services/copy), only while the provider has followers copying: committed with
    // the signal or not at all, so a lost job event or a crash after the commit loses no copy (the sweeper re-drives).
    const select = (values: string, where: string) => (ok ? `select ${values} from ok where ${where}` : `select ${values} where ${where}`);
    text += `, f as (
  insert into copy_fanouts (id, signal_event_id, signal_id, provider_id, seq, kind, at, data)
  ${select(
    `${$(newId("cfo"))}::text, ${$(event.id)}::text, ${id}::text, ${providerId}::text, ${$(event.seq)}::int, 'published'::signal_event_kind, ${$(event.at)}::text, ${$(JSON.stringify(event.data))}::text::jsonb`,
    `exists (select 1 from copy_settings as c where c.provider_id = ${providerId}::text and c.enabled)`,
  )}
  returning 1
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
    text += `\nselect pg_notify(${$(SIGNAL_CHANNEL)}::text, ${$(JSON.stringify({ providerId: signal.providerId, signalId: signal.id, kind: "published" }))}::text),
  (select count(*) from f)::int as "fanouts"${ok ? " from ok" : ""}`;
    return text;
  });
}

/**
 * The optimistic publication's one statement: `publicationWrite` whose every insert depends on the provider row
 * locked (SKIP LOCKED: never waiting) only if, under that lock, the head and last number are the guessed ones, no
 * signal holds the idempotency key, no delivery is recorded for the delivery's key, and the caller's guard holds.
 */
export function optimisticWrite(
  signal: SignalRow,
  event: SealedChainEntry["row"],
  audit: AuditValues | null,
  delivery: DeliveryValues,
  known: KnownHead,
  guard: PublicationGuard,
): RawStatement {
  return publicationWrite(signal, event, audit, delivery, ($, pid) => {
    const { tokenHash, where = [] } = guardConditions($, guard);
    return `  ${providerLockSql($, pid, {
      ...(tokenHash !== undefined ? { tokenHash } : {}),
      where: [
        `(select max(n.number) from signals as n where n.provider_id = ${pid}::text) = ${$(known.lastNumber)}::int`,
        `(select h.seq from signal_events as h where h.provider_id = ${pid}::text order by h.seq desc limit 1) = ${$(known.seq)}::int`,
        `(select h.hash from signal_events as h where h.provider_id = ${pid}::text and h.seq = ${$(known.seq)}::int) = ${$(known.hash)}::text`,
        `not exists (select 1 from signals as k where k.provider_id = ${pid}::text and k.idempotency_key = ${$(signal.idempotencyKey)}::text)`,
        `not exists (select 1 from webhook_deliveries as w where w.provider_id = ${pid}::text and w.key = ${$(delivery.key)}::text)`,
        ...where,
      ],
      skipLocked: true,
    })}`;
  });
}

/**
 * The copy fan-out's outbox row for a signal event (table `copy_fanouts`, read by services/copy): written in the
 * transaction that records the event, only while the provider has followers copying or a follower still holds a
 * copy of the signal (exits reach lapsed and paused followers too). The raw publication statement writes the same
 * row itself (./publication-sql.ts).
 */
import "server-only";
import { sql } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import type { SealedChainEntry } from "@/server/services/chain";
import { newId } from "@/lib/ids";

/** Inserts the fan-out row for a chain entry when someone copies the provider or holds a copy; true when written. */
export async function recordFanout(tx: Executor, event: SealedChainEntry["row"]): Promise<boolean> {
  const rows = await executeRows(
    tx,
    sql`insert into copy_fanouts (id, signal_event_id, signal_id, provider_id, seq, kind, at, data)
      select ${newId("cfo")}, ${event.id}, ${event.signalId}, ${event.providerId}, ${event.seq}, ${event.kind}::signal_event_kind, ${event.at}, ${JSON.stringify(event.data)}::jsonb
      where exists (select 1 from copy_settings where provider_id = ${event.providerId} and enabled)
         or exists (select 1 from positions where signal_id = ${event.signalId} and status = 'open')
         or exists (select 1 from copy_orders where signal_id = ${event.signalId} and status = 'submitted')
      on conflict (signal_event_id) do nothing
      returning 1 as "written"`,
  );
  return rows.length > 0;
}

/** A fan-out of this signal is still to do (checked after a change commits, before asking for the job). */
export async function hasPendingFanout(signalId: string, executor: Executor = db): Promise<boolean> {
  const rows = await executeRows(executor, sql`select 1 from copy_fanouts where signal_id = ${signalId} and status = 'pending' limit 1`);
  return rows.length > 0;
}

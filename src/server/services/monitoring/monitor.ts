/**
 * One monitor tick (the `monitor` job, every minute): take the readings, keep them for the System page's charts, and
 * raise or resolve the alerts they call for.
 *
 * INVARIANT: one row per metric per minute. A tick's readings are stored at its minute (`at` truncated), primary key
 * (metric, at), insert-or-nothing: a retried tick, or a second replica's, writes no second point.
 */
import "server-only";
import { lt } from "drizzle-orm";
import type { DatabaseHandle } from "@/server/db";
import { opsReadings } from "@/server/db/schema";
import { evaluate, opsMetric, type OpsLevel, type OpsStatus } from "@/lib/ops/thresholds";
import { raiseAlert, resolveAlert, type RaiseAlertOptions } from "./alerts";
import { takeReadings, type Reading, type ReadingSource } from "./readings";

export const READINGS_KEPT_MS = 7 * 24 * 60 * 60_000;

const g = globalThis as unknown as { __tradsyReadingSource?: ReadingSource | null };

/** Replaces how the job takes readings (tests feed simulated ones); null restores the real probes. */
export function setReadingSource(source: ReadingSource | null): void {
  g.__tradsyReadingSource = source;
}

export interface TickResult {
  at: string;
  readings: number;
  statuses: Record<string, OpsStatus>;
  /** Alerts this tick emailed admins about ("cpu:critical"). */
  sent: string[];
  resolved: number;
  pruned: number;
}

/** The minute a reading taken at `now` belongs to. */
export const minuteOf = (now: Date) => new Date(Math.floor(now.getTime() / 60_000) * 60_000);

export async function monitorTick(
  handle: DatabaseHandle,
  now: Date,
  source: ReadingSource = g.__tradsyReadingSource ?? takeReadings,
  options: RaiseAlertOptions = {},
): Promise<TickResult> {
  const at = minuteOf(now);
  const readings: Reading[] = (await source({ handle, now })).filter((r) => Number.isFinite(r.value));
  if (readings.length)
    await handle.db
      .insert(opsReadings)
      .values(readings.map((r) => ({ metric: r.metric, at, value: r.value })))
      .onConflictDoNothing();
  const pruned = await handle.db
    .delete(opsReadings)
    .where(lt(opsReadings.at, new Date(now.getTime() - READINGS_KEPT_MS)))
    .returning({ metric: opsReadings.metric });

  const statuses: Record<string, OpsStatus> = {};
  const sent: string[] = [];
  let resolved = 0;
  for (const reading of readings) {
    const metric = opsMetric(reading.metric);
    if (!metric) continue;
    const e = evaluate(metric, reading.value);
    statuses[reading.metric] = e.status;
    if (e.resolve.length) resolved += await resolveAlert(handle.db, reading.metric, now, e.resolve as OpsLevel[]);
    if (e.raise) {
      const didSend = await raiseAlert(
        handle.db,
        { metric: reading.metric, level: e.raise.level, value: reading.value, threshold: e.raise.threshold, summary: e.raise.summary, ...(reading.detail ? { detail: reading.detail } : {}) },
        now,
        options,
      );
      if (didSend) sent.push(`${reading.metric}:${e.raise.level}`);
    }
  }
  return { at: at.toISOString(), readings: readings.length, statuses, sent, resolved, pruned: pruned.length };
}

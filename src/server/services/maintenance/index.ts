/**
 * Maintenance windows (ops_maintenance): while one is open the embedded job runner claims no run
 * (jobs/inline/store.ts `claimRuns`) and the email and channel drains claim nothing to send (services/email/drain.ts,
 * services/channels/drain.ts). A restore opens one first, so the app's work stops while the database is replaced.
 *
 * The check sits in the claims themselves, not in the jobs around them: under Inngest the drain handlers run in
 * another process (or several), and a claim is the one place every sender passes through. It is one uncorrelated
 * `not exists` over a partial index of open windows (normally empty), so it costs the claims nothing measurable.
 *
 * The table is left out of every backup (services/backups), so a restore neither brings back an old window nor
 * closes the one it holds.
 */
import "server-only";
import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Executor } from "@/server/db";
import { opsMaintenance } from "@/server/db/schema";

export interface MaintenanceWindow {
  id: string;
  reason: string;
  startedAt: Date;
}

/**
 * The drains' claim condition: true when no window is open. (The runner's hand-written claim has the same text,
 * jobs/inline/store.ts; services/maintenance/maintenance.test.ts proves each one stops its claim.)
 */
export const noMaintenance = (): SQL => sql`not exists (select 1 from ${opsMaintenance} where ${opsMaintenance.endedAt} is null)`;

/** Opens a window (another may be open already: each holder closes its own). */
export async function openMaintenance(db: Executor, reason: string): Promise<MaintenanceWindow> {
  const [row] = await db.insert(opsMaintenance).values({ reason: reason.slice(0, 500) }).returning();
  return { id: row!.id, reason: row!.reason, startedAt: row!.startedAt };
}

/** Closes one window (by id), or every open one when no id is given (an operator ending a window a crash left open). */
export async function closeMaintenance(db: Executor, id?: string): Promise<number> {
  const rows = await db
    .update(opsMaintenance)
    .set({ endedAt: sql`now()` })
    .where(id ? and(eq(opsMaintenance.id, id), isNull(opsMaintenance.endedAt)) : isNull(opsMaintenance.endedAt))
    .returning({ id: opsMaintenance.id });
  return rows.length;
}

/** The oldest open window, or null when the app runs normally. */
export async function maintenanceOpen(db: Executor): Promise<MaintenanceWindow | null> {
  const [row] = await db
    .select({ id: opsMaintenance.id, reason: opsMaintenance.reason, startedAt: opsMaintenance.startedAt })
    .from(opsMaintenance)
    .where(isNull(opsMaintenance.endedAt))
    .orderBy(opsMaintenance.startedAt)
    .limit(1);
  return row ?? null;
}

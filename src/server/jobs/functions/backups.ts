/**
 * Backup jobs (issue 18): daily 02:00 UTC (keep 7), weekly Sunday 03:00 (keep 4), monthly on the 1st at 04:00
 * (keep 12), each followed by retention; and the daily verification of the newest completed backup at 05:30.
 * Thin wrappers around services/backups.
 *
 * INVARIANT: a tick makes at most one backup. Its slot ("daily:2026-12-07") is fixed in the first step, so a retry
 * reuses it, and `createBackup` inserts the row `on conflict (slot) do nothing`: a retried or doubled tick finds the
 * completed backup, or resumes the one a crash left running.
 */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { BACKUP_SCHEDULES, BACKUP_VERIFY_CRON, slotFor, type ScheduledKind } from "@/lib/backups";
import { applyRetention, createBackup, newestCompletedBackup, verifyBackup } from "@/server/services/backups";
import { defineJob } from "../define";

function scheduledBackup(kind: ScheduledKind) {
  return defineJob(
    {
      id: `backup-${kind}`,
      name: `Backup (${kind})`,
      triggers: [cron(BACKUP_SCHEDULES[kind].cron)],
      // Two dumps at once would only load the database twice; the slot makes the second a no-op anyway.
      concurrency: { limit: 1 },
      retries: 2,
    },
    async ({ step }) => {
      const slot = await step.run("slot", () => slotFor(kind, new Date()));
      const backup = await step.run("create-backup", async () => {
        const handle = await getDatabase();
        const row = await createBackup(handle, { kind, slot });
        return { id: row.id, status: row.status, sizeBytes: row.sizeBytes, sha256: row.sha256 };
      });
      const pruned = await step.run("apply-retention", async () => applyRetention((await getDatabase()).db, new Date()));
      return { slot, backup, pruned };
    },
  );
}

export const backupDaily = scheduledBackup("daily");
export const backupWeekly = scheduledBackup("weekly");
export const backupMonthly = scheduledBackup("monthly");

export const backupVerify = defineJob(
  {
    id: "backup-verify",
    name: "Verify the newest backup",
    triggers: [cron(BACKUP_VERIFY_CRON)],
    concurrency: { limit: 1 },
    // A verification that fails has recorded its outcome and alerted; it is not retried into a second alert.
    retries: 0,
  },
  async ({ step }) => {
    return step.run("verify-newest-backup", async () => {
      const handle = await getDatabase();
      const newest = await newestCompletedBackup(handle.db);
      if (!newest) return { verified: null };
      const result = await verifyBackup(handle, newest.id);
      return { verified: newest.id, ok: result.ok, error: result.error ?? null };
    });
  },
);

/** Deletes audit rows past the retention window (see `pruneAuditLog`): daily at 03:00 UTC, or on request. */
import "server-only";
import { cron } from "inngest";
import { db, getDatabase } from "@/server/db";
import { pruneAuditLog } from "@/server/services/audit";
import { defineJob } from "../define";

export const AUDIT_RETENTION_CRON = "0 3 * * *";

export const auditRetention = defineJob(
  {
    id: "audit-retention",
    name: "Audit log retention",
    triggers: [cron(AUDIT_RETENTION_CRON), { event: "audit/retention.requested" }],
    // Two overlapping prunes would only race to delete the same rows; one at a time is enough.
    concurrency: { limit: 1 },
  },
  async ({ step }) => {
    const deleted = await step.run("prune-audit-log", async () => {
      // The inline scheduler can fire before anything else touched the database; `db` needs it opened first.
      await getDatabase();
      return pruneAuditLog(db, new Date());
    });
    return { deleted };
  },
);

/**
 * Prunes the embedded runner's history (see `pruneJobHistory`): finished runs after 7 days, failed runs after 30,
 * event ids once they no longer deduplicate. Daily at 03:30 UTC. Under Inngest the tables stay empty and this
 * deletes nothing; Inngest keeps its own history.
 */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { defineJob } from "../define";
import { pruneJobHistory } from "../inline/store";

export const JOB_RETENTION_CRON = "30 3 * * *";

export const jobRetention = defineJob(
  {
    id: "job-retention",
    name: "Job history retention",
    triggers: [cron(JOB_RETENTION_CRON)],
    concurrency: { limit: 1 },
  },
  async ({ step }) => step.run("prune-job-history", async () => pruneJobHistory(await getDatabase())),
);

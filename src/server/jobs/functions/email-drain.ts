/**
 * Sends the outbox (services/email/drain.ts) when an email sender is configured: every minute, and at once when a
 * commit queued emails ("email/queued", see `emailsQueued`). One run at a time; a run that finds no sender does
 * nothing (the outbox is then the mailbox).
 */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { getEmailSender } from "@/server/services/email/delivery";
import { drainEmailOutbox } from "@/server/services/email/drain";
import { defineJob } from "../define";

export const emailDrain = defineJob(
  {
    id: "email-drain",
    name: "Email outbox drain",
    triggers: [cron("* * * * *"), { event: "email/queued" }],
    // Two drains would only compete for the rate limit (rows are claimed, so never sent twice either way).
    concurrency: { limit: 1 },
  },
  async ({ step }) => {
    if (!getEmailSender()) return { skipped: "no email sender configured" };
    return step.run("drain", async () => {
      // The inline scheduler can fire before anything else opened the database.
      await getDatabase();
      const sender = getEmailSender();
      if (!sender) return { skipped: "no email sender configured" };
      return drainEmailOutbox({ sender });
    });
  },
);

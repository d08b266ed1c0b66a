/**
 * Sends queued channel deliveries (services/channels/drain.ts: Discord, Telegram, outbound webhooks): every minute,
 * and at once when a commit queued some ("channel/queued", see `channelsQueued`). One run at a time: two drains would
 * only compete for the same destinations' rate limits (rows are claimed, so never sent twice by two runs either way).
 */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { drainChannelDeliveries } from "@/server/services/channels/drain";
import { defineJob } from "../define";

export const channelDrain = defineJob(
  {
    id: "channel-drain",
    name: "Notification channel drain",
    triggers: [cron("* * * * *"), { event: "channel/queued" }],
    concurrency: { limit: 1 },
  },
  async ({ step }) =>
    step.run("drain", async () => {
      // The inline scheduler can fire before anything else opened the database.
      await getDatabase();
      return drainChannelDeliveries();
    }),
);

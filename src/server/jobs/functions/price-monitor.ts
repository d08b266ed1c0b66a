/** Checks live signals against closed candles every minute (fills, stops, targets, expiries). */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { runPriceMonitor } from "@/server/services/signals/monitor";
import { defineJob } from "../define";

export const priceMonitor = defineJob(
  {
    id: "price-monitor",
    name: "Signal price monitor",
    triggers: [cron("* * * * *")],
    // Overlapping runs would only wait on each other's row locks; skip instead.
    concurrency: { limit: 1 },
  },
  async ({ step }) => {
    return step.run("check-live-signals", async () => {
      await getDatabase();
      return runPriceMonitor(new Date());
    });
  },
);

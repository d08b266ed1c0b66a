/** Checks live signals against closed candles every minute (fills, stops, targets, expiries), then marks open copies. */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { markOpenPositions } from "@/server/services/copy/engine";
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
    const checked = await step.run("check-live-signals", async () => {
      await getDatabase();
      return runPriceMonitor(new Date());
    });
    // Open paper copies priced at the market too: their open P&L, equity and the risk rules' equity use the mark.
    await step.run("mark-open-copies", async () => {
      await getDatabase();
      return { marked: await markOpenPositions() };
    });
    return checked;
  },
);

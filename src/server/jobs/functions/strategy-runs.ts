/** Feeds each running strategy the candles that closed since its last tick, every minute (services/strategy-runs). */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { tickStrategyRuns } from "@/server/services/strategy-runs";
import { defineJob } from "../define";

export const strategyRunsTick = defineJob(
  {
    id: "strategy-runs",
    name: "Running strategies",
    triggers: [cron("* * * * *")],
    // Overlapping ticks would only wait on each other's provider locks (and find the candles done); skip instead.
    concurrency: { limit: 1 },
  },
  async ({ step }) =>
    step.run("tick-running-strategies", async () => {
      await getDatabase();
      return tickStrategyRuns(new Date());
    }),
);

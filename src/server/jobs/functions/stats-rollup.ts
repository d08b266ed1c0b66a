/** Recomputes a provider's track-record figures whenever one of its signals leaves the book. */
import "server-only";
import { getDatabase } from "@/server/db";
import { rollUpProvider } from "@/server/services/stats";
import { defineJob } from "../define";

export const statsRollup = defineJob(
  {
    id: "stats-rollup",
    name: "Track-record roll-up",
    triggers: [{ event: "signal/closed" }],
    // Several closes of one provider in a burst need only the last roll-up; one at a time per provider.
    concurrency: { limit: 1, key: "event.data.providerId" },
  },
  async ({ event, step }) => {
    await step.run("roll-up", async () => {
      await getDatabase();
      await rollUpProvider(event.data.providerId, new Date());
      return { providerId: event.data.providerId };
    });
    return { providerId: event.data.providerId };
  },
);

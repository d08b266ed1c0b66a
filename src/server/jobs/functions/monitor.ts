/** The monitor: every minute, readings into ops_readings and alerts to admins (services/monitoring/monitor.ts). */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { monitorTick } from "@/server/services/monitoring/monitor";
import { defineJob } from "../define";

export const MONITOR_CRON = "* * * * *";

export const monitor = defineJob(
  {
    id: "monitor",
    name: "Monitoring readings and alerts",
    triggers: [cron(MONITOR_CRON)],
    // Ticks do not overlap: a slow one (a database in trouble) is not joined by the next.
    concurrency: { limit: 1 },
  },
  async ({ event, step }) => {
    return step.run("take-readings", async () => {
      // The inline scheduler can fire before anything else touched the database.
      const handle = await getDatabase();
      // The tick's own minute, so an attempt retried seconds later stores its points at the same minute; a tick
      // delivered late (the runner catching up) is read as now.
      const tick = typeof event.ts === "number" ? event.ts : Date.now();
      return monitorTick(handle, new Date(Date.now() - tick < 5 * 60_000 ? tick : Date.now()));
    });
  },
);

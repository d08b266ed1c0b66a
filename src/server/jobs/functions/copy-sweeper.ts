/**
 * Re-drives copy fan-outs left pending (a lost job event, a crash between the commit and the send, a run that gave
 * up): every minute, rows older than 10 seconds get a fresh job event; so do connections whose planned orders wait. Each re-drive has its own event id, so the
 * 24-hour event-id dedupe never swallows it.
 */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { claimStaleFanouts, requestConnectionRun, staleConnections } from "@/server/services/copy/engine";
import { defineJob } from "../define";
import { sendEvent } from "../events";

export const copySweeper = defineJob(
  {
    id: "copy-sweeper",
    name: "Copy fan-out sweeper",
    triggers: [cron("* * * * *")],
    concurrency: { limit: 1 },
  },
  async ({ step }) => {
    const stale = await step.run("claim-stale", async () => {
      await getDatabase();
      return claimStaleFanouts(10_000);
    });
    for (const s of stale) {
      await step.run(`redrive-${s.signalId}-${s.redrives}`, async () => {
        await sendEvent("copy/fanout.requested", { signalId: s.signalId, providerId: s.providerId, redrive: s.redrives }, { id: `copy-redrive:${s.signalId}:${s.redrives}` });
        return { signalId: s.signalId };
      });
    }
    // Orders planned for a connection and still queued (its run's event lost, or the run gave up).
    const connections = await step.run("stale-connections", async () => {
      await getDatabase();
      return staleConnections(10_000);
    });
    for (const c of connections) {
      await step.run(`redrive-connection-${c}`, async () => {
        await requestConnectionRun(c, 1);
        return { connectionId: c };
      });
    }
    return { redriven: stale.length, connections: connections.length };
  },
);

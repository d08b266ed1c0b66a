/**
 * Every 5 minutes, asks each exchange connection that may hold copies (active, or removing) for a reconciliation:
 * a `copy/connection.requested` event with `reconcile: true`, so it runs inside the connection's own job after its
 * placements (services/exchanges/reconcile.ts). Each event's id names the connection and the 5-minute slot, so a
 * retried run sends nothing twice and the next slot is never swallowed by the 24-hour event-id dedupe.
 */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { connectionsToReconcile, requestReconciliation } from "@/server/services/exchanges/reconcile";
import { defineJob } from "../define";

export const EXCHANGE_RECONCILE_CRON = "*/5 * * * *";
const SLOT_MS = 5 * 60_000;

export const exchangeReconcile = defineJob(
  {
    id: "exchange-reconcile",
    name: "Exchange reconciliation",
    triggers: [cron(EXCHANGE_RECONCILE_CRON)],
    concurrency: { limit: 1 },
  },
  async ({ step }) => {
    const due = await step.run("connections", async () => {
      await getDatabase();
      return { ids: await connectionsToReconcile(), slot: Math.floor(Date.now() / SLOT_MS) };
    });
    await step.run("request", async () => {
      for (const id of due.ids) await requestReconciliation(id, `exchange-reconcile:${id}:${due.slot}`);
      return { requested: due.ids.length };
    });
    return { connections: due.ids.length };
  },
);

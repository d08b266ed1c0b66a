/**
 * Places the planned copy orders of one connection (a venue that takes one order at a time for one account, see
 * services/copy/venues.ts), oldest first, one step each. One run at a time per connection, so a follower's orders
 * reach their exchange in the order their signal events were copied; a retried step looks the client order id up on
 * the venue before placing; an order the venue takes later (`waiting`: a closed stock market) holds the run, and the
 * orders after it, until then. With `reconcile` in the event, the run then compares the connection's ledger with the
 * exchange account (services/exchanges/reconcile.ts): after the placements and inside the connection's one run at a
 * time, so no order is in flight while it reads.
 */
import "server-only";
import { getDatabase } from "@/server/db";
import { placePlanned, plannedOrders, requestConnectionRun } from "@/server/services/copy/engine";
import { finishRemovalIfDone } from "@/server/services/exchanges/connections";
import { reconcileConnection } from "@/server/services/exchanges/reconcile";
import { defineJob } from "../define";

export const copyConnection = defineJob(
  {
    id: "copy-connection",
    name: "Copy orders on a connection",
    triggers: [{ event: "copy/connection.requested" }],
    concurrency: { limit: 1, key: "event.data.connectionId" },
    retries: 10,
  },
  async ({ event, step }) => {
    const ids = await step.run("planned", async () => {
      await getDatabase();
      return plannedOrders(event.data.connectionId);
    });
    const results: Record<string, number> = {};
    for (const id of ids) {
      const { status, until } = await step.run(`place-${id}`, async () => {
        await getDatabase();
        return placePlanned(id);
      });
      results[status] = (results[status] ?? 0) + 1;
      if (status === "waiting") {
        // The venue takes it later (a closed stock market): the orders after it wait with it, in order. After the
        // sleep a fresh run starts from the oldest planned order, which is this one. Without `until` another run
        // already sleeps for it: this one only stops.
        if (until) {
          await step.sleepUntil(`wait-${id}`, until);
          await step.run(`rerun-${id}`, () => requestConnectionRun(event.data.connectionId, 1));
        }
        break;
      }
    }
    // A connection being removed is removed once its last copy has closed (nothing happens on any other).
    const removed = await step.run("finish-removal", async () => {
      await getDatabase();
      return finishRemovalIfDone(event.data.connectionId);
    });
    if (removed) return { connectionId: event.data.connectionId, ...results, removed };
    if (event.data.reconcile) {
      const reconciled = await step.run("reconcile", async () => {
        await getDatabase();
        return reconcileConnection(event.data.connectionId);
      });
      return { connectionId: event.data.connectionId, ...results, reconciled };
    }
    return { connectionId: event.data.connectionId, ...results };
  },
);

/**
 * Copies a signal's events to its followers: every pending fan-out row of the signal, in chain order, a page of
 * followers per step (plan, fill, persist in one transaction). One run at a time per signal; a re-run replays the
 * finished pages and the unique client order ids make a repeated page write nothing.
 */
import "server-only";
import { getDatabase } from "@/server/db";
import { finishFanout, pendingFanouts, runFanoutPage } from "@/server/services/copy/engine";
import { defineJob } from "../define";

export const copyFanout = defineJob(
  {
    id: "copy-fanout",
    name: "Copy fan-out",
    triggers: [{ event: "copy/fanout.requested" }],
    concurrency: { limit: 1, key: "event.data.signalId" },
    retries: 10,
  },
  async ({ event, step }) => {
    const pending = await step.run("pending", async () => {
      await getDatabase();
      return (await pendingFanouts(event.data.signalId)).map((f) => ({ id: f.id, seq: f.seq }));
    });
    let orders = 0;
    for (const f of pending) {
      let cursor = "";
      const totals = { followers: 0, orders: 0 };
      for (let page = 0; ; page++) {
        const result = await step.run(`fanout-${f.seq}-page-${page}`, async () => {
          await getDatabase();
          const r = await runFanoutPage(f.id, cursor);
          return { next: r.next, followers: r.followers, orders: r.orders };
        });
        totals.followers += result.followers;
        totals.orders += result.orders;
        if (!result.next) break;
        cursor = result.next;
      }
      await step.run(`fanout-${f.seq}-done`, async () => {
        await getDatabase();
        await finishFanout(f.id, totals);
        return totals;
      });
      orders += totals.orders;
    }
    return { signalId: event.data.signalId, fanouts: pending.length, orders };
  },
);

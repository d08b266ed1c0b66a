/**
 * Copies a signal's events to its followers: every pending fan-out row of the signal, in chain order, a page of
 * followers per step (plan, fill, persist in one transaction). A large fan-out is split into lanes (disjoint id
 * ranges, worked out in a step of their own so a replay sees the same split) whose pages run as parallel steps,
 * FANOUT_PARALLEL at a time. One run at a time per signal; a re-run replays the finished pages and the unique
 * client order ids make a repeated page write nothing.
 */
import "server-only";
import { getDatabase } from "@/server/db";
import { FANOUT_PARALLEL, fanoutLanes, finishFanout, pendingFanouts, runFanoutPage, runLane, runLanes } from "@/server/services/copy/engine";
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
      const lanes = await step.run(`fanout-${f.seq}-lanes`, async () => {
        await getDatabase();
        return fanoutLanes(f.id);
      });
      const totals = await runLanes(lanes, FANOUT_PARALLEL, (lane, i) =>
        runLane(lane, (range, page) =>
          step.run(`fanout-${f.seq}-lane-${i}-page-${page}`, async () => {
            await getDatabase();
            const r = await runFanoutPage(f.id, range);
            return { next: r.next, followers: r.followers, orders: r.orders };
          }),
        ),
      );
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

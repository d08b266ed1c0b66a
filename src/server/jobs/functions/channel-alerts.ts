/**
 * Notification channels' fan-out (services/channels/fanout.ts), after the events and off the publishing and copying
 * paths: each signal published, changed or closed, each batch of settled copy orders and each risk pause queues one
 * delivery per destination that wants it; the channel drain sends them (woken by `channel/queued`).
 *
 * Not debounced: a channel message is per event (Discord and Telegram show each one), unlike the grouped emails.
 * No concurrency key: runs of the same event race safely (every delivery has a dedupe key, a unique index), and a
 * retried run queues nothing twice.
 */
import "server-only";
import { getDatabase } from "@/server/db";
import { fanOutCopyOrders, fanOutRiskPause, fanOutSignalEvent } from "@/server/services/channels/fanout";
import { defineJob } from "../define";

export const channelAlerts = defineJob(
  {
    id: "channel-alerts",
    name: "Notification channel alerts",
    triggers: [{ event: "signal/published" }, { event: "signal/updated" }, { event: "signal/closed" }, { event: "copy/orders.settled" }, { event: "copy/risk.paused" }],
  },
  async ({ event, step }) => {
    let queued = 0;
    if (event.name === "signal/published" || event.name === "signal/updated" || event.name === "signal/closed") {
      const data = event.data;
      const trigger = event.name === "signal/published" ? "published" : event.name === "signal/updated" ? "updated" : "closed";
      const kind = "kind" in data ? data.kind : undefined;
      queued = (
        await step.run("queue-signal-deliveries", async () => {
          await getDatabase();
          return fanOutSignalEvent({ signalId: data.signalId, providerId: data.providerId, trigger, ...(kind ? { kind } : {}) }, new Date());
        })
      ).queued;
    } else if (event.name === "copy/orders.settled") {
      const data = event.data;
      queued = (
        await step.run("queue-copy-deliveries", async () => {
          await getDatabase();
          return fanOutCopyOrders(data, new Date());
        })
      ).queued;
    } else {
      const data = event.data;
      const eventId = event.id ?? `${data.userId}:${data.providerId}:${data.reason}`;
      queued = (
        await step.run("queue-risk-pause-deliveries", async () => {
          await getDatabase();
          return fanOutRiskPause(data, eventId, new Date());
        })
      ).queued;
    }
    if (queued > 0) await step.sendEvent("channels-queued", { name: "channel/queued", data: { count: queued } });
    return { queued };
  },
);

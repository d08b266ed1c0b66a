/**
 * Emails a provider's followers about its new and ended signals (services/alerts/signals.ts), after the events and
 * off the publishing path. Debounced per provider: a burst of events within `SIGNAL_ALERT_WINDOW` of each other
 * starts one run, after the burst, whose one transaction claims every signal not yet alerted, so the burst goes out
 * as one email per follower and kind. The debounce's timeout bounds the wait for a provider publishing without pause.
 * A retried run finds the signals claimed and sends nothing twice.
 */
import "server-only";
import { env } from "@/env";
import { getDatabase } from "@/server/db";
import { queueSignalAlerts } from "@/server/services/alerts/signals";
import { defineJob } from "../define";

/**
 * How long after a provider's latest signal event its alerts wait for more. A minute in every running app. Under
 * test, a quarter of a second: every test that publishes a signal and waits for the job runner to be idle would
 * otherwise wait a minute for this run (the alert tests set their own window through the job's descriptor).
 */
// Inngest's type lists whole units only; the test window never reaches an Inngest server (tests run jobs inline).
export const SIGNAL_ALERT_WINDOW = (env.NODE_ENV === "test" ? "250ms" : "1m") as "1m";

export const signalAlerts = defineJob(
  {
    id: "signal-alerts",
    name: "Signal alert emails",
    triggers: [{ event: "signal/published" }, { event: "signal/closed" }],
    debounce: { period: SIGNAL_ALERT_WINDOW, key: "event.data.providerId", timeout: "5m" },
    concurrency: { limit: 1, key: "event.data.providerId" },
  },
  async ({ event, step }) => {
    const providerId = event.data.providerId;
    const queued = await step.run("queue-alerts", async () => {
      await getDatabase();
      return queueSignalAlerts(providerId, new Date());
    });
    if (queued.emails > 0) await step.sendEvent("emails-queued", { name: "email/queued", data: { count: queued.emails } });
    return { providerId, ...queued };
  },
);

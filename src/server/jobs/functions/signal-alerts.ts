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

/** How long after a provider's latest signal event its alerts wait for more. */
export const SIGNAL_ALERT_WINDOW = "1m";

/**
 * Under test the job runs at once for each event (no debounce): a minute's wait would hold every test that publishes
 * a signal and waits for the runner to be idle, and a debounced run started while a test mocks Date.now was never
 * claimed (src/server/auth/sessions.test.ts hung). Grouping does not depend on the debounce (a run mails every signal
 * not yet alerted); the alert tests put a debounce back on the descriptor to test the burst as the app runs it.
 */
const debounce = env.NODE_ENV === "test" ? {} : { debounce: { period: SIGNAL_ALERT_WINDOW, key: "event.data.providerId", timeout: "5m" } as const };

export const signalAlerts = defineJob(
  {
    id: "signal-alerts",
    name: "Signal alert emails",
    triggers: [{ event: "signal/published" }, { event: "signal/closed" }],
    ...debounce,
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

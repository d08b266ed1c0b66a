/**
 * Emails followers about their copies (services/alerts/copy.ts), from the copy engine's events, after its commits:
 * one email per follower per settled batch (filled / skipped / rejected), and the risk-pause safety alert. A retry
 * queues nothing twice (each email has a dedupe key).
 */
import "server-only";
import { getDatabase } from "@/server/db";
import { queueCopyOrderEmails, queueRiskPauseEmail } from "@/server/services/alerts/copy";
import { defineJob } from "../define";

export const copyEmails = defineJob(
  {
    id: "copy-emails",
    name: "Copy event emails",
    triggers: [{ event: "copy/orders.settled" }, { event: "copy/risk.paused" }],
  },
  async ({ event, step }) => {
    let emails = 0;
    if (event.name === "copy/orders.settled") {
      const data = event.data;
      emails = (
        await step.run("queue-order-emails", async () => {
          await getDatabase();
          return queueCopyOrderEmails(data);
        })
      ).emails;
    } else {
      const data = event.data;
      const eventId = event.id ?? `${data.userId}:${data.providerId}:${data.reason}`;
      const { emailId } = await step.run("queue-risk-pause-email", async () => {
        await getDatabase();
        return queueRiskPauseEmail(data, eventId);
      });
      emails = emailId ? 1 : 0;
    }
    if (emails > 0) await step.sendEvent("emails-queued", { name: "email/queued", data: { count: emails } });
    return { emails };
  },
);

/**
 * The onboarding email sequence of one user (services/onboarding/sequence.ts): day 0 welcome, day 1 getting started,
 * day 3 tips, day 7 success stories. Sleeps until each day (the start plus N days: a restart during a sleep wakes at
 * the same moment and sends the next step once); each step decides from the facts then, and the run ends as soon as
 * a step reports the sequence stopped (account gone, unsubscribed).
 */
import "server-only";
import { getDatabase } from "@/server/db";
import { dueAt, SEQUENCE, sendStep, sequenceStart } from "@/server/services/onboarding/sequence";
import { defineJob } from "../define";

export const onboardingSequence = defineJob(
  {
    id: "onboarding-sequence",
    name: "Onboarding email sequence",
    triggers: [{ event: "user/signed-up" }],
  },
  async ({ event, step }) => {
    const { userId } = event.data;
    const start = await step.run("start", async () => {
      await getDatabase();
      return (await sequenceStart(userId))?.toISOString() ?? null;
    });
    if (!start) return { stopped: "no_onboarding" };
    const sent: string[] = [];
    for (const { step: name, day } of SEQUENCE) {
      if (day > 0) await step.sleepUntil(`day-${day}`, dueAt(new Date(start), day));
      const outcome = await step.run(`send-${name}`, async () => {
        await getDatabase();
        return sendStep(userId, name);
      });
      if ("stopped" in outcome) return { sent, stopped: outcome.stopped, at: name };
      sent.push(name);
    }
    return { sent };
  },
);

import { describe, expect, it } from "vitest";
import { cron, eventType } from "inngest";
import { DEFAULT_RETRIES, defineJob, normaliseTriggers, type JobTrigger } from "./define";
import { sendEvent } from "./events";
import { runJob } from "./inline/runner";
import { useTestDatabase } from "@/test/db";

useTestDatabase();

describe("normaliseTriggers", () => {
  it("accepts inngest's helpers and plain objects, single or listed", () => {
    expect(normaliseTriggers(cron("0 3 * * *"))).toEqual([{ cron: "0 3 * * *" }]);
    expect(
      normaliseTriggers([
        eventType("audit/retention.requested"),
        { event: "audit/retention.requested" },
        { event: eventType("audit/retention.requested") },
        { cron: "*/5 * * * *" },
      ]),
    ).toEqual([
      { event: "audit/retention.requested" },
      { event: "audit/retention.requested" },
      { event: "audit/retention.requested" },
      { cron: "*/5 * * * *" },
    ]);
  });

  it("rejects a trigger with both or neither of cron and event", () => {
    const both = { cron: "* * * * *", event: "audit/retention.requested" } as unknown as JobTrigger;
    expect(() => normaliseTriggers(both)).toThrow(/exactly one/);
    expect(() => normaliseTriggers({} as JobTrigger)).toThrow(/exactly one/);
    const filtered = { event: "audit/retention.requested", if: "event.data.x == 1" } as unknown as JobTrigger;
    expect(() => normaliseTriggers(filtered)).toThrow(/"if"/);
  });
});

describe("defineJob", () => {
  it("builds the Inngest function and an inline descriptor that runs the same handler", async () => {
    const defined = defineJob(
      { id: "define-test", triggers: { event: "audit/retention.requested" }, retries: 1 },
      async ({ event, step }) => step.run("echo", () => ({ by: event.data.requestedBy })),
    );
    expect(defined.fn.id()).toBe("define-test");
    expect(defined.job).toMatchObject({ id: "define-test", name: "define-test", retries: 1 });
    expect(defined.job.triggers).toEqual([{ event: "audit/retention.requested" }]);

    const result = await runJob(defined.job, { name: "audit/retention.requested", data: { requestedBy: "usr_9" } });
    expect(result).toMatchObject({ status: "completed", output: { by: "usr_9" } });
  });

  it("defaults to Inngest's three retries and refuses an empty trigger list", () => {
    const defined = defineJob({ id: "define-defaults", triggers: cron("0 0 * * *") }, () => null);
    expect(defined.job.retries).toBe(DEFAULT_RETRIES);
    expect(DEFAULT_RETRIES).toBe(3);
    expect(() => defineJob({ id: "no-triggers", triggers: [] }, () => null)).toThrow(/no triggers/);
  });
});

// Compile-time checks (`tsc --noEmit` fails if an expectation stops holding); never called.
export function catalogueTypeChecks(): void {
  // @ts-expect-error -- not an event in JobEvents
  defineJob({ id: "typo", triggers: { event: "audit/retention.requestd" } }, () => null);
  // @ts-expect-error -- Inngest's CEL filter is not supported inline
  defineJob({ id: "filtered", triggers: { event: "audit/retention.requested", if: "event.data.x" } }, () => null);
  defineJob({ id: "typed", triggers: [cron("0 0 * * *"), { event: "audit/retention.requested" }] }, ({ event }) => {
    if (event.name === "audit/retention.requested") {
      const by: string | null = event.data.requestedBy;
      return by;
    }
    const schedule: string = event.data.cron;
    return schedule;
  });
  // @ts-expect-error -- wrong payload for the event
  void sendEvent("audit/retention.requested", { requestedBy: 42 });
  // @ts-expect-error -- unknown event
  void sendEvent("nope/unknown", {});
}

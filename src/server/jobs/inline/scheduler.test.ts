import { afterEach, describe, expect, it, vi } from "vitest";
import { Cron } from "croner";
import type { JobContext, JobDescriptor, JobEvent } from "../types";
import { waitForInlineRuns } from "./runner";
import {
  isInlineSchedulerRunning,
  listScheduledJobs,
  parseCron,
  startInlineScheduler,
  stopInlineScheduler,
} from "./scheduler";
import { useTestDatabase } from "@/test/db";

useTestDatabase();

const mode = vi.hoisted(() => ({ current: "inline" as "inline" | "inngest" }));
vi.mock("../client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../client")>()),
  jobsMode: () => mode.current,
}));

/** The next 03:00 UTC strictly after `from`, computed by hand so the check does not depend on croner alone. */
function nextThreeAmUtc(from: Date): Date {
  const next = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), 3, 0, 0));
  if (next.getTime() <= from.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next;
}

afterEach(async () => {
  stopInlineScheduler();
  mode.current = "inline";
  await waitForInlineRuns();
});

describe("inline scheduler", () => {
  it("lists the cron jobs with their next run before they are started", () => {
    const list = listScheduledJobs();
    expect(list.map((j) => j.id)).toEqual(["audit-retention", "copy-sweeper", "email-drain", "exchange-reconcile", "job-retention", "price-monitor", "daily-digest", "monthly-report", "weekly-digest", "channel-drain", "telegram-poll", "backup-daily", "backup-weekly", "backup-monthly", "backup-verify", "monitor", "strategy-runs"]);
    expect(list[5]).toMatchObject({ id: "price-monitor", cron: "* * * * *", scheduledBy: "none" });
    expect(list[0]).toMatchObject({
      id: "audit-retention",
      cron: "0 3 * * *",
      timezone: "UTC",
      scheduledBy: "none",
      running: false,
      lastRun: null,
    });
    expect(list[0]!.nextRunAt).toEqual(nextThreeAmUtc(new Date()));
  });

  it("schedules every cron job once, idempotently, and stops", () => {
    expect(startInlineScheduler()).toBe(true);
    expect(isInlineSchedulerRunning()).toBe(true);
    const [entry] = listScheduledJobs();
    expect(entry).toMatchObject({ id: "audit-retention", scheduledBy: "inline" });
    expect(entry!.nextRunAt).toEqual(new Cron("0 3 * * *", { timezone: "UTC" }).nextRun());
    expect(entry!.nextRunAt).toEqual(nextThreeAmUtc(new Date()));

    // A second start (another bundle, a hot reload) must not schedule anything new, even with other jobs.
    const other: JobDescriptor = { id: "other", name: "other", triggers: [{ cron: "* * * * *" }], retries: 0, handler: () => null };
    expect(startInlineScheduler({ jobs: [other] })).toBe(true);
    expect(listScheduledJobs().map((j) => j.id)).toEqual(["audit-retention", "copy-sweeper", "email-drain", "exchange-reconcile", "job-retention", "price-monitor", "daily-digest", "monthly-report", "weekly-digest", "channel-drain", "telegram-poll", "backup-daily", "backup-weekly", "backup-monthly", "backup-verify", "monitor", "strategy-runs"]);

    stopInlineScheduler();
    expect(isInlineSchedulerRunning()).toBe(false);
    expect(listScheduledJobs()[0]).toMatchObject({ scheduledBy: "none" });
    stopInlineScheduler(); // stopping twice is harmless
  });

  it("keeps its state on globalThis, so a second copy of the module sees the running scheduler", async () => {
    startInlineScheduler();
    vi.resetModules();
    const copy = await import("./scheduler");
    expect(copy.isInlineSchedulerRunning()).toBe(true);
    expect(copy.startInlineScheduler()).toBe(true);
    copy.stopInlineScheduler();
    expect(isInlineSchedulerRunning()).toBe(false);
  });

  it("fires the runner with Inngest's scheduled-timer event, records the last run, and stops firing", async () => {
    const events: JobEvent[] = [];
    const everySecond: JobDescriptor = {
      id: "every-second",
      name: "Every second",
      triggers: [{ cron: "* * * * * *" }, { event: "test/ignored" }],
      retries: 0,
      handler: async ({ event, step }: JobContext) => {
        events.push(event);
        return step.run("work", () => "worked");
      },
    };
    startInlineScheduler({ jobs: [everySecond] });
    const deadline = Date.now() + 3000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await waitForInlineRuns();

    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events[0]).toMatchObject({ name: "inngest/scheduled.timer", data: { cron: "* * * * * *" } });
    const [entry] = listScheduledJobs();
    expect(entry).toMatchObject({ id: "every-second", lastRun: { status: "completed", error: null } });
    expect(entry!.lastRun!.finishedAt).toBeInstanceOf(Date);

    stopInlineScheduler();
    const seen = events.length;
    await new Promise((r) => setTimeout(r, 1300));
    expect(events.length).toBe(seen);
  });

  it("records a failed scheduled run", async () => {
    let ran = false;
    const failing: JobDescriptor = {
      id: "failing",
      name: "failing",
      triggers: [{ cron: "* * * * * *" }],
      retries: 0,
      handler: () => {
        ran = true;
        throw new Error("cron job broke");
      },
    };
    startInlineScheduler({ jobs: [failing] });
    const deadline = Date.now() + 3000;
    while (!ran && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await waitForInlineRuns();
    expect(listScheduledJobs()[0]!.lastRun).toMatchObject({ status: "failed", error: "cron job broke" });
  });

  it("does not start when Inngest owns the crons, unless forced", () => {
    mode.current = "inngest";
    expect(startInlineScheduler()).toBe(false);
    expect(isInlineSchedulerRunning()).toBe(false);
    expect(listScheduledJobs()[0]).toMatchObject({ id: "audit-retention", scheduledBy: "inngest" });
    expect(startInlineScheduler({ force: true })).toBe(true);
  });

  it("rejects a bad cron expression without leaving a half-started scheduler", () => {
    const bad: JobDescriptor = { id: "bad", name: "bad", triggers: [{ cron: "not a cron" }], retries: 0, handler: () => null };
    expect(() => startInlineScheduler({ jobs: [bad] })).toThrow();
    expect(isInlineSchedulerRunning()).toBe(false);
  });

  it("reads Inngest's TZ= prefix", () => {
    expect(parseCron("TZ=Europe/Paris 0 9 * * 1")).toEqual({ pattern: "0 9 * * 1", timezone: "Europe/Paris" });
    expect(parseCron("0 3 * * *")).toEqual({ pattern: "0 3 * * *", timezone: "UTC" });
  });
});

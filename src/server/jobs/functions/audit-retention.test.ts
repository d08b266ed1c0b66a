import { describe, expect, it } from "vitest";
import { InngestTestEngine } from "@inngest/test";
import { asc } from "drizzle-orm";
import { auditLog } from "@/server/db/schema";
import { useTestDatabase } from "@/test/db";
import { sendEvent } from "../events";
import { runJob } from "../inline/runner";
import { AUDIT_RETENTION_CRON, auditRetention } from "./audit-retention";

const t = useTestDatabase();
const DAY_MS = 24 * 60 * 60 * 1000;

/** One row per age; the retention window is 365 days. */
async function seedAuditRows(): Promise<void> {
  const now = Date.now();
  await t.db.insert(auditLog).values([
    { actorId: null, action: "two-years", createdAt: new Date(now - 730 * DAY_MS) },
    { actorId: null, action: "366-days", createdAt: new Date(now - 366 * DAY_MS) },
    { actorId: null, action: "364-days", createdAt: new Date(now - 364 * DAY_MS) },
    { actorId: null, action: "now", createdAt: new Date(now) },
  ]);
}

async function remainingActions(): Promise<string[]> {
  const rows = await t.db.select({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.createdAt));
  return rows.map((r) => r.action);
}

const timerEvent = { name: "inngest/scheduled.timer", data: { cron: AUDIT_RETENTION_CRON } } as const;

describe("audit-retention job", () => {
  it("is a daily 03:00 cron that can also be requested", () => {
    expect(auditRetention.job.triggers).toEqual([
      { cron: "0 3 * * *" },
      { event: "audit/retention.requested" },
    ]);
    expect(auditRetention.fn.id()).toBe("audit-retention");
  });

  it("prunes rows older than a year through Inngest's execution engine", async () => {
    await seedAuditRows();
    // A fresh engine per run: engines cache step results across executions.
    const engine = new InngestTestEngine({ function: auditRetention.fn, events: [timerEvent] });
    const { result, error, ctx } = await engine.execute();
    expect(error).toBeUndefined();
    expect(result).toEqual({ deleted: 2 });
    expect(ctx.step.run).toHaveBeenCalledWith("prune-audit-log", expect.any(Function));
    expect(await remainingActions()).toEqual(["364-days", "now"]);
  });

  it("prunes rows older than a year through the inline runner", async () => {
    await seedAuditRows();
    const result = await runJob(auditRetention.job, timerEvent);
    expect(result).toMatchObject({ status: "completed", attempts: 1, output: { deleted: 2 } });
    expect(await remainingActions()).toEqual(["364-days", "now"]);

    // Nothing left to prune: a second run is a no-op.
    const again = await runJob(auditRetention.job, timerEvent);
    expect(again).toMatchObject({ status: "completed", output: { deleted: 0 } });
    expect(await remainingActions()).toEqual(["364-days", "now"]);
  });

  it("runs when requested through sendEvent in inline mode", async () => {
    await seedAuditRows();
    const sent = await sendEvent("audit/retention.requested", { requestedBy: null });
    expect(sent.mode).toBe("inline");
    expect(sent.ids).toHaveLength(1);
    const results = await sent.completion;
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "completed", jobId: "audit-retention", output: { deleted: 2 } });
    expect(await remainingActions()).toEqual(["364-days", "now"]);
  });
});

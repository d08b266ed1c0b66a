/**
 * Maintenance windows: while one is open the inline runner claims no run (due, or with an expired lease), the email
 * drain and the channel drain claim nothing to send; closing it lets each of them go on as before. Each stop is
 * proved by its claim doing its work once the window closes (so a test that never claimed anything cannot pass).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createElement } from "react";
import { eq, sql } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { testJob, until } from "@/test/jobs";
import { insertChannel, insertUser, testEvent } from "@/test/channels";
import { channelDeliveries, emailOutbox, jobRuns, opsMaintenance, type ChannelKind } from "@/server/db/schema";
import { InlineRunner } from "@/server/jobs/inline/runner";
import { drainEmailOutbox } from "@/server/services/email/drain";
import { queueEmail } from "@/server/services/email/outbox";
import type { EmailMessage, EmailSender } from "@/server/services/email/delivery";
import { drainChannelDeliveries } from "@/server/services/channels/drain";
import { queueDeliveries } from "@/server/services/channels/queue";
import { payloadFor } from "@/server/services/channels/payload";
import type { ChannelSender } from "@/server/integrations/channels/types";
import { closeMaintenance, maintenanceOpen, openMaintenance } from ".";

const t = useTestDatabase();
const runners: InlineRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.stop();
});

function recordingSender() {
  const sent: EmailMessage[] = [];
  const sender: EmailSender = {
    name: "recording",
    async send(email) {
      sent.push(email);
      return { providerMessageId: `msg_${sent.length}` };
    },
  };
  return { sent, sender };
}

describe("maintenance windows", () => {
  it("opens, reports and closes windows; closing without an id ends every open one", async () => {
    expect(await maintenanceOpen(t.db)).toBeNull();
    const a = await openMaintenance(t.db, "restore bkp_1");
    const b = await openMaintenance(t.db, "by hand");
    expect((await maintenanceOpen(t.db))?.id).toBe(a.id);
    expect(await closeMaintenance(t.db, a.id)).toBe(1);
    expect(await closeMaintenance(t.db, a.id)).toBe(0);
    expect((await maintenanceOpen(t.db))?.id).toBe(b.id);
    await openMaintenance(t.db, "another");
    expect(await closeMaintenance(t.db)).toBe(2);
    expect(await maintenanceOpen(t.db)).toBeNull();
    expect(await t.db.select().from(opsMaintenance)).toHaveLength(3);
  });

  it("the email drain sends nothing while a window is open, and everything once it closes", async () => {
    const id = await queueEmail(t.db, { to: "ann@example.com", kind: "test", subject: "Hi", template: createElement("p", null, "Hello"), stream: "transactional" });
    const { sent, sender } = recordingSender();
    const window = await openMaintenance(t.db, "test");
    expect(await drainEmailOutbox({ sender, maxRunMs: 5_000 })).toMatchObject({ sent: 0 });
    expect(sent).toHaveLength(0);
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    // Not claimed either: no lease was taken, so it goes at once after the window.
    expect(row).toMatchObject({ status: "queued", nextAttemptAt: null, attempts: 0 });
    await closeMaintenance(t.db, window.id);
    expect(await drainEmailOutbox({ sender, maxRunMs: 5_000 })).toMatchObject({ sent: 1 });
    expect(sent.map((e) => e.to)).toEqual(["ann@example.com"]);
  });

  it("the channel drain sends nothing while a window is open, and everything once it closes", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id });
    const event = testEvent();
    const kind: ChannelKind = "webhook";
    await queueDeliveries(t.db, [{ channelId: ch.id, userId: user.id, event, payload: payloadFor(kind, event), dedupeKey: `${event.id}:${ch.id}` }]);
    let calls = 0;
    const sender: ChannelSender = async () => {
      calls += 1;
      return { ok: true, status: 200, body: "ok" };
    };
    const senders = { discord: sender, telegram: sender, webhook: sender };
    const window = await openMaintenance(t.db, "test");
    expect(await drainChannelDeliveries({ senders, maxRunMs: 5_000, maxInlineWaitMs: 0 })).toMatchObject({ sent: 0 });
    expect(calls).toBe(0);
    await closeMaintenance(t.db, window.id);
    expect(await drainChannelDeliveries({ senders, maxRunMs: 5_000, maxInlineWaitMs: 0 })).toMatchObject({ sent: 1 });
    expect(calls).toBe(1);
    const [row] = await t.db.select().from(channelDeliveries);
    expect(row!.status).toBe("sent");
  });

  it("the inline runner claims no due run and takes over no expired lease while a window is open", async () => {
    let executed = 0;
    const job = testJob("maintenance-probe", async () => {
      executed += 1;
      return "done";
    });
    // A run whose lease expired (a crashed runner's) beside the due one the runner is given.
    const [orphan] = await t.db
      .insert(jobRuns)
      .values({
        jobId: "maintenance-probe",
        event: { name: "test/go", data: {}, id: "evt_orphan", ts: Date.now() },
        eventId: "evt_orphan",
        status: "running",
        leaseOwner: "dead",
        leaseUntil: new Date(Date.now() - 60_000),
      })
      .returning();
    const window = await openMaintenance(t.db, "test");
    const runner = new InlineRunner({ database: async () => t.handle, leaseMs: 1000, pollMs: 25, backoffMs: () => 50 });
    runners.push(runner);
    runner.start();
    const done = runner.run(job, { name: "test/go", data: {} });
    // Many polls go by: nothing is claimed.
    await new Promise((r) => setTimeout(r, 600));
    expect(executed).toBe(0);
    const statuses = await t.db.select({ id: jobRuns.id, status: jobRuns.status, owner: jobRuns.leaseOwner }).from(jobRuns);
    expect(statuses.find((r) => r.id === orphan!.id)).toMatchObject({ status: "running", owner: "dead" });
    expect(statuses.filter((r) => r.id !== orphan!.id).map((r) => r.status)).toEqual(["queued"]);

    await closeMaintenance(t.db, window.id);
    runner.wake();
    expect(await done).toMatchObject({ status: "completed", output: "done" });
    await until("the orphan's takeover", async () => {
      const [row] = await t.db.execute<{ status: string }>(sql`select status from job_runs where id = ${orphan!.id}`).then((r) => (Array.isArray(r) ? r : (r as unknown as { rows: { status: string }[] }).rows));
      return row?.status === "completed";
    });
    expect(executed).toBe(2);
  });
});

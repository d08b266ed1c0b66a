/**
 * Acceptance (issue 18, item 4): simulated readings crossing warning then critical send one admin email per alert
 * per 5 minutes, counted in the email outbox; falling back resolves. Also the real probes, once, and the job wiring.
 */
import { afterEach, describe, expect, it } from "vitest";
import { and, asc, eq, isNull, like } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { newProvider } from "@/test/signals";
import { backups, copyOrders, emailOutbox, jobRuns, opsAlerts, opsReadings } from "@/server/db/schema";
import { runJob } from "@/server/jobs/inline/runner";
import { monitor, MONITOR_CRON } from "@/server/jobs/functions/monitor";
import { OPS_METRICS } from "@/lib/ops/thresholds";
import { minuteOf, monitorTick, setReadingSource } from "./monitor";
import { takeReadings, type Reading, type ReadingSource } from "./readings";

const t = useTestDatabase();
const T0 = new Date("2026-12-07T04:00:10.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const opts = { baseUrl: "https://tradsy.example" };
const cpuAt = (value: number): ReadingSource => async () => [{ metric: "cpu", value }];

const cpuEmails = (level: string) => t.db.select().from(emailOutbox).where(like(emailOutbox.kind, `ops_alert_${level}`)).orderBy(asc(emailOutbox.createdAt));
const openAlerts = () => t.db.select({ metric: opsAlerts.metric, level: opsAlerts.level }).from(opsAlerts).where(isNull(opsAlerts.resolvedAt));

afterEach(() => setReadingSource(null));

describe("monitor ticks", () => {
  it("warning, then critical for several ticks, then past 5 minutes: one email per alert per 5 minutes; falling back resolves", async () => {
    await createUser("admin");
    await createUser("admin");
    const script: Array<[minute: number, cpu: number, warningEmails: number, criticalEmails: number]> = [
      [0, 50, 0, 0], // ok
      [1, 75, 2, 0], // warning: each admin once
      [2, 78, 2, 0], // still warning, within 5 minutes
      [3, 93, 2, 2], // critical: each admin once
      [4, 95, 2, 2],
      [5, 97, 2, 2],
      [6, 99, 2, 2],
      [7, 96, 2, 2], // 4 minutes after the critical email
      [8, 94, 2, 4], // 5 minutes after: again
      [9, 92, 2, 4],
      [10, 80, 4, 4], // back to warning: critical resolves; warning last emailed 9 minutes ago, so admins hear it again
      [11, 40, 4, 4], // ok: everything resolves
    ];
    for (const [minute, cpu, warning, critical] of script) {
      await monitorTick(t.handle, at(minute), cpuAt(cpu), opts);
      expect((await cpuEmails("warning")).length, `warning emails after minute ${minute}`).toBe(warning);
      expect((await cpuEmails("critical")).length, `critical emails after minute ${minute}`).toBe(critical);
      if (minute === 9) expect(await openAlerts()).toEqual(expect.arrayContaining([{ metric: "cpu", level: "warning" }, { metric: "cpu", level: "critical" }]));
      if (minute === 10) expect(await openAlerts()).toEqual([{ metric: "cpu", level: "warning" }]);
    }
    expect(await openAlerts()).toEqual([]);
    const [first] = await cpuEmails("critical");
    expect(first!.subject).toBe("[Tradsy critical] CPU at 93% (critical at 90%)");

    // One point per minute.
    const points = await t.db.select().from(opsReadings).where(eq(opsReadings.metric, "cpu")).orderBy(asc(opsReadings.at));
    expect(points.map((p) => p.value)).toEqual(script.map(([, cpu]) => cpu));
    expect(points[1]!.at).toEqual(minuteOf(at(1)));
  });

  it("a retried tick (same minute) writes its points once and emails once; points older than 7 days are pruned", async () => {
    await createUser("admin");
    await t.db.insert(opsReadings).values([
      { metric: "cpu", at: at(-8 * 24 * 60), value: 1 },
      { metric: "cpu", at: at(-6 * 24 * 60), value: 2 },
    ]);
    const first = await monitorTick(t.handle, at(0), cpuAt(91), opts);
    const retry = await monitorTick(t.handle, new Date(at(0).getTime() + 20_000), cpuAt(92), opts);
    expect(first).toMatchObject({ readings: 1, sent: ["cpu:critical"], pruned: 1 });
    expect(retry).toMatchObject({ sent: [], pruned: 0 });
    const points = await t.db.select().from(opsReadings).orderBy(asc(opsReadings.at));
    expect(points.map((p) => p.value)).toEqual([2, 91]);
    expect(await cpuEmails("critical")).toHaveLength(1);
  });

  it("two replicas ticking at once send one email", async () => {
    await createUser("admin");
    await Promise.all([monitorTick(t.handle, at(0), cpuAt(99), opts), monitorTick(t.handle, new Date(at(0).getTime() + 5), cpuAt(99), opts)]);
    expect(await cpuEmails("critical")).toHaveLength(1);
    expect(await t.db.select().from(opsReadings)).toHaveLength(1);
  });

  it("the job ticks with the injected readings through the inline runner", async () => {
    await createUser("admin");
    const seen: Date[] = [];
    setReadingSource(async ({ now }) => {
      seen.push(now);
      return [{ metric: "disk", value: 96, detail: "/data: 1.0 GiB free" } satisfies Reading];
    });
    const tick = new Date();
    const result = await runJob(monitor.job, { name: "inngest/scheduled.timer", data: { cron: MONITOR_CRON }, ts: tick.getTime() } as never);
    expect(result).toMatchObject({ status: "completed", output: { readings: 1, sent: ["disk:critical"] } });
    expect(seen[0]!.getTime()).toBe(tick.getTime());
    const [email] = await cpuEmails("critical");
    expect(email!.text).toContain("/data: 1.0 GiB free");
    expect(monitor.job.triggers).toEqual([{ cron: "* * * * *" }]);
  });
});

describe("the real probes", () => {
  it("read every catalogued metric they can, from this machine and the database", async () => {
    const now = new Date();
    await t.db.insert(jobRuns).values([
      { jobId: "x", event: {}, eventId: "e1", status: "queued", wakeAt: new Date(now.getTime() - 5 * 60_000) },
      { jobId: "x", event: {}, eventId: "e2", status: "queued", wakeAt: now },
      { jobId: "x", event: {}, eventId: "e3", status: "failed", finishedAt: new Date(now.getTime() - 60_000) },
      { jobId: "x", event: {}, eventId: "e4", status: "failed", finishedAt: new Date(now.getTime() - 25 * 3600_000) },
    ]);
    const u = await createUser("subscriber");
    const { provider } = await newProvider();
    await t.db.insert(copyOrders).values(
      [120, 80, 4000, 300, 200, 150].map((ms, i) => ({
        clientOrderId: `mon-${i}`,
        userId: u.id,
        providerId: provider.id,
        venue: "binance",
        symbol: "BTC/USDT",
        side: "buy" as const,
        leg: "entry" as const,
        status: i < 2 ? ("rejected" as const) : ("filled" as const),
        quantity: "0.1",
        latencyMs: ms,
      })),
    );
    await t.db.insert(copyOrders).values({ clientOrderId: "mon-paper", userId: u.id, providerId: provider.id, venue: "paper", symbol: "BTC/USDT", side: "buy", leg: "entry", status: "rejected", quantity: "1", latencyMs: 99999 });
    await t.db.insert(backups).values([
      { kind: "daily", slot: "daily:a", engine: "pglite", format: "pglite-datadir-gzip", status: "completed", storage: "local", finishedAt: new Date(now.getTime() - 30 * 3600_000), verifiedAt: new Date(now.getTime() - 29 * 3600_000), verification: "passed" },
      { kind: "daily", slot: "daily:b", engine: "pglite", format: "pglite-datadir-gzip", status: "completed", storage: "local", finishedAt: new Date(now.getTime() - 3 * 3600_000), verifiedAt: new Date(now.getTime() - 2 * 3600_000), verification: "failed", verificationError: "table users: 3 rows, manifest says 4" },
    ]);

    const readings = await takeReadings({ handle: t.handle, now });
    const byMetric = new Map(readings.map((r) => [r.metric, r]));
    for (const r of readings) expect(Number.isFinite(r.value), r.metric).toBe(true);
    for (const key of ["cpu", "memory", "disk", "event_loop_lag", "db_latency", "db_pool", "sse_connections", "jobs_waiting", "jobs_failed", "email_queue", "backup_age", "restore_verified_age", "backup_verification", "exchange_latency", "exchange_error_rate"])
      expect(byMetric.has(key as never), key).toBe(true);
    for (const key of ["cpu", "memory", "disk", "db_pool"]) expect(byMetric.get(key as never)!.value).toBeGreaterThanOrEqual(0);
    expect(byMetric.get("cpu")!.value).toBeLessThanOrEqual(100);
    expect(byMetric.get("jobs_waiting")!.value).toBe(1);
    expect(byMetric.get("jobs_failed")!.value).toBe(1);
    expect(byMetric.get("exchange_error_rate")!.value).toBeCloseTo((2 / 6) * 100);
    expect(byMetric.get("exchange_latency")!.value).toBe(4000);
    expect(byMetric.get("backup_age")!.value).toBeCloseTo(3);
    expect(byMetric.get("restore_verified_age")!.value).toBeCloseTo(29);
    expect(byMetric.get("backup_verification")).toMatchObject({ value: 1, detail: expect.stringContaining("manifest says 4") });
    // Every reading is a catalogued metric.
    const known = new Set<string>(OPS_METRICS.map((x) => x.key));
    for (const r of readings) expect(known.has(r.metric), r.metric).toBe(true);

    // Fewer than 5 live orders: no rejection share.
    await t.db.delete(copyOrders).where(and(eq(copyOrders.venue, "binance"), like(copyOrders.clientOrderId, "mon-_")));
    const again = await takeReadings({ handle: t.handle, now });
    expect(again.some((r) => r.metric === "exchange_error_rate")).toBe(false);
  });
});

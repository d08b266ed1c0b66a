/**
 * admin.system: the System page's data. Admins see each metric's latest reading with its status and thresholds, the
 * open alerts and 24 hours of points; everyone else is refused; bad input is a 400.
 */
import { describe, expect, it } from "vitest";
import { opsAlerts, opsReadings } from "@/server/db/schema";
import { useTestDatabase } from "@/test/db";
import { callerFor, signedIn, trpcCode } from "@/test/factories";

const t = useTestDatabase();
const minutesAgo = (m: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - m * 60_000);

describe("admin.system", () => {
  it("with no readings yet: every metric unknown, no tick, no alerts, no points", async () => {
    const { caller } = await signedIn("admin");
    const overview = await caller.admin.system.overview();
    expect(overview.lastTickAt).toBeNull();
    expect(overview.alerts).toEqual([]);
    expect(overview.metrics.every((m) => m.status === "unknown" && m.value === null)).toBe(true);
    expect((await caller.admin.system.history({})).series).toEqual({});
  });

  it("shows the latest reading per metric with its status, the open alerts, and the worst value per 5 minutes", async () => {
    await t.db.insert(opsReadings).values([
      { metric: "cpu", at: minutesAgo(3), value: 50 },
      { metric: "cpu", at: minutesAgo(2), value: 95 },
      { metric: "cpu", at: minutesAgo(1), value: 75 },
      { metric: "db_latency", at: minutesAgo(1), value: 12 },
      // Stale: the monitor has not read it for 20 minutes.
      { metric: "disk", at: minutesAgo(20), value: 99 },
      // Older than the chart's 24 hours.
      { metric: "memory", at: minutesAgo(25 * 60), value: 10 },
    ]);
    await t.db.insert(opsAlerts).values([
      { metric: "cpu", level: "warning", value: 75, threshold: 70, lastSentAt: minutesAgo(1) },
      { metric: "memory", level: "critical", value: 97, threshold: 95, resolvedAt: minutesAgo(30) },
    ]);
    const { caller } = await signedIn("admin");
    const overview = await caller.admin.system.overview();
    const card = (key: string) => overview.metrics.find((m) => m.key === key)!;
    expect(card("cpu")).toMatchObject({ value: 75, status: "warning", warning: 70, critical: 90, unit: "%" });
    expect(card("db_latency")).toMatchObject({ value: 12, status: "ok", warning: 100, critical: 500, never: null });
    // No backup ever: the page says so rather than an age counted from the first reading.
    expect(card("backup_age")).toMatchObject({ never: "None yet" });
    expect(card("disk")).toMatchObject({ value: null, status: "unknown" });
    expect(card("memory")).toMatchObject({ value: null, status: "unknown" });
    expect(overview.lastTickAt).toEqual(minutesAgo(1));
    expect(overview.stale).toBe(false);
    expect(overview.alerts).toEqual([expect.objectContaining({ metric: "cpu", label: "CPU", level: "warning", value: 75, threshold: 70 })]);

    const history = await caller.admin.system.history({ hours: 24 });
    expect(Object.keys(history.series).sort()).toEqual(["cpu", "db_latency", "disk"]);
    const cpuPoints = history.series.cpu!;
    expect(cpuPoints.map(([, v]) => v)).toContain(95);
    expect(Math.max(...cpuPoints.map(([, v]) => v))).toBe(95);
    expect(cpuPoints.length).toBeLessThanOrEqual(2);
    for (const [time] of cpuPoints) expect(time % 300).toBe(0);
  });

  it("refuses traders and providers (FORBIDDEN) and visitors (UNAUTHORIZED); rejects bad input", async () => {
    const callers = [
      ["trader", (await signedIn("subscriber")).caller, "FORBIDDEN"],
      ["provider", (await signedIn("provider")).caller, "FORBIDDEN"],
      ["visitor", await callerFor(null), "UNAUTHORIZED"],
    ] as const;
    for (const [who, caller, code] of callers) {
      expect(await trpcCode(caller.admin.system.overview()), `${who} overview`).toBe(code);
      expect(await trpcCode(caller.admin.system.history({ hours: 24 })), `${who} history`).toBe(code);
    }
    const { caller } = await signedIn("admin");
    expect(await trpcCode(caller.admin.system.history({ hours: 0 }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.admin.system.history({ hours: 1000 }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.admin.system.history({ hours: 1.5 }))).toBe("BAD_REQUEST");
  });
});

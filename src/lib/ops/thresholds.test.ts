import { describe, expect, it } from "vitest";
import { alertSummary, cpuPercent, evaluate, formatMetricValue, OPS_METRICS, opsMetric, percentile, statusOf } from "./thresholds";

const m = (key: string) => opsMetric(key)!;

describe("monitoring thresholds", () => {
  it("are the lines operators expect for CPU, memory, disk and database latency", () => {
    expect([m("cpu").warning, m("cpu").critical]).toEqual([70, 90]);
    expect([m("memory").warning, m("memory").critical]).toEqual([80, 95]);
    expect([m("disk").warning, m("disk").critical]).toEqual([80, 95]);
    expect([m("db_latency").warning, m("db_latency").critical]).toEqual([100, 500]);
    expect([m("backup_age").warning, m("backup_age").critical]).toEqual([26, 50]);
  });

  it("have unique keys and warning below critical", () => {
    expect(new Set(OPS_METRICS.map((x) => x.key)).size).toBe(OPS_METRICS.length);
    for (const x of OPS_METRICS) if (x.warning !== null && x.critical !== null) expect(x.warning, x.key).toBeLessThan(x.critical);
  });

  it("cross a line at or above it", () => {
    expect(statusOf(m("cpu"), 69.9)).toBe("ok");
    expect(statusOf(m("cpu"), 70)).toBe("warning");
    expect(statusOf(m("cpu"), 89.99)).toBe("warning");
    expect(statusOf(m("cpu"), 90)).toBe("critical");
    expect(statusOf(m("sse_connections"), 1e9)).toBe("ok");
    expect(statusOf(m("backup_verification"), 1)).toBe("critical");
    expect(statusOf(m("backup_verification"), 0)).toBe("ok");
    expect(statusOf(m("cpu"), Number.NaN)).toBe("ok");
  });

  it("raise the highest level crossed and resolve the levels above the status", () => {
    expect(evaluate(m("db_latency"), 20)).toMatchObject({ status: "ok", raise: null, resolve: ["warning", "critical"] });
    expect(evaluate(m("db_latency"), 150)).toMatchObject({ status: "warning", raise: { level: "warning", threshold: 100 }, resolve: ["critical"] });
    expect(evaluate(m("db_latency"), 650)).toMatchObject({ status: "critical", raise: { level: "critical", threshold: 500, summary: "Database latency at 650 ms (critical at 500 ms)" }, resolve: [] });
  });

  it("format readings with their units", () => {
    expect(formatMetricValue("cpu", 93.46)).toBe("93.5%");
    expect(formatMetricValue("db_latency", 123.4)).toBe("123 ms");
    expect(formatMetricValue("backup_age", 27)).toBe("27 h");
    expect(formatMetricValue("jobs_failed", 3)).toBe("3");
    expect(formatMetricValue("unknown_metric", 2)).toBe("2");
    expect(alertSummary(m("memory"), "warning", 81)).toBe("Memory at 81% (warning at 80%)");
  });

  it("percentile by nearest rank; CPU share between two samples", () => {
    expect(percentile([], 95)).toBeNull();
    expect(percentile([5], 95)).toBe(5);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
    expect(percentile([300, 100, 200, 400], 50)).toBe(200);
    expect(cpuPercent({ busy: 100, total: 1000 }, { busy: 400, total: 2000 })).toBe(30);
    expect(cpuPercent({ busy: 0, total: 0 }, { busy: 10, total: 0 })).toBeNull();
    expect(cpuPercent({ busy: 0, total: 0 }, { busy: 200, total: 100 })).toBe(100);
  });
});

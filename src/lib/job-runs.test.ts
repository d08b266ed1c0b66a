import { describe, expect, it } from "vitest";
import { canCancel, canRetry, formatDuration, JOB_RUN_STATUSES, jobRunIdSchema, jobRunsHref, parseJobRunFilters } from "./job-runs";

describe("job run filters in the URL", () => {
  it("reads a job and a status, and writes them back", () => {
    const filters = parseJobRunFilters({ job: " stats-rollup ", status: "failed", page: "2" });
    expect(filters).toEqual({ jobId: "stats-rollup", status: "failed" });
    expect(jobRunsHref(filters, 2)).toBe("/admin/jobs?job=stats-rollup&status=failed&page=2");
    expect(jobRunsHref({}, 1)).toBe("/admin/jobs");
  });

  it("treats a malformed filter as no filter", () => {
    expect(parseJobRunFilters({ status: "paused" })).toEqual({});
    expect(parseJobRunFilters({ status: "FAILED" })).toEqual({});
    expect(parseJobRunFilters({ job: "x".repeat(101) })).toEqual({});
    expect(parseJobRunFilters({ job: "bad\u0000id" })).toEqual({});
    expect(parseJobRunFilters({ job: "", status: "" })).toEqual({});
    expect(parseJobRunFilters({ job: ["price-monitor", "stats-rollup"], status: ["sleeping", "failed"] })).toEqual({ jobId: "price-monitor", status: "sleeping" });
  });
});

describe("what an admin may do with a run", () => {
  it("retries only failed runs and cancels only waiting ones", () => {
    expect(JOB_RUN_STATUSES.filter(canRetry)).toEqual(["failed"]);
    expect(JOB_RUN_STATUSES.filter(canCancel)).toEqual(["queued", "sleeping", "retrying"]);
  });

  it("takes run ids as newId makes them", () => {
    expect(jobRunIdSchema.safeParse("run_0123456789abcdefghjk").success).toBe(true);
    for (const id of ["", "run_", "usr_0123", "run_ABC", "run_a b", `run_${"a".repeat(41)}`]) expect(jobRunIdSchema.safeParse(id).success, id).toBe(false);
  });
});

describe("formatDuration", () => {
  it("names the two largest units", () => {
    expect([0, 850, 1_000, 4_250, 12_900, 59_999, 60_000, 185_000, 7_800_000, 273_600_000, -5].map(formatDuration)).toEqual([
      "0 ms",
      "850 ms",
      "1.0 s",
      "4.2 s",
      "12 s",
      "59 s",
      "1 min",
      "3 min 5 s",
      "2 h 10 min",
      "3 d 4 h",
      "0 ms",
    ]);
  });
});

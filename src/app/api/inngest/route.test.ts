import { afterEach, describe, expect, it, vi } from "vitest";

type Route = typeof import("./route");
const get = (route: Route) =>
  route.GET(new Request("http://localhost:3000/api/inngest") as never, undefined as never);

afterEach(() => {
  vi.doUnmock("@/env");
  vi.resetModules();
});

describe("/api/inngest", () => {
  it("imports without Inngest keys (next build needs none); in inline mode it is a 404 with a JSON message for every method", async () => {
    const route = await import("./route");
    expect(route.runtime).toBe("nodejs");
    expect(route.dynamic).toBe("force-dynamic");
    expect([route.GET, route.POST, route.PUT].every((h) => typeof h === "function")).toBe(true);
    // Issue 9, defect 3: inline mode used to hand these to Inngest's handler, which answered 500 (no signing key).
    for (const method of ["GET", "PUT", "POST"] as const) {
      const req = new Request("http://localhost:3000/api/inngest?fnId=x&stepId=step", { method, ...(method === "GET" ? {} : { body: "{}", headers: { "content-type": "application/json" } }) });
      const res = await route[method](req as never, undefined as never);
      expect(res.status, method).toBe(404);
      expect(res.headers.get("content-type"), method).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: { message: string } }).error.message, method).toMatch(/Inngest is not configured/);
    }
  });

  it("hands requests to Inngest's handler once Inngest is configured (a signing key: cloud mode)", async () => {
    const { env } = await import("@/env");
    vi.doMock("@/env", () => ({ env: { ...env, INNGEST_SIGNING_KEY: "signkey-test-0123456789abcdef0123456789abcdef" } }));
    vi.resetModules();
    const route = await import("./route");
    const res = await get(route);
    expect(res.status).not.toBe(404);
    expect(await res.text()).not.toMatch(/Inngest is not configured/);
  });

  it("serves the functions to a Dev Server when INNGEST_DEV is set", async () => {
    const { env } = await import("@/env");
    vi.doMock("@/env", () => ({ env: { ...env, INNGEST_DEV: "1" } }));
    vi.resetModules();
    const route = await import("./route");
    const res = await get(route);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { function_count?: number; mode?: string };
    const { functions } = await import("@/server/jobs");
    expect(functions.map((f) => f.id()).sort()).toEqual(["audit-retention", "backup-daily", "backup-monthly", "backup-verify", "backup-weekly", "channel-alerts", "channel-drain", "copy-connection", "copy-emails", "copy-fanout", "copy-sweeper", "daily-digest", "email-drain", "exchange-reconcile", "job-retention", "monitor", "monthly-report", "onboarding-sequence", "price-monitor", "signal-alerts", "stats-rollup", "strategy-runs", "telegram-poll", "weekly-digest"]);
    expect(body).toMatchObject({ function_count: functions.length, mode: "dev" });
  });
});

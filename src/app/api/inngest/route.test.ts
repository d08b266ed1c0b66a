import { afterEach, describe, expect, it, vi } from "vitest";

type Route = typeof import("./route");
const get = (route: Route) =>
  route.GET(new Request("http://localhost:3000/api/inngest") as never, undefined as never);

afterEach(() => {
  vi.doUnmock("@/env");
  vi.resetModules();
});

describe("/api/inngest", () => {
  it("imports without Inngest keys (next build needs none); unconfigured, Inngest's handler refuses", async () => {
    const route = await import("./route");
    expect(route.runtime).toBe("nodejs");
    expect(route.dynamic).toBe("force-dynamic");
    expect([route.GET, route.POST, route.PUT].every((h) => typeof h === "function")).toBe(true);
    // Inngest's own answer in cloud mode without a signing key; in inline mode nothing calls this route.
    expect((await get(route)).status).toBe(500);
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
    expect(functions).toHaveLength(3);
    expect(body).toMatchObject({ function_count: functions.length, mode: "dev" });
  });
});

/**
 * Every /api/trpc request has one id: sent back as `x-request-id` and carried by each of its log lines, the line that
 * ends each procedure call (path, type, duration, outcome) and the error a failing procedure logs, so a report can be
 * tied to the log. Nothing of the input is logged.
 */
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import superjson from "superjson";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { LEVEL, useRequestLogs } from "@/test/logs";
import type { SessionUser } from "@/server/api/trpc";
import { resetRateLimits } from "@/server/rate-limit";
import { stopRealtime } from "@/server/services/realtime";
import * as usersService from "@/server/services/users";

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/server/auth", () => ({
  auth: async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 3_600_000).toISOString() } : null),
}));

const route = await import("./route");

// A proxy in front is trusted here, so its plain x-request-id is kept (with none, the client's own is never taken).
const proxy = vi.hoisted(() => ({ hops: 1 }));
vi.mock("@/server/http/client-ip", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/http/client-ip")>()),
  trustedProxyHops: () => proxy.hops,
}));

useTestDatabase();
const logs = useRequestLogs();
beforeEach(() => {
  resetRateLimits();
  session.user = null;
});
afterAll(() => stopRealtime());

const BASE = "http://localhost:3000/api/trpc";
const input = (value: unknown) => encodeURIComponent(JSON.stringify(superjson.serialize(value)));
const get = (path: string, headers: Record<string, string> = {}) => route.GET(new Request(`${BASE}/${path}?input=${input(undefined)}`, { headers }) as never);
const post = (path: string, value: unknown) =>
  route.POST(new Request(`${BASE}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(superjson.serialize(value)) }) as never);

function requestIdOf(res: Response): string {
  const id = res.headers.get("x-request-id");
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id!;
}

describe("request ids in the tRPC log", () => {
  it("a call's lines all carry the id its answer sends back, and the last one says what ran and how long it took", async () => {
    session.user = await createUser("subscriber");
    // The sign-up's background job (the onboarding sequence) logs too: let it settle, then read only this call's lines.
    await waitForInlineRuns();
    logs.lines.length = 0;
    const res = await get("account.me");
    expect(res.status).toBe(200);
    const id = requestIdOf(res);
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.lines.every((l) => l.requestId === id)).toBe(true);
    const done = logs.lines.find((l) => l.msg === "procedure done");
    expect(done).toMatchObject({ level: LEVEL.debug, requestId: id, path: "account.me", type: "query", ok: true });
    expect(typeof done!.durationMs).toBe("number");
  });

  it("each request has its own id; a batch is one request with one id", async () => {
    session.user = await createUser("provider");
    const a = requestIdOf(await get("account.me"));
    const b = requestIdOf(await get("account.me"));
    expect(a).not.toBe(b);
    logs.lines.length = 0;
    const batch = await route.GET(
      new Request(`${BASE}/account.me,account.notificationPrefs?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: superjson.serialize(undefined), 1: superjson.serialize(undefined) }))}`) as never,
    );
    const id = requestIdOf(batch);
    await batch.text();
    const done = logs.lines.filter((l) => l.msg === "procedure done");
    expect(done.map((l) => l.path).sort()).toEqual(["account.me", "account.notificationPrefs"]);
    expect(done.every((l) => l.requestId === id)).toBe(true);
  });

  it("a failing procedure's error is logged with the request's id, and its end as a warning with the code", async () => {
    session.user = await createUser("subscriber");
    vi.spyOn(usersService, "getMe").mockRejectedValueOnce(new Error("the database went away"));
    const res = await get("account.me");
    expect(res.status).toBe(500);
    const id = requestIdOf(res);
    const failed = logs.lines.find((l) => l.msg === "procedure failed");
    expect(failed).toMatchObject({ level: LEVEL.error, requestId: id, path: "account.me" });
    expect(JSON.stringify(failed)).toContain("the database went away");
    expect(logs.lines.find((l) => l.msg === "procedure refused or failed")).toMatchObject({ level: LEVEL.warn, requestId: id, code: "INTERNAL_SERVER_ERROR", ok: false });
  });

  it("a refusal ends with a warning carrying its code and the id, and no line holds the input", async () => {
    session.user = await createUser("subscriber");
    const res = await post("account.changePassword", { currentPassword: "not-the-password-9f3k", newPassword: "a new password 7q2w" });
    expect(res.status).toBe(400);
    const id = requestIdOf(res);
    expect(logs.lines.find((l) => l.msg === "procedure refused or failed")).toMatchObject({ level: LEVEL.warn, requestId: id, path: "account.changePassword", type: "mutation", code: "BAD_REQUEST" });
    const text = JSON.stringify(logs.lines);
    expect(text).not.toContain("not-the-password-9f3k");
    expect(text).not.toContain("a new password 7q2w");
  });

  it("an unauthenticated call is logged with its id too; a caller's plain x-request-id is kept, anything else replaced", async () => {
    const refused = await get("account.me", { "x-request-id": "edge-7f3a.41" });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("x-request-id")).toBe("edge-7f3a.41");
    expect(logs.lines.find((l) => l.msg === "procedure refused or failed")).toMatchObject({ requestId: "edge-7f3a.41", code: "UNAUTHORIZED" });
    const forged = await get("account.me", { "x-request-id": "a b\u0007c" });
    expect(requestIdOf(forged)).not.toContain(" ");
  });

  it("with no trusted proxy, a client's own x-request-id is not taken", async () => {
    proxy.hops = 0;
    try {
      const res = await get("account.me", { "x-request-id": "chosen-by-client" });
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(logs.lines.some((l) => l.requestId === "chosen-by-client")).toBe(false);
    } finally {
      proxy.hops = 1;
    }
  });
});

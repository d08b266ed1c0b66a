/**
 * /api/trpc as the browser meets it, through the real route handler (issue 9, defect 9): every answer carries
 * personal data or depends on who asks (levels of a live signal, subscribe state, the caller's account), so none may
 * be kept by a shared cache or written to disk: `Cache-Control: private, no-store` on reads, writes, errors, batches,
 * streamed batches and the live SSE stream.
 */
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import superjson from "superjson";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import type { SessionUser } from "@/server/api/trpc";
import { resetRateLimits } from "@/server/rate-limit";
import { stopRealtime } from "@/server/services/realtime";

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/server/auth", () => ({
  auth: async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 3_600_000).toISOString() } : null),
}));

const route = await import("./route");

useTestDatabase();
beforeEach(() => {
  resetRateLimits();
  session.user = null;
});
afterAll(() => stopRealtime());

const BASE = "http://localhost:3000/api/trpc";
const input = (value: unknown) => encodeURIComponent(JSON.stringify(superjson.serialize(value)));
const call = (req: Request) => (req.method === "GET" ? route.GET(req as never) : route.POST(req as never));

function expectPrivateNoStore(res: Response) {
  const directives = (res.headers.get("cache-control") ?? "").split(",").map((d) => d.trim().toLowerCase());
  expect(directives).toEqual(expect.arrayContaining(["private", "no-store"]));
}

describe("Cache-Control on /api/trpc", () => {
  it("is private, no-store on a signed-in caller's read", async () => {
    session.user = await createUser("subscriber");
    const res = await call(new Request(`${BASE}/account.me?input=${input(undefined)}`));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(session.user.id);
    expectPrivateNoStore(res);
  });

  it("is private, no-store on a mutation", async () => {
    session.user = await createUser("subscriber");
    const res = await call(
      new Request(`${BASE}/account.updateProfile`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(superjson.serialize({ name: "New Name" })) }),
    );
    expect(res.status).toBe(200);
    expectPrivateNoStore(res);
  });

  it("is private, no-store on a public read too (answers depend on the session cookie) and on errors", async () => {
    const list = await call(new Request(`${BASE}/providers.list?input=${input({ page: 1, pageSize: 12 })}`));
    expect(list.status).toBe(200);
    expectPrivateNoStore(list);
    const refused = await call(new Request(`${BASE}/account.me?input=${input(undefined)}`));
    expect(refused.status).toBe(401);
    expectPrivateNoStore(refused);
  });

  it("is private, no-store on batches, as httpBatchStreamLink sends them (streamed JSON lines) and plain", async () => {
    session.user = await createUser("provider");
    const batch = `${BASE}/account.me,account.notificationPrefs?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: superjson.serialize(undefined), 1: superjson.serialize(undefined) }))}`;
    const streamed = await call(new Request(batch, { headers: { "trpc-accept": "application/jsonl" } }));
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain(session.user.id);
    expectPrivateNoStore(streamed);
    const plain = await call(new Request(batch));
    expect(plain.status).toBe(200);
    expectPrivateNoStore(plain);
  });

  it("is private, no-store on the live SSE stream, which keeps no-transform for proxies", async () => {
    const abort = new AbortController();
    // Anonymous, without a provider: the stream opens and ends at once.
    const res = await call(new Request(`${BASE}/signals.live`, { signal: abort.signal }));
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expectPrivateNoStore(res);
    expect(res.headers.get("cache-control")).toMatch(/no-transform/);
    abort.abort();
    await res.body?.cancel().catch(() => undefined);
  });
});

describe("batch size", () => {
  const batchOf = (n: number) => {
    const paths = Array.from({ length: n }, () => "copy.killAll").join(",");
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, superjson.serialize(undefined)])));
    return new Request(`${BASE}/${paths}?batch=1`, { method: "POST", headers: { "content-type": "application/json" }, body });
  };

  it("refuses a batch of more than 20 calls with a 400 and runs none of them", async () => {
    session.user = await createUser("subscriber");
    const res = await call(batchOf(21));
    expect(res.status).toBe(400);
    const { auditLog } = await import("@/server/db/schema");
    const { db } = await import("@/server/db");
    expect((await db.select().from(auditLog)).filter((a) => a.action.startsWith("copy."))).toEqual([]);
  });

  it("runs a batch of 20", async () => {
    session.user = await createUser("subscriber");
    const res = await call(batchOf(20));
    expect(res.status).toBe(200);
  });
});

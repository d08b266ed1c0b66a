/** The tRPC HTTP layer as browsers meet it: status codes, per-field messages, and no leaked internals. */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { useTestDatabase } from "@/test/db";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { resetRateLimits } from "@/server/rate-limit";
import * as providersService from "@/server/services/providers";

useTestDatabase();
beforeEach(() => resetRateLimits());

async function post(path: string, input: unknown) {
  const req = new Request(`http://localhost/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(superjson.serialize(input)),
  });
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers, session: null }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { json: { message: string; data: Record<string, unknown> } } } };
}

describe("tRPC over HTTP", () => {
  // Sign-up is a form action (src/server/auth/actions.ts), so the public procedures with bad input stand in for it.
  it("answers 400 with per-field messages for bad input", async () => {
    const { status, body } = await post("auth.resetPassword", { token: "short", password: "short" });
    expect(status).toBe(400);
    const fields = body.error!.json.data.fieldErrors as Record<string, string[]>;
    expect(fields.token?.[0]).toMatch(/link is incomplete/);
    expect(fields.password?.[0]).toMatch(/at least 10/);
    expect(body.error!.json.message).toMatch(/link is incomplete|at least 10/);
    const email = await post("auth.requestPasswordReset", { email: "bad" });
    expect(email.status).toBe(400);
    expect((email.body.error!.json.data.fieldErrors as Record<string, string[]>).email?.[0]).toMatch(/valid email/);
    expect(email.body.error!.json.message).toMatch(/valid email/);
  });

  it("answers 401 for protected procedures without a session", async () => {
    const { status, body } = await post("account.updateProfile", { name: "New name" });
    expect(status).toBe(401);
    expect(body.error!.json.message).toBe("Sign in to continue");
  });

  it("hides the detail of unexpected errors", async () => {
    const spy = vi.spyOn(providersService, "listPublicProviders").mockRejectedValueOnce(new Error("connection to 10.0.0.5 refused, password=hunter2"));
    const req = new Request(`http://localhost/api/trpc/providers.list?input=${encodeURIComponent(JSON.stringify(superjson.serialize({ page: 1, pageSize: 12 })))}`);
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: () => createTRPCContext({ headers: req.headers, session: null }),
    });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).toContain("Something went wrong on our side");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("10.0.0.5");
    spy.mockRestore();
  });
});

/**
 * Text input at the tRPC edge (issue 9, defect 3): a NUL byte or another control character (or a broken UTF-16
 * surrogate) anywhere in a procedure's input, in a value or in a key, is a 400 that names the field, checked once
 * for every procedure before its schema runs and long before PostgreSQL ("invalid byte sequence 0x00") would turn
 * it into a 500. Tabs, newlines and any real Unicode text still pass. Nothing is written by a refusal.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { z } from "zod";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { changedTables, tableCounts } from "@/test/tables";
import { appRouter } from "@/server/api/root";
import { createTRPCContext, createTRPCRouter, publicProcedure, type SessionUser } from "@/server/api/trpc";
import { resetRateLimits } from "@/server/rate-limit";
import { logger } from "@/server/logger";

useTestDatabase();
beforeEach(() => resetRateLimits());

interface Answer {
  status: number;
  message: string;
  fieldErrors: Record<string, string[]> | null;
}

async function call(router: typeof appRouter | ReturnType<typeof createTRPCRouter>, path: string, input: unknown, method: "GET" | "POST", user: SessionUser | null = null): Promise<Answer> {
  const serialized = JSON.stringify(superjson.serialize(input));
  const url = method === "GET" ? `http://localhost:3000/api/trpc/${path}?input=${encodeURIComponent(serialized)}` : `http://localhost:3000/api/trpc/${path}`;
  const req = new Request(url, { method, ...(method === "POST" ? { headers: { "content-type": "application/json" }, body: serialized } : {}) });
  const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router, createContext: () => createTRPCContext({ headers: req.headers, session: user ? { user } : null }) });
  const body = (await res.json()) as { error?: { json: { message: string; data: { fieldErrors: Record<string, string[]> | null } } } };
  return { status: res.status, message: body.error?.json.message ?? "", fieldErrors: body.error?.json.data.fieldErrors ?? null };
}
const get = (path: string, input: unknown, user?: SessionUser | null) => call(appRouter, path, input, "GET", user);
const post = (path: string, input: unknown, user?: SessionUser | null) => call(appRouter, path, input, "POST", user);

const profile = { displayName: "Clean Name", tagline: "Trend following", bio: "Ten years of swing trading.", markets: ["crypto"] };

describe("a control character in any text input", () => {
  it("is a 400 naming the field on every kind of endpoint, and writes nothing", async () => {
    const provider = await createUser("provider");
    const admin = await createUser("admin");
    const trader = await createUser("subscriber");
    const before = await tableCounts();
    const cases: [string, () => Promise<Answer>, string, RegExp][] = [
      ["signals.byId (GET, NUL in an id)", () => get("signals.byId", { id: "sig\u0000" }), "id", /Id contains a control character \(U\+0000\)/],
      ["providers.leaderboard (search)", () => get("providers.leaderboard", { q: "momentum\u0000" }), "q", /control character/],
      ["providers.list (search)", () => get("providers.list", { q: "\u0000" }), "q", /control character/],
      ["providers.updateMine (bio)", () => post("providers.updateMine", { ...profile, bio: "Bio\u0000" }, provider), "bio", /Bio contains a control character/],
      ["providers.updateMine (display name, U+0007)", () => post("providers.updateMine", { ...profile, displayName: "Ding\u0007" }, provider), "displayName", /Display name contains a control character \(U\+0007\)/],
      ["apiKeys.create (name)", () => post("apiKeys.create", { name: "key\u0000" }, provider), "name", /control character/],
      ["admin.users (search)", () => get("admin.users", { q: "a\u0000b" }, admin), "q", /control character/],
      ["account.updateProfile (C1 control U+009B)", () => post("account.updateProfile", { name: "Ann\u009bLee" }, trader), "name", /control character \(U\+009B\)/],
      ["account.updateProfile (DEL)", () => post("account.updateProfile", { name: "Ann\u007fLee" }, trader), "name", /control character \(U\+007F\)/],
      ["account.updateProfile (unpaired surrogate)", () => post("account.updateProfile", { name: "Ann\ud800" }, trader), "name", /Name contains an invalid character \(U\+D800\)/],
      ["signals.publish (NUL in a nested field)", () => post("signals.publish", { symbol: "BTC/USDT", side: "long", takeProfits: [{ price: "34000\u0000", share: "1" }] }, provider), "takeProfits", /Price contains a control character/],
      ["account.updateProfile (NUL in a key)", () => post("account.updateProfile", { name: "Ann Lee", ["x\u0000"]: "1" }, trader), "x\u0000", /A field name contains a control character/],
    ];
    const got: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [name, run, field, message] of cases) {
      const a = await run();
      got[name] = { status: a.status, message: a.message, fields: Object.keys(a.fieldErrors ?? {}) };
      want[name] = { status: 400, message: expect.stringMatching(message), fields: [field] };
    }
    expect(got).toEqual(want);
    expect(changedTables(before, await tableCounts())).toEqual({});
  });

  it("lets tabs, newlines and real Unicode through", async () => {
    const provider = await createUser("provider");
    const a = await post("providers.updateMine", { ...profile, displayName: "Zoë Ångström 🚀", bio: "Line one\n\tLine two\r\nمرحبا 你好 𝔘𝔫𝔦𝔠𝔬𝔡𝔢" }, provider);
    expect(a.status).toBe(200);
    expect((await get("providers.leaderboard", { q: "Zoë 🚀" })).status).toBe(200);
  });
});

describe("an input parser that throws something other than a validation error", () => {
  it("answers 400 with a sentence for people, not the library's message", async () => {
    const router = createTRPCRouter({
      echo: publicProcedure
        .input(
          z.object({ v: z.string() }).transform((x) => {
            throw new Error(`[DecimalError] Invalid argument: ${x.v}`);
          }),
        )
        .mutation(() => "unreachable"),
    });
    const a = await call(router, "echo", { v: "abc" }, "POST");
    expect(a.status).toBe(400);
    expect(a.message).not.toMatch(/DecimalError|abc/);
    expect(a.message).toMatch(/not valid/);
  });

  it("answers 400 with the same sentence for a superjson payload it cannot read (a bigint that is not a number)", async () => {
    const raw = JSON.stringify({ json: { id: "abc" }, meta: { values: { id: ["bigint"] } } });
    const req = new Request(`http://localhost:3000/api/trpc/signals.byId?input=${encodeURIComponent(raw)}`);
    const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createTRPCContext({ headers: req.headers, session: null }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { json: { message: string } } }).error.json.message).toBe("That input is not valid. Check the fields and try again.");
  });

  it("logs what failed and where, never the input: a password a parser echoes stays out of the log", async () => {
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    try {
      const user = await createUser("subscriber");
      const raw = JSON.stringify({ json: { currentPassword: "hunter2-secret-value", newPassword: "another secret value" }, meta: { values: { currentPassword: ["bigint"] } } });
      const req = new Request("http://localhost:3000/api/trpc/account.changePassword", { method: "POST", headers: { "content-type": "application/json" }, body: raw });
      const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createTRPCContext({ headers: req.headers, session: { user } }) });
      expect(res.status).toBe(400);
      expect(warn).toHaveBeenCalled();
      const logged = JSON.stringify(warn.mock.calls, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v));
      expect(logged).toContain("account.changePassword");
      expect(logged).not.toContain("hunter2");
    } finally {
      warn.mockRestore();
    }
  });
});

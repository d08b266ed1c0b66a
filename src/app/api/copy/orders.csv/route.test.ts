/**
 * GET /api/copy/orders.csv: the session's own orders as an attachment; 401 for visitors; 400 for bad filters.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { newProvider } from "@/test/signals";
import type { SessionUser } from "@/server/api/trpc";
import { copyOrders } from "@/server/db/schema";

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/server/auth", () => ({
  auth: async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 3_600_000).toISOString() } : null),
}));

const route = await import("./route");
const t = useTestDatabase();
beforeEach(() => {
  session.user = null;
});

const URL_ = "http://localhost:3000/api/copy/orders.csv";

describe("GET /api/copy/orders.csv", () => {
  it("answers 401 to a visitor", async () => {
    const res = await route.GET(new Request(URL_));
    expect(res.status).toBe(401);
    expect(res.headers.get("cache-control")).toContain("no-store");
  });

  it("downloads the signed-in user's orders only, filtered, as text/csv", async () => {
    const p = await newProvider();
    const me = await createUser("subscriber");
    const other = await createUser("subscriber");
    const base = { providerId: p.provider.id, venue: "paper", symbol: "BTC/USDT", side: "buy" as const, quantity: "0.1" };
    await t.db.insert(copyOrders).values([
      { ...base, clientOrderId: "a", userId: me.id, leg: "entry", status: "filled", fillPrice: "30000.12345678" },
      { ...base, clientOrderId: "b", userId: me.id, leg: "entry", status: "skipped", reason: "=cmd()" },
      { ...base, clientOrderId: "c", userId: other.id, leg: "entry", status: "filled" },
    ]);
    session.user = me;
    const res = await route.GET(new Request(URL_));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="tradsy-copy-orders-\d{4}-\d\d-\d\d\.csv"$/);
    const body = await res.text();
    const lines = body.trim().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(body).toContain(",30000.12345678,");
    expect(body).toContain(",'=cmd(),");
    expect(body).not.toMatch(/,c,/);

    const filtered = await (await route.GET(new Request(`${URL_}?status=skipped`))).text();
    expect(filtered.trim().split("\r\n")).toHaveLength(2);
    const bad = await route.GET(new Request(`${URL_}?leg=exit`));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { message: "Leg must be one of entry, tp, stop, close, manual" } });
  });
});

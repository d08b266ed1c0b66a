/**
 * GET /api/admin/audit.csv: admins only (in production, with two-factor sign-in on), the page's filters, and cells a
 * spreadsheet cannot run as formulas.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import type { SessionUser } from "@/server/api/trpc";
import { auditLog, users } from "@/server/db/schema";
import { recordAudit } from "@/server/services/audit";

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/server/auth", () => ({
  auth: async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 3_600_000).toISOString() } : null),
}));
const { GET } = await import("./route");

const t = useTestDatabase();
const setEnv = useEnvOverrides();
beforeEach(() => {
  session.user = null;
});

const get = (query = "") => GET(new Request(`http://localhost/api/admin/audit.csv${query}`));

/** Parses the CSV this route writes (RFC 4180 quoting, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    }
    else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return rows;
}

async function seed() {
  const admin = await createUser("admin");
  const ana = await createUser("subscriber", { email: "ana@example.com" });
  await t.db.delete(auditLog); // the sign-ups' own rows
  await recordAudit(t.db, { actorId: ana.id, action: "api_key.created", targetType: "api_key", targetId: "=HYPERLINK(\"http://evil\")", data: { name: "+cmd|' /C calc'!A0" }, ip: "198.51.100.5", userAgent: "@SUM(1+1)" });
  await recordAudit(t.db, { actorId: ana.id, action: "user.signed_in", ip: "198.51.100.5", userAgent: "Mozilla/5.0 Firefox/133.0" });
  await recordAudit(t.db, { actorId: admin.id, action: "admin.role_changed", targetType: "user", targetId: ana.id, data: { from: "subscriber", to: "provider" }, ip: "-1+1" });
  await t.db.update(auditLog).set({ createdAt: new Date("2026-01-10T12:00:00Z") }).where(eq(auditLog.action, "admin.role_changed"));
  return { admin, ana };
}

describe("GET /api/admin/audit.csv", () => {
  it("answers 401 to a visitor and 403 to a signed-in non-admin", async () => {
    const { ana } = await seed();
    expect((await get()).status).toBe(401);
    session.user = { id: ana.id, role: "subscriber", email: ana.email };
    expect((await get()).status).toBe(403);
    // A session still saying admin after the role was taken away: the role is read fresh.
    session.user = { id: ana.id, role: "admin", email: ana.email };
    expect((await get()).status).toBe(403);
  });

  it("in production, refuses an admin without two-factor sign-in and serves one with it", async () => {
    const { admin } = await seed();
    session.user = admin;
    setEnv("NODE_ENV", "production");
    const refused = await get();
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/two-factor/);
    await t.db.update(users).set({ totpEnabledAt: new Date() }).where(eq(users.id, admin.id));
    expect((await get()).status).toBe(200);
  });

  it("exports every entry newest first with IP and user agent, and no cell a spreadsheet would run", async () => {
    const { admin } = await seed();
    session.user = admin;
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="tradsy-audit-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("x-export-rows")).toBe("3");
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(["time_utc", "actor_email", "action", "target_type", "target_id", "ip", "user_agent", "data"]);
    expect(rows.slice(1).map((r) => r[2])).toEqual(["admin.role_changed", "user.signed_in", "api_key.created"]);
    const key = rows.find((r) => r[2] === "api_key.created")!;
    expect(key[1]).toBe("ana@example.com");
    expect(key[4]).toBe("'=HYPERLINK(\"http://evil\")");
    expect(key[5]).toBe("198.51.100.5");
    expect(key[6]).toBe("'@SUM(1+1)");
    expect(JSON.parse(key[7]!)).toEqual({ name: "+cmd|' /C calc'!A0" }); // starts with "{": nothing to run
    expect(rows.find((r) => r[2] === "admin.role_changed")![5]).toBe("'-1+1");
    for (const r of rows.slice(1)) for (const cell of r.slice(1)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("takes the page's filters: actor, action and UTC days", async () => {
    const { admin } = await seed();
    session.user = admin;
    const actions = async (q: string) => parseCsv(await (await get(q)).text()).slice(1).map((r) => r[2]);
    expect(await actions("?actor=ANA@example.com")).toEqual(["user.signed_in", "api_key.created"]);
    expect(await actions("?action=user.signed_in")).toEqual(["user.signed_in"]);
    expect(await actions("?from=2026-01-10&to=2026-01-10")).toEqual(["admin.role_changed"]);
    expect(await actions("?to=2026-01-09")).toEqual([]);
    expect((await get("?action=%00")).status).toBe(400);
  });
});

import { describe, expect, it } from "vitest";
import { auditHref, parseAuditFilters } from "./audit-filters";

describe("audit log filters in the URL", () => {
  it("read the actor, the action and a range of UTC days (both included)", () => {
    expect(parseAuditFilters({ actor: " Ana@Example.com ", action: "user.role_changed", from: "2026-01-01", to: "2026-01-31" })).toEqual({
      actor: "ana@example.com",
      action: "user.role_changed",
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2026-02-01T00:00:00Z"),
    });
    expect(parseAuditFilters({})).toEqual({});
  });

  it("drop what is malformed rather than fail the page", () => {
    expect(parseAuditFilters({ from: "2026-02-30", to: "yesterday", action: "\u0000", actor: ["", "x"] })).toEqual({});
  });

  it("make the URL back from the filters", () => {
    const url = "/admin/audit?actor=ana%40example.com&action=user.signed_in&from=2026-01-01&to=2026-01-31&page=2";
    const filters = parseAuditFilters(Object.fromEntries(new URL(url, "http://x").searchParams));
    expect(auditHref(filters, 2)).toBe(url);
    expect(auditHref({}, 1)).toBe("/admin/audit");
  });
});

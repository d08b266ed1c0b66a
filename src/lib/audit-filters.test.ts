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
    // Real days outside what an audit row can carry: a year-10000 bound would reach the database as an error (a 500).
    expect(parseAuditFilters({ from: "0000-01-01", to: "9999-12-31" })).toEqual({});
    expect(parseAuditFilters({ from: "1969-12-31" })).toEqual({});
    expect(parseAuditFilters({ from: "1970-01-01", to: "9998-12-31" })).toEqual({
      from: new Date(0),
      to: new Date(Date.UTC(9999, 0, 1)),
    });
  });

  it("make the URL back from the filters", () => {
    const url = "/admin/audit?actor=ana%40example.com&action=user.signed_in&from=2026-01-01&to=2026-01-31&page=2";
    const filters = parseAuditFilters(Object.fromEntries(new URL(url, "http://x").searchParams));
    expect(auditHref(filters, 2)).toBe(url);
    expect(auditHref({}, 1)).toBe("/admin/audit");
  });
});

import { describe, expect, it } from "vitest";
import { ADMIN_NAV, navFor } from "./nav";

const hrefs = (items: { href: string }[]) => items.map((i) => i.href);

describe("the signed-in menu", () => {
  it("offers every role the marketplace", () => {
    for (const role of ["subscriber", "provider", "admin"] as const) {
      expect(navFor(role)).toContainEqual({ href: "/providers", label: "Marketplace", icon: "store" });
    }
  });

  it("gives providers their own tools, traders their subscriptions, and admins the way into the admin area", () => {
    expect(hrefs(navFor("provider"))).toEqual(["/dashboard", "/signals", "/subscribers", "/revenue", "/lab/runs", "/providers", "/strategies", "/lab", "/copy", "/copy/connections", "/settings", "/settings/security"]);
    expect(hrefs(navFor("subscriber"))).toEqual(["/dashboard", "/providers", "/strategies", "/lab", "/subscriptions", "/copy", "/copy/connections", "/settings", "/settings/security"]);
    expect(hrefs(navFor("admin"))).toContain("/admin");
    expect(hrefs(ADMIN_NAV)[0]).toBe("/admin");
  });
});

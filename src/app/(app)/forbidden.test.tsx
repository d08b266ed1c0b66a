/**
 * The 403 pages say whom the page is for, what the signed-in account is, and the way forward for that account
 * (the provider-only pages inside the app's shell, the admin area at the root).
 */
import { describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import type { UserRoleName } from "@/lib/labels";

const as = vi.hoisted(() => ({ role: "subscriber" as UserRoleName }));
vi.mock("@/server/auth", () => ({
  auth: async () => ({ user: { id: "usr_test", email: "someone@example.com", role: as.role, onboarded: true } }),
}));

const { default: ProviderPageForbidden } = await import("./forbidden");
const { default: AdminAreaForbidden } = await import("../forbidden");

async function render(page: () => Promise<React.JSX.Element>, role: UserRoleName): Promise<string> {
  as.role = role;
  return renderToStaticMarkup(await page());
}
/** The links of the notice, as "label -> href". */
const links = (html: string) => [...html.matchAll(/<a[^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => `${m[2]} -> ${m[1]}`);

describe("the 403 pages", () => {
  it("tell a trader on a provider's page it is for providers, and send them to their dashboard or the marketplace", async () => {
    const html = await render(ProviderPageForbidden, "subscriber");
    expect(html).toContain(">403<");
    expect(html).toMatch(/<h1[^>]*>This page is for signal providers<\/h1>/);
    expect(html).toContain("signed in with a trader account");
    expect(links(html)).toEqual(["Go to your dashboard -> /dashboard", "Browse the marketplace -> /providers"]);
  });

  it("send an admin on a provider's page to the admin overview", async () => {
    const html = await render(ProviderPageForbidden, "admin");
    expect(html).toContain("signed in with an admin account");
    expect(links(html)).toEqual(["Go to the admin overview -> /admin", "Go to your dashboard -> /dashboard"]);
  });

  it("tell a provider in the admin area it is for administrators, with the way to their dashboard", async () => {
    const html = await render(AdminAreaForbidden, "provider");
    expect(html).toMatch(/<h1[^>]*>This page is for administrators<\/h1>/);
    expect(html).toContain("signed in with a provider account");
    expect(links(html)).toEqual(expect.arrayContaining(["Go to your dashboard -> /dashboard", "Browse the marketplace -> /providers"]));
  });
});

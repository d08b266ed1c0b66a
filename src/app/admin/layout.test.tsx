/**
 * The admin area in development: an admin without two-factor sign-in is told, on every admin page, that production
 * would refuse them (there requireAdmin sends them to turn it on instead, so no banner is needed).
 */
import { describe, expect, it, vi } from "vitest";
import { isValidElement, type ReactElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";

const as = vi.hoisted(() => ({ twoFactorEnabled: false, nodeEnv: "development" }));
vi.mock("@/server/auth/guards", () => ({
  requireAdmin: async () => ({ id: "usr_admin", email: "admin@example.com", role: "admin", onboarded: true, emailVerified: true, twoFactorEnabled: as.twoFactorEnabled }),
}));
vi.mock("@/server/auth/sign-out", () => ({ signOutAction: async () => undefined }));
vi.mock("@/env", () => ({
  env: new Proxy({}, { get: (_, key) => (key === "NODE_ENV" ? as.nodeEnv : undefined) }),
}));

const { default: AdminLayout } = await import("./layout");

/** What the layout puts above the page (the shell itself needs the router, so only its children are rendered). */
async function aboveThePage(): Promise<string> {
  const shell = (await AdminLayout({ children: <p>page</p> })) as ReactElement<{ children: ReactNode }>;
  const children = ([] as ReactNode[]).concat(shell.props.children).filter(isValidElement);
  return renderToStaticMarkup(<>{children}</>);
}

describe("admin layout's two-factor banner", () => {
  it("asks an admin without two-factor sign-in to turn it on, with a link to Security settings, outside production", async () => {
    as.twoFactorEnabled = false;
    as.nodeEnv = "development";
    const html = await aboveThePage();
    expect(html).toContain("Turn on two-factor sign-in: in production the admin area requires it");
    expect(html).toContain('href="/settings/security"');
    expect(html).toContain("<p>page</p>");
  });

  it("is not shown once it is on, nor in production (where the guard refuses instead)", async () => {
    as.twoFactorEnabled = true;
    as.nodeEnv = "development";
    expect(await aboveThePage()).not.toContain("Turn on two-factor sign-in");
    as.twoFactorEnabled = false;
    as.nodeEnv = "production";
    expect(await aboveThePage()).not.toContain("Turn on two-factor sign-in");
  });
});

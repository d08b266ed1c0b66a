/**
 * The `setup` project: signs each seeded demo account in once, through the sign-in form, and saves its browser
 * state for the journeys (`storageState(role)` in fixtures.ts), so they start signed in instead of each signing in
 * again. Journeys about new accounts still sign up through the form.
 *
 * The demo admin (issue 17): the production build refuses the admin area to an admin without two-factor sign-in.
 * The admin's one setup test first checks that refusal (the seeded admin has no 2FA on a fresh server), then turns
 * 2FA on through Settings → Security, keeps the secret in e2e/.auth/admin-totp.json (gitignored) for later
 * sign-ins (fixtures.ts `signIn`), and saves the state of a sign-in made with password and code. One test, so the
 * refusal is always checked before the enrolment that ends it.
 */
import fs from "node:fs";
import path from "node:path";
import {
  DEMO,
  type DemoRole,
  expect,
  enrolTwoFactor,
  freshCode,
  readAdminAuthenticator,
  saveAdminAuthenticator,
  signIn,
  signOut,
  storageState,
  submitCode,
  submitPassword,
  test as setup,
} from "./fixtures";

/**
 * The server answers its readiness check (/providers) before its start-up work is done: for about a minute after,
 * on a busy two-core machine, a page's scripts can take 15 s each and the first sign-in's page load times out.
 * Wait until a page and one of its scripts come back quickly.
 */
setup.beforeAll(async ({ request }) => {
  setup.setTimeout(180_000);
  const deadline = Date.now() + 150_000;
  let quick = 0;
  while (quick < 2 && Date.now() < deadline) {
    const started = Date.now();
    // A busy server may also drop a kept-alive connection (ECONNRESET): that is one more slow answer, not a failure.
    const ok = await request
      .get("/signin", { timeout: 60_000 })
      .then((res) => res.text())
      .then((html) => /\/_next\/static\/[^"]+\.js/.exec(html)?.[0])
      .then((script) => (script ? request.get(script, { timeout: 60_000 }).then((res) => res.ok()) : false))
      .catch(() => false);
    quick = ok && Date.now() - started < 2_000 ? quick + 1 : 0;
  }
});

for (const role of ["provider", "trader"] as const satisfies DemoRole[]) {
  setup(`sign in as the demo ${role}`, async ({ page }) => {
    fs.mkdirSync(path.dirname(storageState(role)), { recursive: true });
    await signIn(page, DEMO[role].email, DEMO[role].password);
    await page.context().storageState({ path: storageState(role) });
  });
}

setup("the demo admin is refused the admin area without 2FA, turns it on and signs in with a code", async ({ page }) => {
  setup.setTimeout(120_000);
  fs.mkdirSync(path.dirname(storageState("admin")), { recursive: true });
  const { email, password } = DEMO.admin;

  const first = await submitPassword(page, email, password);
  if (first === "code") {
    // A server reused from an earlier run (reuseExistingServer, outside CI): the admin enrolled then, so the
    // refusal cannot be seen again; the earlier run's secret signs in.
    const auth = readAdminAuthenticator();
    if (!auth) throw new Error("the demo admin already has 2FA but e2e/.auth/admin-totp.json is missing: restart the e2e server");
    setup.info().annotations.push({ type: "note", description: "reused server: the admin already had 2FA; refusal not rechecked" });
    const { code } = await freshCode(auth);
    saveAdminAuthenticator(auth);
    await submitCode(page, code);
    await expect(page).toHaveURL((url) => url.pathname === "/admin");
  } else {
    // Signed in with the password alone, the admin is sent from the admin area to turn 2FA on.
    await expect(page).toHaveURL((url) => url.pathname === "/settings/security" && url.searchParams.get("required") === "admin");
    for (const adminPath of ["/admin", "/admin/users"]) {
      await page.goto(adminPath);
      await expect(page, `${adminPath} without 2FA`).toHaveURL((url) => url.pathname === "/settings/security" && url.searchParams.get("required") === "admin");
    }
    // The admin API refuses too (adminProcedure), not only the pages.
    const refused = await page.request.get("/api/trpc/admin.overview");
    expect(refused.status(), "admin.overview without 2FA").toBe(403);
    expect(await refused.text()).toContain("Turn on two-factor sign-in to use the admin area");

    const { authenticator } = await enrolTwoFactor(page);
    saveAdminAuthenticator(authenticator);
    await signOut(page);
    await signIn(page, email, password, "/admin", authenticator);
    saveAdminAuthenticator(authenticator);
    expect((await page.request.get("/api/trpc/admin.overview")).status(), "admin.overview with 2FA").toBe(200);
  }
  await expect(page.getByRole("heading", { level: 1, name: "Admin overview" })).toBeVisible();
  await page.context().storageState({ path: storageState("admin") });
});

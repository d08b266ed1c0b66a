/**
 * Issue 11, small things: each role starts where its work is and finds its way (the admin lands on the admin
 * overview, the provider's menu reaches the marketplace), an unknown outbox email is a 404, and the admin's users
 * list fits a phone. The 403 pages are checked in auth.spec.ts (admin area) and signals.spec.ts (provider page), and
 * here for the jobs page (issue 12): an admin reaches it from the admin menu, a trader or provider gets the 403 page,
 * a visitor is sent to sign in, and an unknown run is a 404.
 */
import { DEMO, expect, expectPath, signIn, storageState, test } from "../fixtures";

test("the admin signs in and lands on the admin overview", async ({ page }) => {
  await signIn(page, DEMO.admin.email, DEMO.admin.password, "/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Admin overview" })).toBeVisible();
});

test.describe("the demo provider", () => {
  test.use({ storageState: storageState("provider") });

  test("reaches the marketplace from the menu", async ({ page }) => {
    await page.goto("/dashboard");
    await page.getByRole("navigation", { name: "Main", exact: true }).getByRole("link", { name: "Marketplace" }).click();
    await expectPath(page, "/providers");
  });
});

test.describe("the demo admin", () => {
  test.use({ storageState: storageState("admin") });

  test("gets a 404 for an outbox email that does not exist, inside the admin area", async ({ page }) => {
    for (const id of ["eml_00000000000000000000", "x".repeat(80)]) {
      const response = await page.goto(`/admin/emails/${id}`);
      expect(response?.status(), id).toBe(404);
      await expect(page.getByRole("heading", { name: "Email not found" })).toBeVisible();
      await expect(page.getByRole("navigation", { name: "Admin", exact: true })).toBeVisible();
    }
  });

  test("reads the users list on a phone as cards, without sideways scrolling", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/admin/users");
    const cards = page.getByTestId("user-card");
    await expect(cards.first()).toBeVisible();
    await expect(page.getByRole("table")).toBeHidden();
    await expect(cards.filter({ hasText: DEMO.trader.email }).getByRole("button", { name: `Change role for ${DEMO.trader.email}` })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

test.describe("the admin jobs page", () => {
  test.describe("as the demo admin", () => {
    test.use({ storageState: storageState("admin") });

    test("is in the admin menu, lists runs by status and shows the scheduled jobs", async ({ page }) => {
      await page.goto("/admin");
      await page.getByRole("navigation", { name: "Admin", exact: true }).getByRole("link", { name: "Jobs" }).click();
      await expectPath(page, "/admin/jobs");
      await expect(page.getByRole("heading", { level: 1, name: "Jobs" })).toBeVisible();
      await expect(page.getByRole("navigation", { name: "Runs by status" }).getByRole("link", { name: /^All/ })).toHaveAttribute("aria-current", "page");
      await expect(page.getByRole("heading", { name: "Scheduled jobs" })).toBeVisible();
      await expect(page.getByRole("table", { name: "Scheduled jobs" }).getByText("price-monitor", { exact: true })).toBeVisible();
      // A status tab narrows the list and keeps its place in the URL; a malformed status is no filter.
      await page.getByRole("navigation", { name: "Runs by status" }).getByRole("link", { name: /^Failed/ }).click();
      await expect(page).toHaveURL(/\/admin\/jobs\?status=failed$/);
      await expect(page.getByRole("navigation", { name: "Runs by status" }).getByRole("link", { name: /^Failed/ })).toHaveAttribute("aria-current", "page");
      const response = await page.goto("/admin/jobs?status=nonsense&job=%00");
      expect(response?.status()).toBe(200);
      await expect(page.getByRole("navigation", { name: "Runs by status" }).getByRole("link", { name: /^All/ })).toHaveAttribute("aria-current", "page");
    });

    test("gets a 404 for a run that does not exist, inside the admin area", async ({ page }) => {
      for (const id of ["run_00000000000000000000", "not-a-run"]) {
        const response = await page.goto(`/admin/jobs/${id}`);
        expect(response?.status(), id).toBe(404);
        await expect(page.getByRole("heading", { name: "Run not found" })).toBeVisible();
        await expect(page.getByRole("navigation", { name: "Admin", exact: true })).toBeVisible();
      }
    });
  });

  for (const role of ["trader", "provider"] as const) {
    test.describe(`as the demo ${role}`, () => {
      test.use({ storageState: storageState(role) });

      test("answers the 403 page, for the list and for a run", async ({ page }) => {
        for (const path of ["/admin/jobs", "/admin/jobs/run_00000000000000000000"]) {
          const response = await page.goto(path);
          expect(response?.status(), path).toBe(403);
          await expect(page.getByRole("heading", { level: 1, name: "This page is for administrators" })).toBeVisible();
          await expect(page.getByRole("heading", { name: "Scheduled jobs" })).toHaveCount(0);
        }
      });
    });
  }

  test("sends a visitor to sign in", async ({ page }) => {
    await page.goto("/admin/jobs");
    await expectPath(page, "/signin");
  });
});

/**
 * Issue 11, small things: each role starts where its work is and finds its way (the admin lands on the admin
 * overview, the provider's menu reaches the marketplace), an unknown outbox email is a 404, and the admin's users
 * list fits a phone. The 403 pages are checked in auth.spec.ts (admin area) and signals.spec.ts (provider page).
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

/**
 * Account journeys: sign-up (both roles), sign-in, sign-out, the provider's first API key, the public provider
 * directory, and who is sent where when a page is not for them.
 *
 * Every test that signs up uses a fresh address. Sign-up is rate limited per client address (10 an hour), which a
 * whole run, with its one CI retry, stays well under.
 */
import {
  disclaimerCheckbox,
  expect,
  expectDashboard,
  expectPath,
  fillSignUp,
  newAccount,
  passwordField,
  signIn,
  signOut,
  signUp,
  termsCheckbox,
  test,
} from "../fixtures";

test.describe("trader account", () => {
  test("signs up, signs out and signs back in", async ({ page }) => {
    const trader = newAccount("trader");
    await signUp(page, trader);

    await signOut(page);
    // Signed out for real: the dashboard now sends us to sign in.
    await page.goto("/dashboard");
    await expectPath(page, "/signin");

    await signIn(page, trader.email, trader.password);
    await expectDashboard(page);
  });

  test("sign-up without the disclaimer and with a short password shows why and stays put", async ({ page }) => {
    const trader = { ...newAccount("trader"), password: "short" };
    await fillSignUp(page, trader, { accept: false });
    await termsCheckbox(page).check(); // only the disclaimer is missing
    await page.getByRole("button", { name: "Create account" }).click();

    const passwordError = page.getByRole("alert").filter({ hasText: /at least 10 characters/i });
    const disclaimerError = page.getByRole("alert").filter({ hasText: /risk disclaimer/i });
    await expect(passwordError).toBeVisible();
    await expect(disclaimerError).toBeVisible();
    await expect(page.getByRole("alert").filter({ hasText: /terms of service/i })).toHaveCount(0);

    // Each message belongs to its field, so a screen reader announces it there.
    await expect(passwordField(page)).toHaveAttribute("aria-invalid", "true");
    await expect(passwordField(page)).toHaveAccessibleDescription(/at least 10 characters/i);
    await expect(disclaimerCheckbox(page)).toHaveAccessibleDescription(/risk disclaimer/i);

    await expectPath(page, "/signup");
    // No account was made: signing in with what was typed fails.
    await page.goto("/signin");
    await page.getByRole("textbox", { name: "Email" }).fill(trader.email);
    await passwordField(page).fill(trader.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Next.js's route announcer is also role=alert (empty): look for the form's own message.
    await expect(page.getByRole("alert").filter({ hasText: /do not match/i })).toBeVisible();
    await expectPath(page, "/signin");
  });
});

test.describe("provider account", () => {
  test("creates an API key that is shown once", async ({ page }) => {
    const provider = newAccount("provider");
    await signUp(page, provider);

    await page.goto("/settings");
    await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
    const keyName = `CI bot ${Date.now().toString(36)}`;
    await page.getByRole("textbox", { name: "Key name" }).fill(keyName);
    await page.getByRole("button", { name: "Create key" }).click();

    const newKey = page.getByTestId("new-api-key");
    await expect(newKey).toHaveText(/^\s*tsk_[0-9a-z]{32}/);
    const fullKey = /tsk_[0-9a-z]{32}/.exec((await newKey.textContent()) ?? "")?.[0];
    expect(fullKey, "the new key is on the page").toBeTruthy();

    const keyRow = page.getByRole("row").or(page.getByRole("listitem")).filter({ hasText: keyName });
    await expect(keyRow).toHaveCount(1);
    await expect(keyRow.getByRole("button", { name: "Revoke" })).toBeVisible();

    await page.reload();
    await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
    await expect(page.getByTestId("new-api-key")).toHaveCount(0);
    await expect(keyRow).toHaveCount(1);
    // Only the prefix remains to tell keys apart; the secret itself is never shown again.
    await expect(keyRow).toContainText(fullKey!.slice(0, 12));
    await expect(page.locator("body")).not.toContainText(fullKey!);
    expect(await page.content()).not.toContain(fullKey!);
  });
});

test.describe("provider directory", () => {
  test("lists the demo providers and opens a profile", async ({ page }) => {
    await page.goto("/providers");
    // A card is a list item linking to a profile (the market filters link to /providers?market=…, not /providers/…).
    const cards = page
      .getByRole("main")
      .getByRole("listitem")
      .filter({ has: page.locator('a[href^="/providers/"]') });
    await expect(cards.first()).toBeVisible();
    expect(await cards.count(), "provider cards on the first page").toBeGreaterThanOrEqual(12);

    const firstLink = cards.first().locator('a[href^="/providers/"]').first();
    const href = (await firstLink.getAttribute("href")) ?? "";
    const name = ((await firstLink.textContent()) ?? "").trim();
    expect(href).toMatch(/^\/providers\/[a-z0-9-]+$/);
    await firstLink.click();
    await expectPath(page, href);
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();

    // A seeded demo provider (src/server/services/seed/demo-providers.ts) by its slug. Newest providers list first,
    // so it may be on a later page once tests have signed providers up.
    await page.goto("/providers/northwind-trend");
    await expect(page.getByRole("heading", { level: 1, name: "Northwind Trend" })).toBeVisible();
  });
});

test.describe("access", () => {
  test("an anonymous visitor is sent from the dashboard to sign in", async ({ page }) => {
    await page.goto("/dashboard");
    await expectPath(page, "/signin");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });

  test("a trader in the admin area gets a 403 page with the way to their dashboard", async ({ page }) => {
    await signUp(page, newAccount("trader"));
    const response = await page.goto("/admin");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1, name: "This page is for administrators" })).toBeVisible();
    await page.getByRole("main").getByRole("link", { name: "Go to your dashboard" }).click();
    await expectDashboard(page);
  });
});

/**
 * Shared steps for the journeys: fresh identities and the sign-up / sign-in / sign-out moves, written against the
 * pages' accessible names (labels, roles), the way a person or a screen reader finds them; and the seeded demo
 * accounts, signed in once per run by the `setup` project (auth.setup.ts), whose saved sessions the journeys reuse.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Decimal from "decimal.js";
import { expect, type Page } from "@playwright/test";

export { expect, test } from "@playwright/test";

/** The seeded demo accounts (README, "Demo accounts"). */
export const DEMO = {
  admin: { email: "admin@tradsy.dev", password: "tradsy-admin-demo" },
  provider: { email: "provider@tradsy.dev", password: "tradsy-provider-demo" },
  trader: { email: "trader@tradsy.dev", password: "tradsy-trader-demo" },
} as const;
export type DemoRole = keyof typeof DEMO;

/**
 * Where the setup project saves each demo account's signed-in browser state (cookies), for `test.use({ storageState })`
 * or `browser.newContext({ storageState })`. Written afresh every run (gitignored): the sessions belong to that run's
 * server and its secret.
 */
export const storageState = (role: DemoRole): string =>
  path.join(path.dirname(fileURLToPath(import.meta.url)), ".auth", `${role}.json`);

/** A password that passes the sign-up rules (at least 10 characters). */
export const PASSWORD = "correct-horse-battery";

/** A never-used address, so tests stay independent of each other and of earlier runs against a reused server. */
export function uniqueEmail(tag = "user"): string {
  return `e2e-${tag}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}@example.com`;
}

export type Role = "trader" | "provider";

export interface Account {
  role: Role;
  name: string;
  email: string;
  password: string;
}

export function newAccount(role: Role, name = role === "provider" ? "E2E Signals" : "E2E Trader"): Account {
  return { role, name: `${name} ${randomBytes(2).toString("hex")}`, email: uniqueEmail(role), password: PASSWORD };
}

const ROLE_LABEL: Record<Role, string> = { trader: "I'm a trader", provider: "I'm a signal provider" };

export const disclaimerCheckbox = (page: Page) =>
  page.getByRole("checkbox", { name: /^I have read and accept the risk disclaimer/ });
export const termsCheckbox = (page: Page) => page.getByRole("checkbox", { name: /^I accept the terms of service/ });
// A password input has no ARIA role, so it is found by its label.
export const passwordField = (page: Page) => page.getByLabel("Password", { exact: true });

/** Fills the sign-up form; `accept: false` leaves both consent boxes unticked. */
export async function fillSignUp(page: Page, account: Account, { accept = true } = {}): Promise<void> {
  await page.goto("/signup");
  await page.getByRole("radio", { name: ROLE_LABEL[account.role] }).check();
  await page.getByRole("textbox", { name: "Name" }).fill(account.name);
  await page.getByRole("textbox", { name: "Email" }).fill(account.email);
  await passwordField(page).fill(account.password);
  if (accept) {
    await disclaimerCheckbox(page).check();
    await termsCheckbox(page).check();
  }
}

/** Waits until the page is at `pathname` (any query string), e.g. after a redirect. */
export async function expectPath(page: Page, pathname: string): Promise<void> {
  await expect(page).toHaveURL((url) => url.pathname === pathname);
}

export async function expectDashboard(page: Page): Promise<void> {
  await expectPath(page, "/dashboard");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
}

/** Signs up through the form and waits for the dashboard. */
export async function signUp(page: Page, account: Account): Promise<void> {
  await fillSignUp(page, account);
  await page.getByRole("button", { name: "Create account" }).click();
  await expectDashboard(page);
}

/** Signs in through the form and waits for the account's home: the dashboard, or the admin overview for an admin. */
export async function signIn(page: Page, email: string, password: string, home: "/dashboard" | "/admin" = "/dashboard"): Promise<void> {
  await page.goto("/signin");
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await passwordField(page).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (home === "/admin") await expectPath(page, "/admin");
  else await expectDashboard(page);
}

/** Opens the dashboard in a page whose context carries a saved session, and checks it is signed in. */
export async function openDashboard(page: Page): Promise<void> {
  await page.goto("/dashboard");
  await expectDashboard(page);
}

/** Signs out from the desktop sidebar (the `<aside>` landmark) and waits for the landing page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("complementary").getByRole("button", { name: "Sign out" }).click();
  await expectPath(page, "/");
}

/** Publishes a long BTC/USDT market signal from the form (stop 10% below, one target 10% above) and returns its note. */
export async function publishSignal(page: Page, tag: string): Promise<string> {
  await page.goto("/signals");
  await page.getByRole("combobox", { name: "Symbol" }).fill("BTC/USDT");
  await page.getByRole("option", { name: /BTC\/USDT/ }).first().click();
  await page.getByRole("radio", { name: "Long" }).check();
  await page.getByRole("radio", { name: "Market" }).check();
  const entry = page.getByRole("textbox", { name: "Entry price" });
  await expect(entry).not.toHaveValue("", { timeout: 15_000 });
  const price = new Decimal(await entry.inputValue());
  await page.getByRole("textbox", { name: "Stop-loss" }).fill(price.times(0.9).toDecimalPlaces(2).toString());
  await page.getByRole("textbox", { name: "Take-profit 1 price" }).fill(price.times(1.1).toDecimalPlaces(2).toString());
  await page.getByRole("textbox", { name: "Take-profit 1 size (%)" }).fill("100");
  const note = `${tag} ${Date.now()}`;
  await page.getByRole("textbox", { name: "Note" }).fill(note);
  await page.getByRole("button", { name: "Publish signal" }).click();
  await expect(page.getByRole("status").filter({ hasText: /published/i })).toBeVisible();
  return note;
}

/** A provider fresh from sign-up sets up payouts through the stand-in onboarding and a $5.00 price, no trial. */
export async function openPaidSubscriptions(page: Page): Promise<void> {
  await page.goto("/revenue");
  await page.getByRole("button", { name: "Set up payouts with Stripe" }).click();
  await expect(page).toHaveURL(/\/dev\/stripe\/onboarding\/acct_/);
  await page.getByRole("textbox", { name: "Business name" }).fill("E2E Signals LLC");
  await page.getByRole("button", { name: "Complete onboarding" }).click();
  await expectPath(page, "/revenue");
  await page.getByRole("textbox", { name: "Monthly price (USD)" }).fill("5.00");
  await page.getByRole("textbox", { name: "Free trial (days)" }).fill("0");
  await page.getByRole("button", { name: "Save price" }).click();
  await expect(page.getByText("Open for subscribers")).toBeVisible();
}

/** A trader subscribes from the provider's profile through the stand-in checkout with the good test card. */
export async function subscribeWithCard(page: Page, profile: string): Promise<void> {
  await page.goto(profile);
  await page.locator("#subscribe").getByRole("button", { name: "Subscribe" }).click();
  await expect(page).toHaveURL(/\/dev\/stripe\/checkout\/cs_test_/);
  await page.getByRole("radio", { name: /4242 4242 4242 4242/ }).check();
  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await expectPath(page, "/subscriptions/welcome");
}

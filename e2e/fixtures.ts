/**
 * Shared steps for the journeys: fresh identities and the sign-up / sign-in / sign-out moves, written against the
 * pages' accessible names (labels, roles), the way a person or a screen reader finds them; and the seeded demo
 * accounts, signed in once per run by the `setup` project (auth.setup.ts), whose saved sessions the journeys reuse.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Decimal from "decimal.js";
import * as OTPAuth from "otpauth";
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

/**
 * An account's authenticator, as the test holds it: the base32 secret shown at enrolment and the last time step
 * whose code was used. The server refuses that step and older ones (a code cannot be replayed), so the next code
 * must come from a later step.
 */
export interface Authenticator {
  secret: string;
  lastStep: number;
}

const TOTP_PERIOD_MS = 30_000;
const totpFor = (secret: string) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });

/** The TOTP time step at `at` (ms since the epoch). */
export const totpStep = (at = Date.now()): number => Math.floor(at / TOTP_PERIOD_MS);

/** The code for a given time step (any moment inside it). */
export const totpCodeAt = (secret: string, step: number): string => totpFor(secret).generate({ timestamp: step * TOTP_PERIOD_MS + 1 });

/**
 * A code the server has not seen yet: from a step after `auth.lastStep`, with at least `minLeftMs` of that step still
 * to run (so it is typed and sent inside its own step, well away from the boundary). Waits for the next step when
 * needed (at most one period plus `minLeftMs`), and marks the step used.
 */
export async function freshCode(auth: Authenticator, minLeftMs = 5_000): Promise<{ code: string; step: number }> {
  for (;;) {
    const now = Date.now();
    const step = totpStep(now);
    const left = (step + 1) * TOTP_PERIOD_MS - now;
    if (step > auth.lastStep && left >= minLeftMs) {
      auth.lastStep = step;
      return { code: totpCodeAt(auth.secret, step), step };
    }
    await new Promise((r) => setTimeout(r, left + 50));
  }
}

const authDir = path.join(path.dirname(fileURLToPath(import.meta.url)), ".auth");
/**
 * The demo admin's authenticator, written by the setup project when it turns two-factor sign-in on for the admin
 * (production refuses the admin area to an admin without it), and read by anything that signs the admin in again.
 * Gitignored with the rest of e2e/.auth; the secret belongs to that run's throwaway database.
 */
export const ADMIN_TOTP_FILE = path.join(authDir, "admin-totp.json");

export function readAdminAuthenticator(): Authenticator | null {
  try {
    return JSON.parse(fs.readFileSync(ADMIN_TOTP_FILE, "utf8")) as Authenticator;
  } catch {
    return null;
  }
}

export function saveAdminAuthenticator(auth: Authenticator): void {
  fs.mkdirSync(authDir, { recursive: true });
  fs.writeFileSync(ADMIN_TOTP_FILE, JSON.stringify(auth, null, 2));
}

/** The sign-in form's second step (two-factor accounts): the code field. */
export const codeField = (page: Page) => page.getByLabel("Authentication code", { exact: true });
export const recoveryCodeField = (page: Page) => page.getByLabel("Recovery code", { exact: true });

/**
 * Fills email and password and submits. Returns what the form did: asked for the account's authentication code,
 * signed in (left /signin), or refused with a message (wrong password, or a limit's wait).
 */
export async function submitPassword(page: Page, email: string, password: string): Promise<"code" | "signed in" | "refused"> {
  await page.goto("/signin");
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await passwordField(page).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  // Whichever comes first; the others never settle once the page has moved on, so their rejections are swallowed.
  const never = () => new Promise<never>(() => {});
  return Promise.race([
    codeField(page)
      .waitFor({ state: "visible" })
      .then(() => "code" as const, never),
    page.waitForURL((url) => url.pathname !== "/signin").then(() => "signed in" as const, never),
    // Next's route announcer is an empty role=alert too: only the form's own message counts.
    page
      .getByRole("alert")
      .filter({ hasText: /\S/ })
      .first()
      .waitFor({ state: "visible" })
      .then(() => "refused" as const, never),
  ]);
}

/**
 * Types a code into the form's second step, sends it and waits for the server action's answer. Waiting for the
 * answer, not for a message: the previous try's message stays on screen while this one is in flight, and React
 * empties the form when the answer lands, which would wipe a next code typed meanwhile.
 */
export async function submitCode(page: Page, code: string): Promise<void> {
  await codeField(page).fill(code);
  const answered = page.waitForResponse((res) => res.request().method() === "POST" && new URL(res.url()).pathname === "/signin");
  await page.getByRole("button", { name: CODE_SUBMIT, exact: true }).click();
  await answered;
}

/** The second step's submit button. */
export const CODE_SUBMIT = "Sign in";

/**
 * Signs in through the form and waits for the account's home: the dashboard, or the admin overview for an admin.
 * An account with two-factor sign-in is asked for a code after the password: `authenticator` supplies it (the demo
 * admin's is read from the setup project's file when none is given).
 */
export async function signIn(
  page: Page,
  email: string,
  password: string,
  home: "/dashboard" | "/admin" = "/dashboard",
  authenticator?: Authenticator,
): Promise<void> {
  const step = await submitPassword(page, email, password);
  if (step === "code") {
    const isAdmin = email === DEMO.admin.email && !authenticator;
    const auth = authenticator ?? (isAdmin ? readAdminAuthenticator() : null);
    if (!auth) throw new Error(`${email} asks for an authentication code and the test has no authenticator for it`);
    const { code } = await freshCode(auth);
    if (isAdmin) saveAdminAuthenticator(auth);
    await submitCode(page, code);
  }
  if (home === "/admin") await expectPath(page, "/admin");
  else await expectDashboard(page);
}

/**
 * Answers the step-up dialog ("Confirm it's you", src/components/security/step-up-dialog.tsx) if it opens within
 * `withinMs`: the demo admin's guarded actions (role changes, two-factor resets) ask for a fresh code unless the
 * session confirmed one in the last 10 minutes (a two-factor sign-in counts), so whether it shows depends on the
 * saved session's age. The code comes from a step the server has not seen (freshCode), saved back to the file so
 * the next sign-in or step-up uses a later one. Returns whether the dialog was answered.
 */
export async function answerStepUp(page: Page, authenticator?: Authenticator, withinMs = 5_000): Promise<boolean> {
  const dialog = page.getByRole("dialog", { name: STEP_UP_TITLE });
  const shown = await dialog.waitFor({ state: "visible", timeout: withinMs }).then(
    () => true,
    () => false,
  );
  if (!shown) return false;
  const auth = authenticator ?? readAdminAuthenticator();
  if (!auth) throw new Error("the step-up dialog asks for a code and the test has no authenticator (e2e/.auth/admin-totp.json)");
  const { code } = await freshCode(auth);
  if (!authenticator) saveAdminAuthenticator(auth);
  await dialog.getByLabel("Authentication code", { exact: true }).fill(code);
  await dialog.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(dialog).toBeHidden();
  return true;
}

/** The step-up dialog's title (a typographic apostrophe in the page). */
export const STEP_UP_TITLE = /^Confirm it[’']s you$/;

/**
 * Turns two-factor sign-in on from Settings → Security, as a person with an authenticator app would: reads the
 * secret shown in text, confirms with a code computed from it, and keeps the recovery codes shown once.
 */
export async function enrolTwoFactor(page: Page): Promise<{ authenticator: Authenticator; recoveryCodes: string[] }> {
  await page.goto("/settings/security");
  await page.getByRole("button", { name: ENROL_BUTTON, exact: true }).click();
  const shown = page.getByTestId("totp-secret");
  await expect(shown).toBeVisible();
  const secret = (await shown.getAttribute("data-secret")) ?? "";
  expect(secret, "the secret is shown as base32").toMatch(/^[A-Z2-7]{16,}=*$/);
  // The text a person types from: the same key, in groups.
  expect((await shown.innerText()).replace(/\s+/g, "")).toBe(secret);
  const authenticator: Authenticator = { secret, lastStep: 0 };
  const { code } = await freshCode(authenticator);
  await page.getByLabel("Authentication code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  const codes = page.getByTestId("recovery-codes");
  await expect(codes).toBeVisible();
  const recoveryCodes = (await codes.innerText()).match(RECOVERY_CODE) ?? [];
  expect(recoveryCodes, "ten recovery codes are shown").toHaveLength(10);
  await page.getByRole("checkbox", { name: "I have saved these recovery codes somewhere safe" }).check();
  await page.getByRole("button", { name: "Done", exact: true }).click();
  await expect(page.getByText("Two-factor sign-in is on: signing in now asks for a code.")).toBeVisible();
  return { authenticator, recoveryCodes };
}

/** The Security section's button that starts enrolment. */
export const ENROL_BUTTON = "Turn on";
/** A recovery code as shown (`xxxxx-xxxxx`). */
export const RECOVERY_CODE = /\b[a-z0-9]{5}-[a-z0-9]{5}\b/gi;

/** Opens the dashboard in a page whose context carries a saved session, and checks it is signed in. */
export async function openDashboard(page: Page): Promise<void> {
  await page.goto("/dashboard");
  await expectDashboard(page);
}

/**
 * Signs out from the desktop sidebar (the `<aside>` landmark) and waits for the landing page. Signing out ends the
 * session on the server (its `user_sessions` row), so never call it in a context built from a saved demo state
 * (`storageState(role)`): every later spec sharing that state would be signed out. Sign a fresh account out instead.
 */
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
  // The checkout session is created and its page rendered server-side; on a loaded CI machine that navigation has
  // taken over 10 s (the URL was already chosen, the page still loading), so it gets the navigation's own budget.
  await expect(page).toHaveURL(/\/dev\/stripe\/checkout\/cs_test_/, { timeout: 30_000 });
  await page.getByRole("radio", { name: /4242 4242 4242 4242/ }).check();
  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await expectPath(page, "/subscriptions/welcome");
}

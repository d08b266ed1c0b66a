/**
 * Issue 17, acceptance 1 and 2, in the production build: two-factor sign-in (turned on from Settings → Security with
 * codes the test computes from the secret shown, as an authenticator app would), a replayed code refused, a recovery
 * code working once, five wrong codes then a 429, an admin without 2FA kept out of the admin area; and two devices
 * signed in to one account, where "Sign out" of one ends only that one and "Sign out of all devices" ends both.
 *
 * The demo admin's refusal is checked in auth.setup.ts, before the setup turns 2FA on for it (the other admin
 * journeys need the admin area); here a second admin, promoted by the demo admin, shows the same refusal.
 *
 * Codes: the server remembers the last time step it accepted and refuses that step and older ones, so each sign-in
 * takes a code from a later step (`freshCode` waits for it), with enough of its step left to be sent inside it.
 */
import type { APIRequestContext, Browser, BrowserContext, Page } from "@playwright/test";
import {
  CODE_SUBMIT,
  PASSWORD,
  answerStepUp,
  codeField,
  enrolTwoFactor,
  expect,
  expectDashboard,
  expectPath,
  freshCode,
  newAccount,
  recoveryCodeField,
  signIn,
  signOut,
  signUp,
  storageState,
  submitCode,
  submitPassword,
  test,
  totpCodeAt,
  totpStep,
  uniqueEmail,
} from "../fixtures";

/** The sign-in form's own messages (Next's route announcer is an empty role=alert too). */
const formAlert = (page: Page, text: RegExp) => page.getByRole("alert").filter({ hasText: text });
/** What the form says for a wrong, replayed or used code. */
const CODE_REFUSED = /code/i;
/** What it says when a limit refuses an attempt. */
const WAIT = /try again in/i;
/** The wrong-code limit's refusal (5 wrong codes per account in 15 minutes). */
const TOO_MANY_CODES = /^Too many wrong codes\. Try again in /;

/** Switches the form's second step to a recovery code and sends it. */
async function submitRecoveryCode(page: Page, code: string): Promise<void> {
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await recoveryCodeField(page).fill(code);
  const answered = page.waitForResponse((res) => res.request().method() === "POST" && new URL(res.url()).pathname === "/signin");
  await page.getByRole("button", { name: CODE_SUBMIT, exact: true }).click();
  await answered;
}

/** Asks the page whether the browser is still signed in: the dashboard answers, or sends to sign in. */
async function expectSignedOut(page: Page): Promise<void> {
  await page.goto("/dashboard");
  await expectPath(page, "/signin");
}

/**
 * One sign-in through Auth.js's credentials callback, as a script would: a CSRF token from /api/auth/csrf (its
 * cookie kept by the request context), then the form post. Redirects are not followed, so a refusal by a limit (429)
 * is told apart from Auth.js's redirects.
 */
async function restSignIn(request: APIRequestContext, fields: Record<string, string>) {
  const csrf = await request.get("/api/auth/csrf");
  expect(csrf.status()).toBe(200);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  return request.post("/api/auth/callback/credentials", {
    form: { ...fields, csrfToken, callbackUrl: "/dashboard" },
    maxRedirects: 0,
  });
}

test.describe("two-factor sign-in", () => {
  test("turned on from Settings; sign-in then needs the code; a replayed code is refused; a recovery code works once", async ({ page }) => {
    test.setTimeout(180_000);
    const account = newAccount("trader");
    await signUp(page, account);

    const { authenticator, recoveryCodes } = await test.step("turn 2FA on from Settings → Security", async () => {
      const enrolled = await enrolTwoFactor(page);
      // Shown once: a reload shows 2FA on and no codes any more.
      await page.reload();
      await expect(page.getByTestId("recovery-codes")).toHaveCount(0);
      await expect(page.getByTestId("totp-secret")).toHaveCount(0);
      for (const code of enrolled.recoveryCodes) await expect(page.locator("body")).not.toContainText(code);
      return enrolled;
    });
    await signOut(page);

    const first = await test.step("the password is not enough: the code is asked, and a correct one signs in", async () => {
      expect(await submitPassword(page, account.email, account.password)).toBe("code");
      await expectPath(page, "/signin");
      // Enough of the step left for the replay below to be sent inside the same step.
      const fresh = await freshCode(authenticator, 20_000);
      await submitCode(page, fresh.code);
      await expectDashboard(page);
      return fresh;
    });
    await signOut(page);

    await test.step("the same code again, within its time step, is refused", async () => {
      expect(await submitPassword(page, account.email, account.password)).toBe("code");
      await submitCode(page, first.code);
      await expect(formAlert(page, CODE_REFUSED)).toBeVisible();
      expect(totpStep(), "the replay was sent inside the code's own time step").toBe(first.step);
      await expectPath(page, "/signin");
      await expectSignedOut(page);
    });

    await test.step("a recovery code signs in once", async () => {
      expect(await submitPassword(page, account.email, account.password)).toBe("code");
      await submitRecoveryCode(page, recoveryCodes[0]!);
      await expectDashboard(page);
      await signOut(page);
    });

    await test.step("the same recovery code is refused the second time", async () => {
      expect(await submitPassword(page, account.email, account.password)).toBe("code");
      await submitRecoveryCode(page, recoveryCodes[0]!);
      await expect(formAlert(page, CODE_REFUSED)).toBeVisible();
      await expectSignedOut(page);
    });

    await test.step("a later code from the authenticator still signs in", async () => {
      const next = await freshCode(authenticator);
      expect(next.step).toBeGreaterThan(first.step);
      expect(await submitPassword(page, account.email, account.password)).toBe("code");
      await submitCode(page, next.code);
      await expectDashboard(page);
    });
  });

  test("five wrong codes, then the next attempt is refused with 429 and the form says how long to wait", async ({ page, request }) => {
    test.setTimeout(120_000);
    const account = newAccount("trader");
    await signUp(page, account);
    const { authenticator } = await enrolTwoFactor(page);
    await signOut(page);

    // A wrong code: six digits, none of the codes the server could accept now (this step and its neighbours).
    const wrong = (i: number): string => {
      const now = totpStep();
      const valid = new Set([now - 1, now, now + 1, now + 2].map((s) => totpCodeAt(authenticator.secret, s)));
      let n = (123_456 + i * 111_111) % 1_000_000;
      while (valid.has(String(n).padStart(6, "0"))) n = (n + 1) % 1_000_000;
      return String(n).padStart(6, "0");
    };

    await test.step("five wrong codes, each refused as wrong", async () => {
      // The password once, then the code step again and again, as a person mistyping the code would: the form
      // keeps the email and password for each try.
      expect(await submitPassword(page, account.email, account.password)).toBe("code");
      for (let i = 0; i < 5; i++) {
        await submitCode(page, wrong(i));
        // React empties the form once it renders the answer; until then the previous try's message is still on
        // screen, and a code typed now would be wiped before it is sent.
        await expect(codeField(page)).toHaveValue("");
        await expect(formAlert(page, /^That code is not right/), `wrong code ${i + 1}`).toBeVisible();
        await expect(formAlert(page, WAIT), `wrong code ${i + 1} is not yet throttled`).toHaveCount(0);
        await expect(codeField(page)).toBeVisible();
      }
    });

    await test.step("the sixth, through the REST callback, is refused with 429 and Retry-After, even with the right code", async () => {
      const { code } = await freshCode(authenticator);
      const res = await restSignIn(request, { email: account.email, password: account.password, code });
      expect(res.status()).toBe(429);
      expect(Number(res.headers()["retry-after"])).toBeGreaterThan(0);
      expect(((await res.json()) as { message: string }).message).toMatch(TOO_MANY_CODES);
    });

    await test.step("the form, given the right code, shows the wait message and does not sign in", async () => {
      // This browser's own progressive delay (sign-in-limits.ts: 5 failures free, then 1 s, 2 s …) counts its
      // password step too, so its sixth failure (the fifth code) holds the next try for 1 s: let that pass, so
      // the refusal seen is the wrong-code limit's.
      await page.waitForTimeout(2_000);
      const { code } = await freshCode(authenticator);
      await submitCode(page, code);
      await expect(formAlert(page, TOO_MANY_CODES)).toBeVisible();
      await expectSignedOut(page);
    });
  });
});

test.describe("the admin area in production", () => {
  test("refuses an admin without 2FA: sent to Settings → Security to turn it on", async ({ browser }) => {
    const adminCtx = await browser.newContext({ storageState: storageState("admin") });
    const userCtx = await browser.newContext();
    try {
      const user = await userCtx.newPage();
      const account = newAccount("trader");
      await signUp(user, account);

      // The demo admin (2FA on, see auth.setup.ts) makes the new account an admin.
      const admin = await adminCtx.newPage();
      await admin.goto("/admin/users");
      await admin.getByRole("combobox", { name: `Role for ${account.email}` }).click();
      await admin.getByRole("option", { name: "Admin" }).click();
      await admin.getByRole("button", { name: `Change role for ${account.email}` }).click();
      // A role change is step-up guarded: the saved session may be older than its 10 minutes.
      await answerStepUp(admin);
      await expect(admin.getByText("Role changed to Admin.")).toBeVisible();

      await signIn(user, account.email, account.password, "/admin").catch(() => undefined);
      for (const adminPath of ["/admin", "/admin/users"]) {
        await user.goto(adminPath);
        await expect(user, adminPath).toHaveURL((url) => url.pathname === "/settings/security" && url.searchParams.get("required") === "admin");
      }
      const refused = await user.request.get("/api/trpc/admin.overview");
      expect(refused.status()).toBe(403);
      expect(await refused.text()).toContain("Turn on two-factor sign-in to use the admin area");
    } finally {
      await Promise.all([adminCtx.close(), userCtx.close()]);
    }
  });
});

/** The Security page's list of signed-in devices, one row per live session. */
const deviceRows = (page: Page) => page.getByRole("list", { name: "Signed-in devices" }).getByTestId("device");

async function newDevice(browser: Browser, name: string): Promise<{ ctx: BrowserContext; page: Page }> {
  // Each device its own browser, told apart on the list by its user agent.
  const ctx = await browser.newContext({ userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 e2e-${name}` });
  return { ctx, page: await ctx.newPage() };
}

test.describe("signed-in devices", () => {
  test("two devices: signing out one ends only that one; signing out of all devices ends both", async ({ browser }) => {
    test.setTimeout(120_000);
    const a = await newDevice(browser, "device-a");
    const b = await newDevice(browser, "device-b");
    try {
      const account = { ...newAccount("trader"), email: uniqueEmail("devices"), password: PASSWORD };
      await signUp(a.page, account);
      await signIn(b.page, account.email, account.password);

      await test.step("A lists both devices and signs B out", async () => {
        await a.page.goto("/settings/security");
        await expect(deviceRows(a.page)).toHaveCount(2);
        await expect(deviceRows(a.page).filter({ hasText: "This device" })).toHaveCount(1);
        const other = deviceRows(a.page).filter({ hasNotText: "This device" });
        await expect(other).toHaveCount(1);
        await other.getByRole("button", { name: /^Sign out / }).click();
        await expect(a.page.getByText(/ was signed out\.$/)).toBeVisible();
        await expect(deviceRows(a.page)).toHaveCount(1);
        await expect(deviceRows(a.page)).toContainText("This device");
      });

      await test.step("B's next page load is signed out; A is still signed in", async () => {
        await expectSignedOut(b.page);
        await a.page.goto("/dashboard");
        await expectDashboard(a.page);
      });

      await test.step("B signs in again; A signs out of all devices; both are signed out", async () => {
        await signIn(b.page, account.email, account.password);
        await a.page.goto("/settings/security");
        await expect(deviceRows(a.page)).toHaveCount(2);
        await a.page.getByRole("button", { name: "Sign out of all devices", exact: true }).click();
        // Confirmed first: it signs this browser out too.
        await a.page.getByRole("alertdialog").getByRole("button", { name: "Sign out of all devices", exact: true }).click();
        await expectPath(a.page, "/signin");
        await expectSignedOut(a.page);
        await expectSignedOut(b.page);
      });
    } finally {
      await Promise.all([a.ctx.close(), b.ctx.close()]);
    }
  });
});

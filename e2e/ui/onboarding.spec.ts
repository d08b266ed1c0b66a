/**
 * Issue 15, acceptance 6: a trader signs up → the welcome email is in the outbox (read by the demo admin at
 * /admin/emails: with no sender configured the outbox is the mailbox, and its copy shows the one-time link) → its
 * verify link verifies the account → the dashboard's onboarding checklist advances as the trader subscribes (the
 * stand-in checkout) and turns on copying; Skip hides it and "Show the checklist" brings it back.
 */
import type { Page } from "@playwright/test";
import { expect, newAccount, openPaidSubscriptions, signUp, storageState, subscribeWithCard, test } from "../fixtures";

/** The checklist's progress bar, by its accessible name, and its value. */
async function expectProgress(page: Page, percent: number) {
  await page.goto("/dashboard");
  const bar = page.getByRole("progressbar", { name: /Getting started: \d+% done/ });
  await expect(bar).toHaveAttribute("aria-valuenow", String(percent));
  await expect(page.getByTestId("checklist-percent")).toHaveText(`${percent}%`);
}

test("a new trader: welcome email with the verify link, then the checklist advances with subscribing and copying", async ({ browser }) => {
  test.setTimeout(240_000);
  const traderCtx = await browser.newContext();
  const providerCtx = await browser.newContext();
  const adminCtx = await browser.newContext({ storageState: storageState("admin") });
  const trader = await traderCtx.newPage();
  const provider = await providerCtx.newPage();
  const admin = await adminCtx.newPage();
  const traderAccount = newAccount("trader");
  const providerAccount = newAccount("provider");
  let verifyUrl = "";

  await test.step("the trader signs up; the checklist starts at 20% (the disclaimer accepted at sign-up)", async () => {
    await signUp(trader, traderAccount);
    await expectProgress(trader, 20);
    await expect(trader.getByTestId("step-disclaimer")).toHaveAttribute("data-state", "done");
    await expect(trader.getByTestId("step-subscribe")).toHaveAttribute("data-state", "todo");
    await expect(trader.getByText(/Confirm your email address/)).toBeVisible();
  });

  await test.step("the welcome email is in the outbox, with the verification link", async () => {
    await admin.goto("/admin/emails");
    const row = admin.getByRole("row").filter({ hasText: traderAccount.email });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("onboarding_welcome");
    await row.getByRole("link", { name: "Welcome to Tradsy" }).click();
    const text = await admin.locator("pre").first().innerText();
    expect(text).toContain("Confirm email");
    verifyUrl = /https?:\/\/\S+\/verify\?token=\S+/.exec(text)?.[0] ?? "";
    expect(verifyUrl).not.toBe("");
  });

  await test.step("its verify link verifies the account", async () => {
    await trader.goto(verifyUrl);
    await expect(trader.getByText("Your email is confirmed. Thank you.")).toBeVisible();
    await trader.goto("/dashboard");
    await expect(trader.getByText(/Confirm your email address/)).toHaveCount(0);
  });

  await test.step("the trader subscribes from a provider's profile: browse and subscribe tick (60%)", async () => {
    await signUp(provider, providerAccount);
    const profile = (await provider.getByRole("link", { name: "View public profile" }).getAttribute("href")) ?? "";
    await openPaidSubscriptions(provider);
    await subscribeWithCard(trader, profile);
    await expectProgress(trader, 60);
    await expect(trader.getByTestId("step-browse")).toHaveAttribute("data-state", "done");
    await expect(trader.getByTestId("step-subscribe")).toHaveAttribute("data-state", "done");
    await expect(trader.getByTestId("step-copy")).toHaveAttribute("data-state", "todo");
  });

  await test.step("the trader turns on copying: the copy step ticks (80%)", async () => {
    await trader.goto("/copy");
    const card = trader.getByTestId("following").filter({ hasText: providerAccount.name });
    await expect(card).toBeVisible();
    await card.getByRole("switch").click();
    await expect(card.getByRole("switch")).toBeChecked();
    await expect(card.getByText("Copy on")).toBeVisible();
    await expectProgress(trader, 80);
    await expect(trader.getByTestId("step-copy")).toHaveAttribute("data-state", "done");
    await expect(trader.getByTestId("step-exchange")).toHaveAttribute("data-state", "todo");
  });

  await test.step("Skip hides the checklist; Show brings it back", async () => {
    await trader.getByTestId("onboarding-checklist").getByRole("button", { name: "Skip" }).click();
    await expect(trader.getByTestId("checklist-hidden")).toContainText("80% done");
    await expect(trader.getByRole("progressbar")).toHaveCount(0);
    await trader.reload();
    await expect(trader.getByTestId("checklist-hidden")).toBeVisible();
    await trader.getByRole("button", { name: "Show the checklist" }).click();
    await expect(trader.getByRole("progressbar", { name: /Getting started: 80% done/ })).toBeVisible();
  });

  await Promise.all([traderCtx.close(), providerCtx.close(), adminCtx.close()]);
});

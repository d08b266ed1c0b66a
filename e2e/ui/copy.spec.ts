/**
 * Issue 13's journey: a trader subscribes, turns on paper copying with settings of their own, the provider publishes
 * from the form, and the trader's copy page shows the open paper position within 2 s, without a reload (copy.live
 * over SSE); the provider closes the signal, the closed position shows its P&L, the orders CSV downloads with both
 * legs; the provider's profile shows the execution-quality block.
 */
import { readFile } from "node:fs/promises";
import { expect, newAccount, openPaidSubscriptions, publishSignal, signUp, subscribeWithCard, test } from "../fixtures";
import { MARKET_DATA_DIR } from "../../playwright.config";

test.skip(!MARKET_DATA_DIR, "needs recorded market data (MARKET_DATA_DIR or ../shared/data): publishing and paper fills need prices");

test("a subscriber copies a signal on paper: open position live, closed with P&L, orders CSV, execution quality on the profile", async ({ browser }) => {
  test.setTimeout(240_000);
  const providerCtx = await browser.newContext();
  const traderCtx = await browser.newContext({ acceptDownloads: true });
  const provider = await providerCtx.newPage();
  const trader = await traderCtx.newPage();
  const providerAccount = newAccount("provider");
  let profile = "";

  await test.step("a provider opens paid subscriptions and a trader subscribes", async () => {
    await signUp(provider, providerAccount);
    profile = (await provider.getByRole("link", { name: "View public profile" }).getAttribute("href")) ?? "";
    await openPaidSubscriptions(provider);
    await signUp(trader, newAccount("trader"));
    await subscribeWithCard(trader, profile);
  });

  await test.step("the trader sets copy settings and turns paper copying on", async () => {
    await trader.goto("/copy");
    const card = trader.getByTestId("following").filter({ hasText: providerAccount.name });
    await expect(card).toBeVisible();
    // The panel opens once the page is interactive: click until it says it is expanded.
    const toggle = card.getByRole("button", { name: /Follow settings/ });
    await expect(async () => {
      if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
      await expect(toggle).toHaveAttribute("aria-expanded", "true", { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    const form = card.getByRole("form", { name: /Follow settings for/ });
    await form.getByRole("textbox", { name: "Allocation (% of equity)" }).fill("20");
    await form.getByRole("textbox", { name: "Max signal age (seconds)" }).fill("300");
    await form.getByRole("button", { name: "Save settings" }).click();
    await expect(form.getByRole("status")).toContainText("Settings saved");
    await card.getByRole("switch").click();
    await expect(card.getByRole("switch")).toBeChecked();
    await expect(card.getByText("Copy on")).toBeVisible();
  });

  await test.step("the provider publishes; the open paper position appears within 2 s without a reload", async () => {
    const open = trader.getByTestId("open-position");
    await expect(open).toHaveCount(0);
    await publishSignal(provider, "e2e copy");
    await expect(open.first()).toBeVisible({ timeout: 2_000 });
    await expect(open.first()).toContainText("BTC/USDT");
  });

  await test.step("the provider closes it; the trader sees the closed position with its P&L", async () => {
    await provider.goto("/signals");
    const row = provider.getByTestId("signal-row").filter({ hasText: "e2e copy" }).first();
    await row.getByRole("button", { name: "Close", exact: true }).click();
    await provider.getByRole("button", { name: "Close signal" }).click();
    await expect(trader.getByTestId("open-position")).toHaveCount(0, { timeout: 10_000 });
    await trader.getByRole("tab", { name: /^Closed/ }).click();
    const closed = trader.getByTestId("closed-position").first();
    await expect(closed).toBeVisible({ timeout: 10_000 });
    await expect(closed).toContainText("BTC/USDT");
    await expect(closed).toContainText(/[+−-]?\$?\d/);
  });

  await test.step("the orders CSV downloads with the entry and the close", async () => {
    const download = trader.waitForEvent("download");
    await trader.getByTestId("orders-csv").click();
    const file = await (await download).path();
    const lines = (await readFile(file!, "utf8")).trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/client_order_id|Client order id/i);
    const body = lines.slice(1);
    expect(body.filter((l) => /\bentry\b/.test(l) && /\bfilled\b/.test(l))).toHaveLength(1);
    expect(body.filter((l) => /\bclose\b/.test(l) && /\bfilled\b/.test(l))).toHaveLength(1);
  });

  await test.step("the provider's profile shows the execution-quality block", async () => {
    await trader.goto(profile);
    const block = trader.getByRole("region", { name: "Execution quality", exact: true }).first();
    await expect(block).toBeVisible();
    // This provider's one copied signal is below the block's minimum sample, which it says rather than showing figures.
    await expect(block).toContainText(/copied|Not enough data/i);
  });

  await providerCtx.close();
  await traderCtx.close();
});

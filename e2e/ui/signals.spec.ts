/**
 * Issue 3 journeys: a provider publishes from the form and a subscriber's open dashboard shows it without a
 * reload; a provider profile draws its equity chart. Uses the seeded demo accounts (the demo trader follows the
 * demo provider), signed in by the setup project, and the replay of recorded prices, so it needs the shared
 * recordings.
 */
import fs from "node:fs";
import path from "node:path";
import Decimal from "decimal.js";
import { PNG } from "pngjs";
import { expect, openDashboard, storageState, test } from "../fixtures";
import { MARKET_DATA_DIR } from "../../playwright.config";

test.skip(!MARKET_DATA_DIR, "needs recorded market data (MARKET_DATA_DIR or ../shared/data)");

test.describe("the demo trader's open dashboard", () => {
  // `page` is the demo trader's; the provider gets a context of its own below.
  test.use({ storageState: storageState("trader") });

  test("a published signal reaches a subscriber's open dashboard within 2 s, without reload", async ({ browser, page: trader }, testInfo) => {
    // A retry must not turn a missed delivery into a pass: the 2 s is the promise, and a run where it was broken once
    // has broken it. An attempt that misses records it, and a retry fails on that record straight away. Failures
    // before the publish (signing in, the form, the quote) are not about delivery, so a retry may still absorb those.
    // The record lives in the project's output folder, which Playwright empties at the start of every run.
    const missRecord = path.join(testInfo.project.outputDir, `delivery-miss-${testInfo.testId}.txt`);
    if (testInfo.retry > 0 && fs.existsSync(missRecord)) {
      throw new Error(`an earlier attempt of this run missed the 2 s live delivery, so a retry cannot pass it: ${fs.readFileSync(missRecord, "utf8")}`);
    }

    const providerCtx = await browser.newContext({ storageState: storageState("provider") });
    const provider = await providerCtx.newPage();

    await openDashboard(trader);
    const feed = trader.getByTestId("live-feed");
    await expect(feed).toBeVisible();
    let reloaded = false;
    trader.on("framenavigated", (f) => {
      if (f === trader.mainFrame()) reloaded = true;
    });

    await openDashboard(provider);
    await provider.goto("/signals");
    const symbol = provider.getByRole("combobox", { name: "Symbol" });
    await symbol.fill("BTC/USDT");
    await provider.getByRole("option", { name: /BTC\/USDT/ }).first().click();
    await provider.getByRole("radio", { name: "Long" }).check();
    await provider.getByRole("radio", { name: "Market" }).check();
    const entry = provider.getByRole("textbox", { name: "Entry price" });
    await expect(entry).not.toHaveValue("", { timeout: 15_000 });
    const price = new Decimal(await entry.inputValue());
    const stop = price.times(0.95).toDecimalPlaces(2).toString();
    const target = price.times(1.05).toDecimalPlaces(2).toString();
    await provider.getByRole("textbox", { name: "Stop-loss" }).fill(stop);
    await provider.getByRole("textbox", { name: "Take-profit 1 price" }).fill(target);
    // The size is left as the form fills it: the whole position at the one target.
    await expect(provider.getByRole("textbox", { name: "Take-profit 1 size (%)" })).toHaveValue("100");
    const note = `e2e ${Date.now()}`;
    await provider.getByRole("textbox", { name: "Note" }).fill(note);

    const before = await feed.getByTestId("feed-item").count();
    reloaded = false;
    await provider.getByRole("button", { name: "Publish signal" }).click();
    const published = Date.now();
    await expect(provider.getByRole("status").filter({ hasText: /published/i })).toBeVisible();

    try {
      const item = feed.getByTestId("feed-item").filter({ hasText: stop }).first();
      await expect(item).toBeVisible({ timeout: 2_000 });
      const elapsed = Date.now() - published;
      expect(elapsed).toBeLessThan(2_000);
      expect(await feed.getByTestId("feed-item").count()).toBeGreaterThan(before);
      expect(reloaded).toBe(false);
      await expect(item).toContainText("BTC/USDT");
    } catch (err) {
      fs.mkdirSync(path.dirname(missRecord), { recursive: true });
      fs.writeFileSync(missRecord, `attempt ${testInfo.retry + 1}: ${String((err as Error).message ?? err).split("\n")[0]}`);
      throw err;
    }

    await providerCtx.close();
  });
});

test.describe("the demo provider's publish form", () => {
  test.use({ storageState: storageState("provider") });

  test("take-profit sizes split the position evenly as levels are added and removed, until the provider sets their own", async ({ page }) => {
    await page.goto("/signals");
    const size = (n: number) => page.getByRole("textbox", { name: `Take-profit ${n} size (%)` });
    await expect(size(1)).toHaveValue("100");
    await page.getByRole("button", { name: "Add take-profit 2" }).click();
    await expect(size(1)).toHaveValue("50");
    await expect(size(2)).toHaveValue("50");
    await page.getByRole("button", { name: "Add take-profit 3" }).click();
    await expect(size(1)).toHaveValue("34");
    await expect(size(2)).toHaveValue("33");
    await expect(size(3)).toHaveValue("33");
    await page.getByRole("button", { name: "Remove take-profit 2" }).click();
    await expect(size(1)).toHaveValue("50");
    await expect(size(2)).toHaveValue("50");
    // Sizes of their own stay put; a new level gets what is left.
    await size(1).fill("70");
    await size(2).fill("20");
    await page.getByRole("button", { name: "Add take-profit 3" }).click();
    await expect(size(1)).toHaveValue("70");
    await expect(size(3)).toHaveValue("10");
  });
});

test.describe("a trader opening the provider's signals page", () => {
  test.use({ storageState: storageState("trader") });

  test("is told it is for providers (403), with the way back to their dashboard", async ({ page }) => {
    const response = await page.goto("/signals");
    expect(response?.status()).toBe(403);
    await expect(page).toHaveURL((url) => url.pathname === "/signals");
    await expect(page.getByRole("heading", { level: 1, name: "This page is for signal providers" })).toBeVisible();
    await page.getByRole("main").getByRole("link", { name: "Go to your dashboard" }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/dashboard");
  });
});

test("a provider profile draws its equity chart", async ({ page }) => {
  // Demo track records are written in the background after start-up; give them time on a cold server.
  await expect(async () => {
    await page.goto("/providers/momentum-desk");
    await expect(page.getByTestId("equity-chart").locator("canvas").first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  const chart = page.getByTestId("equity-chart");
  await chart.scrollIntoViewIfNeeded();
  const shot = await chart.screenshot();
  expect(shot.byteLength).toBeGreaterThan(5_000);
  // A drawn chart has many distinct colours (area gradient, lines, axis labels); an empty canvas is one flat colour.
  const png = PNG.sync.read(shot);
  const colours = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4 * 7) colours.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!);
  expect(colours.size).toBeGreaterThan(20);
});

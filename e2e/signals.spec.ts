/**
 * Issue 3 journeys: a provider publishes from the form and a subscriber's open dashboard shows it without a
 * reload; a provider profile draws its equity chart. Uses the seeded demo accounts (the demo trader follows the
 * demo provider) and the replay of recorded prices, so it needs the shared recordings.
 */
import Decimal from "decimal.js";
import { PNG } from "pngjs";
import { expect, signIn, test } from "./fixtures";
import { MARKET_DATA_DIR } from "../playwright.config";

test.skip(!MARKET_DATA_DIR, "needs recorded market data (MARKET_DATA_DIR or ../shared/data)");

const PROVIDER = { email: "provider@tradsy.dev", password: "tradsy-provider-demo" };
const TRADER = { email: "trader@tradsy.dev", password: "tradsy-trader-demo" };

test("a published signal reaches a subscriber's open dashboard within 2 s, without reload", async ({ browser }) => {
  const traderCtx = await browser.newContext();
  const providerCtx = await browser.newContext();
  const trader = await traderCtx.newPage();
  const provider = await providerCtx.newPage();

  await signIn(trader, TRADER.email, TRADER.password);
  const feed = trader.getByTestId("live-feed");
  await expect(feed).toBeVisible();
  let reloaded = false;
  trader.on("framenavigated", (f) => {
    if (f === trader.mainFrame()) reloaded = true;
  });

  await signIn(provider, PROVIDER.email, PROVIDER.password);
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
  await provider.getByRole("textbox", { name: "Take-profit 1 size (%)" }).fill("100");
  const note = `e2e ${Date.now()}`;
  await provider.getByRole("textbox", { name: "Note" }).fill(note);

  const before = await feed.getByTestId("feed-item").count();
  reloaded = false;
  await provider.getByRole("button", { name: "Publish signal" }).click();
  const published = Date.now();
  await expect(provider.getByRole("status").filter({ hasText: /published/i })).toBeVisible();

  const item = feed.getByTestId("feed-item").filter({ hasText: stop }).first();
  await expect(item).toBeVisible({ timeout: 2_000 });
  const elapsed = Date.now() - published;
  expect(elapsed).toBeLessThan(2_000);
  expect(await feed.getByTestId("feed-item").count()).toBeGreaterThan(before);
  expect(reloaded).toBe(false);
  await expect(item).toContainText("BTC/USDT");

  await traderCtx.close();
  await providerCtx.close();
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

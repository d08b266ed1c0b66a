/**
 * The marketplace's filters as a visitor uses them (issue 11, items 6 and 9): every control applies at once and
 * puts its value in the URL (no "Apply"), the search finds providers by instrument, and markets with no
 * instruments are listed as coming, not offered as filters.
 */
import { expect, test } from "../fixtures";

test("marketplace filters apply at once, search by instrument, and offer only markets with instruments", async ({ page }) => {
  await page.goto("/providers");
  const main = page.getByRole("main");
  await expect(main.getByRole("button", { name: /apply/i })).toHaveCount(0);
  // The line above the list: "13 providers · figures over the last 90 days · sorted by …".
  const summary = main.locator("p[aria-live=polite]").filter({ hasText: "sorted by" });

  // A select applies on choosing.
  await main.getByRole("combobox", { name: "Sort by" }).click();
  await page.getByRole("option", { name: "ROI" }).click();
  await expect(page).toHaveURL(/[?&]sort=roi/);
  await expect(summary).toContainText("sorted by ROI");
  await expect(main.getByRole("combobox", { name: "Sort by" })).toHaveText(/ROI/);

  // A chip applies on click and keeps the other filters; a market with nothing to trade is not a filter.
  const markets = main.getByRole("navigation", { name: "Filter by market" });
  await expect(markets.getByRole("link", { name: "Futures" })).toHaveCount(0);
  await expect(markets).toContainText("Futures");
  await expect(main.getByText(/Coming: .*Futures/)).toBeVisible();
  await markets.getByRole("link", { name: "Crypto" }).click();
  await expect(page).toHaveURL(/market=crypto/);
  await expect(page).toHaveURL(/sort=roi/);
  await expect(markets.getByRole("link", { name: "Crypto" })).toHaveAttribute("aria-current", "true");

  // The search finds providers by what they trade, and keeps the other filters.
  await page.getByRole("searchbox", { name: "Search providers" }).fill("bitcoin");
  await page.getByRole("searchbox", { name: "Search providers" }).press("Enter");
  await expect(page).toHaveURL(/q=bitcoin/);
  await expect(page).toHaveURL(/sort=roi/);
  await expect(summary).toContainText("matching “bitcoin”");
  // The box keeps its text and the focus, ready for the next search.
  await expect(page.getByRole("searchbox", { name: "Search providers" })).toBeFocused();
  await expect(page.getByRole("searchbox", { name: "Search providers" })).toHaveValue("bitcoin");
  const cards = main.getByRole("listitem").filter({ has: page.locator('a[href^="/providers/"]') });
  await expect(cards.first()).toBeVisible();

  for (const [width, height] of [
    [1280, 900],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.goto("/providers");
    await page.screenshot({ path: `test-results/marketplace-${width}.png`, fullPage: true });
  }
});

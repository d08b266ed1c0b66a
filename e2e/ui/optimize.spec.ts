/**
 * Issue 20's journeys (Strategy lab II): a new trader opens the optimiser from the lab, narrows SMA crossover's
 * ranges to a grid of a few hundred points (the form counts the points the fast < slow constraint allows), starts it
 * on BTC/USDT 1h, watches the progress bar move, cancels it (the trials so far are kept) and resumes it to the end,
 * then reads the heatmap, the importance, the best-so-far chart and the trials table. Then a walk-forward validation
 * over a small grid runs to its verdict and windows table. Optimisations read the replayed recordings, so the
 * journeys need the shared market data.
 */
import type { Page } from "@playwright/test";
import { expect, expectPath, newAccount, signUp, test } from "../fixtures";
import { MARKET_DATA_DIR } from "../../playwright.config";

test.skip(!MARKET_DATA_DIR, "needs recorded market data (MARKET_DATA_DIR or ../shared/data): optimisations need candles");

interface Range {
  min: number;
  max: number;
  step: number;
}

const values = (r: Range) => Array.from({ length: Math.floor((r.max - r.min) / r.step) + 1 }, (_, k) => r.min + k * r.step);
/** Pairs with fast < slow: the points SMA crossover's grid may try (counted here, independently of the app). */
const feasible = (fast: Range, slow: Range) => values(fast).reduce((n, f) => n + values(slow).filter((s) => f < s).length, 0);

async function chooseOption(page: Page, combobox: string, option: string): Promise<void> {
  await page.getByRole("combobox", { name: combobox, exact: true }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
  await expect(page.getByRole("combobox", { name: combobox, exact: true })).toContainText(option);
}

async function fillRanges(page: Page, ranges: Record<string, Range>): Promise<void> {
  for (const [name, r] of Object.entries(ranges)) {
    const group = page.getByRole("group", { name, exact: true });
    await group.getByRole("spinbutton", { name: "Min" }).fill(String(r.min));
    await group.getByRole("spinbutton", { name: "Max" }).fill(String(r.max));
    await group.getByRole("spinbutton", { name: "Step" }).fill(String(r.step));
  }
}

test("a trader optimises SMA crossover on a grid, cancels and resumes it, reads the heatmap and trials; then validates it walk-forward", async ({ page }) => {
  test.setTimeout(300_000);
  const fast = { min: 2, max: 40, step: 2 };
  const slow = { min: 20, max: 200, step: 10 };
  const points = feasible(fast, slow);
  expect(points).toBeGreaterThanOrEqual(150);
  expect(points).toBeLessThanOrEqual(400);
  let kept = 0;

  await test.step("a new trader opens the optimiser from the lab: the form, and no runs yet", async () => {
    await signUp(page, newAccount("trader"));
    await page.goto("/lab");
    await page.getByRole("main").getByRole("link", { name: "Optimise parameters" }).click();
    await expectPath(page, "/lab/optimize");
    await expect(page.getByRole("heading", { level: 1, name: "Optimise a strategy" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "No optimisations yet" })).toBeVisible();
  });

  await test.step("SMA crossover, ranges narrowed: the form counts the grid points fast < slow allows", async () => {
    await chooseOption(page, "Strategy", "SMA crossover (10/20)");
    // Prefilled with the declared bounds, with each parameter's description.
    const fastGroup = page.getByRole("group", { name: "fast", exact: true });
    await expect(fastGroup.getByRole("spinbutton", { name: "Min" })).toHaveValue("2");
    await expect(fastGroup.getByRole("spinbutton", { name: "Max" })).toHaveValue("100");
    await expect(fastGroup).toContainText("Fast SMA length in bars.");
    // The declared ranges make far more than 2,000 points: the form says so.
    await expect(page.getByText(/^More than 2,000 points/)).toBeVisible();

    await fillRanges(page, { fast, slow });
    await expect(page.getByTestId("grid-count")).toContainText(`${points} grid points satisfy the constraints (of ${values(fast).length * values(slow).length} on the grid)`);
    await expect(page.getByText(/^More than 2,000 points/)).toHaveCount(0);
    await chooseOption(page, "Objective", "Sharpe ratio");
    await chooseOption(page, "Market", "BTC/USDT");
    await chooseOption(page, "Timeframe", "1 hour");
  });

  await test.step("starts it on BTC/USDT 1h: the progress bar moves, with the best so far", async () => {
    await page.getByRole("button", { name: "Start optimisation" }).click();
    await expect(page).toHaveURL(/\/lab\/optimize\/opt_\w+$/);
    await expect(page.getByRole("heading", { level: 1, name: "Optimisation: SMA crossover (10/20)" })).toBeVisible();
    await expect(page.getByTestId("hypothetical-label")).toContainText("Hypothetical backtest — not a live record");
    const bar = page.getByRole("progressbar", { name: "Optimisation progress" });
    await expect(bar).toHaveAttribute("aria-valuemax", String(points));
    await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 30_000, intervals: [100] }).toBeGreaterThan(0);
    await expect(page.getByTestId("best-so-far")).toContainText("Best so far:");
  });

  await test.step("cancels it: Cancelled, the trials so far kept, and Resume", async () => {
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    const stopped = page.getByTestId("optimization-stopped");
    await expect(stopped.getByRole("heading", { name: "Cancelled" })).toBeVisible();
    await expect(page.getByRole("progressbar", { name: "Optimisation progress" })).toHaveCount(0);
    const text = (await stopped.getByText(/trials kept/).textContent()) ?? "";
    kept = Number(/^(\d+) of (\d+) trials kept/.exec(text.replace(/,/g, ""))?.[1] ?? Number.NaN);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(points);
    await expect(stopped.getByRole("button", { name: "Resume" })).toBeVisible();
    // What was kept stays kept: the page after a reload says the same.
    await page.reload();
    await expect(page.getByTestId("optimization-stopped")).toContainText(`${kept} of ${points} trials kept`);
  });

  await test.step("resumes it to the end", async () => {
    await page.getByRole("button", { name: "Resume" }).click();
    await expect(page.getByTestId("optimization-stopped")).toHaveCount(0);
    await expect(page.getByText("Done", { exact: true })).toBeVisible({ timeout: 180_000 });
    await expect(page.getByRole("progressbar", { name: "Optimisation progress" })).toHaveCount(0);
  });

  await test.step("the heatmap, the importance, the best-so-far chart and the trials table", async () => {
    const heatmap = page.getByRole("img", { name: /^Heatmap of Sharpe ratio by fast \(across\) and slow \(up\): best -?\d+\.\d{3} at fast \d+ · slow \d+; \d+ of \d+ cells tried\.$/ });
    await expect(heatmap).toBeVisible();
    // One cell per grid pair: every pair the constraint allows was tried, the others are hatched.
    const cells = values(fast).length * values(slow).length;
    await expect(heatmap.locator("[data-state]")).toHaveCount(cells);
    await expect(heatmap.locator('[data-state="excluded"]')).toHaveCount(cells - points);
    await expect(heatmap.locator('[data-state="untried"]')).toHaveCount(0);
    await expect(heatmap).toHaveAccessibleName(new RegExp(`; ${points} of ${points} cells tried\\.$`));
    // Focusing the map reads out its best cell.
    await heatmap.focus();
    await expect(page.getByTestId("heatmap-readout")).toContainText(/^fast \d+, slow \d+: Sharpe ratio -?\d+\.\d{3} \(trial \d+\)$/);

    await expect(page.getByTestId("importance").getByText("fast", { exact: true })).toBeVisible();
    await expect(page.getByTestId("importance").getByText("slow", { exact: true })).toBeVisible();
    await expect(page.getByRole("img", { name: /^Best objective so far by trial: / }).locator("canvas").first()).toBeVisible();

    await expect(page.getByRole("heading", { name: `Best trials (200 of ${points})` })).toBeVisible();
    const trials = page.getByTestId("trials-table");
    await expect(trials.getByRole("columnheader", { name: "Sharpe ratio" })).toBeVisible();
    await expect(trials.locator("tbody tr")).toHaveCount(25);
    await expect(trials.locator("tbody tr").first().locator("td").first()).toHaveText("1");
    await expect(trials.locator("tbody tr").first()).toContainText(/fast \d+ · slow \d+/);
  });

  await test.step("a walk-forward validation over a small grid: its verdict and windows", async () => {
    const small = { fast: { min: 4, max: 28, step: 8 }, slow: { min: 30, max: 150, step: 40 } };
    const perWindow = feasible(small.fast, small.slow);
    await page.goto("/lab/optimize");
    // The first run is listed, done.
    await expect(page.getByTestId("optimizations-list").locator("tbody tr")).toHaveCount(1);
    await expect(page.getByTestId("optimizations-list")).toContainText(`${points} / ${points} trials`);

    await chooseOption(page, "Strategy", "SMA crossover (10/20)");
    await fillRanges(page, small);
    await page.getByRole("checkbox", { name: /^Walk-forward validation/ }).check();
    await page.getByRole("radio", { name: /^Rolling/ }).check();
    await page.getByRole("spinbutton", { name: "Training bars" }).fill("6000");
    await page.getByRole("spinbutton", { name: "Test bars" }).fill("2000");
    await expect(page.getByTestId("grid-count")).toContainText(`${perWindow} trials per walk-forward window`);
    await page.getByRole("button", { name: "Start walk-forward" }).click();

    await expect(page).toHaveURL(/\/lab\/optimize\/opt_\w+$/);
    await expect(page.getByRole("heading", { level: 1, name: "Walk-forward: SMA crossover (10/20)" })).toBeVisible();
    await expect(page.getByText("Done", { exact: true })).toBeVisible({ timeout: 180_000 });
    // The verdict, either way.
    await expect(page.getByTestId("overfitting-warning").or(page.getByText("No overfitting signal found."))).toBeVisible();

    const windows = page.getByTestId("windows-table");
    const rows = windows.locator("tbody tr");
    const n = await rows.count();
    expect(n).toBeGreaterThan(1);
    await expect(page.getByRole("heading", { name: `Windows (${n})` })).toBeVisible();
    // Every window searched the whole small grid on its training bars.
    for (let i = 0; i < n; i++) await expect(rows.nth(i).locator("td").nth(4)).toHaveText(String(perWindow));
    await expect(rows.first().locator("td").first()).toHaveText("1");
    await expect(page.getByRole("img", { name: /^Equity curve: walk-forward out of sample, / }).locator("canvas").first()).toBeVisible();
    await expect(page.getByRole("heading", { name: "How to read this" })).toBeVisible();
  });
});

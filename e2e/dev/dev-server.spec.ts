/**
 * Issue 11, acceptance 2 (second half): the app under `next dev`, opened at http://127.0.0.1:<port> rather than
 * localhost, with no APP_URL. Before the fix Next refused its dev scripts to that origin, so pages rendered but
 * nothing ran (the live status said "Connecting…" for ever, buttons did nothing, charts stayed blank), and every link
 * said http://localhost:3000. Here the pages must work, and Settings' webhook URL and REST example must use the
 * address the page was opened on, with an example that the API accepts as it stands.
 */
import { DEMO, signIn } from "../fixtures";
import { DEV_BASE_URL } from "../../playwright.config";
import { expect, test } from "./dev-server";

test.describe.configure({ mode: "serial" });

/** The request a curl example shows, as fetch arguments (only the forms the example uses: -X, -H, -d '…'). */
function parseCurl(curl: string): { url: string; method: string; headers: Record<string, string>; body: string } {
  const url = /curl -X (\w+) (\S+)/.exec(curl);
  const body = /-d '([^']*)'/.exec(curl);
  if (!url || !body) throw new Error(`not a curl example this test can read:\n${curl}`);
  const headers = Object.fromEntries([...curl.matchAll(/-H "([^:"]+): ([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  return { method: url[1]!, url: url[2]!, headers, body: body[1]! };
}

test("at http://127.0.0.1 the pages are interactive: the live status connects, a chart draws, buttons work", async ({ page }) => {
  expect(new URL(DEV_BASE_URL).hostname).toBe("127.0.0.1");
  await signIn(page, DEMO.provider.email, DEMO.provider.password);

  // The signal book's live stream: only the page's own scripts open it.
  await page.goto("/signals");
  await expect(page.getByTitle("Receiving changes as they happen")).toBeVisible({ timeout: 90_000 });

  // A demo provider's equity chart, drawn in the browser (its track record is written after start-up: give it time).
  await expect(async () => {
    await page.goto("/providers/momentum-desk");
    await expect(page.getByTestId("equity-chart").locator("canvas").first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 180_000 });
});

test("Settings' webhook URL and REST example use the page's origin, and the example succeeds when run", async ({ page }) => {
  await signIn(page, DEMO.provider.email, DEMO.provider.password);
  await page.goto("/settings");

  // A button that only works with the page's scripts running: create an API key.
  await page.getByRole("textbox", { name: "Key name" }).fill("dev e2e");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent({ timeout: 60_000 }))?.trim() ?? "";
  expect(key).toMatch(/^tsk_/);

  // The TradingView webhook URL, created (or replaced, if the demo provider already has one) here.
  const create = page.getByRole("button", { name: "Create webhook URL" });
  if (await create.isVisible()) {
    await create.click();
  } else {
    // The first asks to confirm; the confirmation's button has the same name.
    await page.getByRole("button", { name: "Replace webhook URL" }).click();
    await page.getByRole("button", { name: "Replace webhook URL" }).click();
  }
  await expect(page.getByTestId("webhook-url")).toHaveText(new RegExp(`^${DEV_BASE_URL.replaceAll(".", "\\.")}/api/webhooks/tradingview/tv_[A-Za-z0-9_-]+$`));

  // The REST example: at this origin, built from the live price once it has loaded.
  const example = page.getByTestId("api-example");
  await expect(example).toHaveText(new RegExp(`^curl -X POST ${DEV_BASE_URL.replaceAll(".", "\\.")}/api/v1/signals `), { timeout: 60_000 });
  await expect(page.getByTestId("api-example-basis")).toContainText(/Built from the \S+ price of [\d.]+/);
  await expect(page.getByTestId("alert-levels-example")).toContainText(/"sl": "[\d.]+"/);

  // Run it as written, with the new key in place of the placeholder.
  const request = parseCurl((await example.textContent()) ?? "");
  expect(request.headers.Authorization).toBe("Bearer tsk_…");
  const res = await fetch(request.url, {
    method: request.method,
    headers: { ...request.headers, Authorization: `Bearer ${key}` },
    body: request.body,
  });
  const answer = (await res.json()) as { signal?: { symbol: string; side: string; status: string }; error?: unknown };
  expect(res.status, JSON.stringify(answer)).toBe(201);
  expect(answer.signal).toMatchObject({ symbol: JSON.parse(request.body).symbol, side: "long", status: "open" });
});

/**
 * The pages a newcomer meets first, as each kind of person sees them, at a desktop and a phone width: each must
 * render its heading with no error page, and on a phone nothing may push the page sideways (the whole page wider
 * than the screen). Each page is saved as test-results/screens/<page>-<width>.png, for a person to look at.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { expect, storageState, test, type DemoRole } from "../fixtures";

const OUT = path.join("test-results", "screens");
const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

interface Screen {
  name: string;
  path: string;
  as: DemoRole | "visitor";
  heading: RegExp;
}

const SCREENS: Screen[] = [
  { name: "marketplace", path: "/providers", as: "visitor", heading: /marketplace|providers/i },
  { name: "profile", path: "/providers/momentum-desk", as: "visitor", heading: /Momentum Desk/ },
  { name: "dashboard-trader", path: "/dashboard", as: "trader", heading: /^Dashboard$/ },
  { name: "dashboard-provider", path: "/dashboard", as: "provider", heading: /^Dashboard$/ },
  { name: "settings-provider", path: "/settings", as: "provider", heading: /^Settings$/ },
  { name: "settings-trader", path: "/settings", as: "trader", heading: /^Settings$/ },
  { name: "admin-users", path: "/admin/users", as: "admin", heading: /users/i },
  { name: "admin-jobs", path: "/admin/jobs", as: "admin", heading: /^Jobs$/ },
];

async function open(browser: Browser, as: Screen["as"], viewport: (typeof WIDTHS)[number]): Promise<Page> {
  const context = await browser.newContext({ viewport, ...(as === "visitor" ? {} : { storageState: storageState(as) }) });
  return context.newPage();
}

fs.mkdirSync(OUT, { recursive: true });

for (const screen of SCREENS) {
  for (const viewport of WIDTHS) {
    test(`${screen.name} at ${viewport.width} px renders without sideways scrolling`, async ({ browser }) => {
      const page = await open(browser, screen.as, viewport);
      try {
        const res = await page.goto(screen.path);
        expect(res?.status(), `${screen.path} answered ${res?.status()}`).toBe(200);
        await expect(page.getByRole("heading", { level: 1, name: screen.heading })).toBeVisible();
        // Client components (charts, live status) settle before the picture is taken; the live stream keeps a
        // request open, so "network idle" never comes.
        await page.waitForLoadState("load");
        await page.waitForTimeout(1_000);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        await page.screenshot({ path: path.join(OUT, `${screen.name}-${viewport.width}.png`), fullPage: true });
        expect(overflow, `${screen.path} at ${viewport.width} px is ${overflow} px wider than the screen`).toBeLessThanOrEqual(1);
      } finally {
        await page.context().close();
      }
    });
  }
}

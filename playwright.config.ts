/**
 * End-to-end journeys against the production build (`next build` then `next start`), as a person meets the app.
 * The build is made beforehand (`.ci/run`, or `npm run build` before `npm run test:e2e`); only when there is no
 * build at all does the web server command make one. Each run starts the server on a wiped data directory, so
 * the embedded database is migrated and seeded afresh.
 *
 * The browser is the system Chromium (Debian's `chromium` package): this machine cannot download Playwright's own
 * browser builds, so `playwright install` is never used.
 *
 * Three projects, as documenso lays them out:
 * - `setup` (e2e/auth.setup.ts): signs the demo admin, provider and trader in once through the form and saves each
 *   one's browser state in e2e/.auth/<role>.json (gitignored; written afresh every run);
 * - `ui` (e2e/ui): the journeys in the browser; those acting as a demo account start from its saved state
 *   (`test.use({ storageState })`, or a context of its own when a journey needs two), those about new accounts
 *   sign up through the form;
 * - `api` (e2e/api): `/api/v1` and the webhooks (TradingView, Stripe) over plain HTTP, no browser; the
 *   TradingView crash and race checks run their own server on PostgreSQL.
 * `ui` and `api` depend on `setup`, so `npx playwright test --project=api` still signs the demo accounts in first.
 * - `dev` (e2e/dev): the app under `next dev` with no APP_URL, opened at http://127.0.0.1:<E2E_DEV_PORT> (default
 *   3101, not localhost and not 3000, as issue 11 asks), on a data directory of its own. Its server is started by
 *   the project's own fixture (e2e/dev/dev-server.ts), not by `webServer`, so the other projects never wait for a
 *   dev server; `next dev` writes only to .next/dev, so it runs beside the production build. When only this project
 *   is asked for (`--project=dev`), the `next start` server is not started at all.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";

const root = path.dirname(fileURLToPath(import.meta.url));
const PORT = Number(process.env.E2E_PORT || 3100);
const baseURL = `http://127.0.0.1:${PORT}`;
const DATA_DIR = ".data/e2e";
const isCI = Boolean(process.env.CI);
/** The `dev` project's `next dev` server: its port, address and data directory (e2e/dev/dev-server.ts starts it). */
export const DEV_PORT = Number(process.env.E2E_DEV_PORT || 3101);
export const DEV_BASE_URL = `http://127.0.0.1:${DEV_PORT}`;
export const DEV_DATA_DIR = ".data/e2e-dev";

// Fixed, clearly fake secrets: production mode refuses to start without them, and the e2e database is throwaway.
const E2E_AUTH_SECRET = "e2e-only-auth-secret-do-not-use-in-production-0000";
const E2E_ENCRYPTION_KEY = "0123456789abcdef".repeat(4);

// Recorded market data for the replay adapter (publishing needs prices; the demo track records come from it).
const sharedData = path.resolve(root, "..", "shared", "data");
export const MARKET_DATA_DIR = process.env.MARKET_DATA_DIR || (fs.existsSync(path.join(sharedData, "candles")) ? sharedData : "");

/** The browser for the projects that use one. */
const chromium = {
  ...devices["Desktop Chrome"],
  viewport: { width: 1280, height: 800 },
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

const hasBuild = fs.existsSync(path.join(root, ".next", "BUILD_ID"));
// Wiping in the command, not in globalSetup: Playwright starts the web server before globalSetup runs.
const wipeData = `node -e "require('node:fs').rmSync('${DATA_DIR}', { recursive: true, force: true })"`;
const start = `npm run start -- -p ${PORT} -H 127.0.0.1`;

/** The projects named on the command line (`--project=a`, `--project a`); empty when none are, i.e. all of them. */
function projectsAsked(argv: string[]): string[] {
  return argv.flatMap((arg, i) => (arg.startsWith("--project=") ? [arg.slice("--project=".length)] : arg === "--project" && argv[i + 1] ? [argv[i + 1]!] : []));
}
const asked = projectsAsked(process.argv);
// The dev project brings its own server: asked for alone, it needs neither the build nor `next start`.
const onlyDev = asked.length > 0 && asked.every((p) => p === "dev");

export default defineConfig({
  testDir: "e2e",
  // Playwright empties its outputDir at the start of a run; keep it apart from the other reports in test-results/.
  outputDir: "test-results/e2e-artifacts",
  fullyParallel: false,
  forbidOnly: isCI,
  // Two cores share the server and the browser: one worker is faster than two contending ones.
  workers: 1,
  retries: isCI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    navigationTimeout: 30_000,
    actionTimeout: 15_000,
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/, use: chromium },
    { name: "ui", testDir: "e2e/ui", dependencies: ["setup"], use: chromium },
    { name: "api", testDir: "e2e/api", dependencies: ["setup"] },
    // A page is compiled on its first request: waits are longer than against the build.
    {
      name: "dev",
      testDir: "e2e/dev",
      timeout: 300_000,
      expect: { timeout: 90_000 },
      use: { ...chromium, baseURL: DEV_BASE_URL, navigationTimeout: 120_000, actionTimeout: 60_000 },
    },
  ],
  webServer: onlyDev ? undefined : {
    command: hasBuild ? `${wipeData} && ${start}` : `${wipeData} && npm run build && ${start}`,
    // The marketplace reads the database, so the server counts as ready only once the embedded database is open,
    // migrated and seeded: the first sign-in then does not pay for that (12–16 s on a cold two-core machine).
    url: `${baseURL}/providers`,
    reuseExistingServer: !isCI,
    // A cold build inside the command needs longer than a plain start.
    timeout: hasBuild ? 180_000 : 600_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      NODE_ENV: "production",
      DATA_DIR,
      APP_URL: baseURL,
      AUTH_SECRET: E2E_AUTH_SECRET,
      ENCRYPTION_KEY: E2E_ENCRYPTION_KEY,
      // Always the embedded database, even when the calling shell exported DATABASE_URL for the PostgreSQL tests.
      DATABASE_URL: "",
      LOG_LEVEL: "warn",
      MARKET_DATA_DIR,
      // Production mode offers the in-process "Local test exchange" connection only when asked (e2e/ui/exchange-connections.spec.ts).
      LOCAL_TEST_EXCHANGE: "1",
      // Every spec signs up from 127.0.0.1: more than the 10 accounts an hour one address may create.
      SIGN_UP_LIMIT_PER_HOUR: "100",
    },
  },
});

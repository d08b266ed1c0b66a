/**
 * The `dev` project's server: `next dev` as a person starts it (`npm run dev`, no -H, so it listens on every
 * address and prints a "Network" one), with no APP_URL, on a wiped data directory of its own, which it migrates and
 * seeds on start. Started once per worker by the `devServer` fixture and stopped after, so only this project pays
 * for it. Its output goes to test-results/e2e-dev-server.log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test as base } from "@playwright/test";
import { DEV_BASE_URL, DEV_DATA_DIR, DEV_PORT, MARKET_DATA_DIR } from "../../playwright.config";
import { stopProcessGroup } from "../process-group";

export { expect } from "@playwright/test";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LOG = path.join(ROOT, "test-results", "e2e-dev-server.log");
/** A cold `next dev` compiles the sign-in page on its first request; two busy cores can take a while. */
const READY_TIMEOUT_MS = 240_000;

function devEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // What this project is about: no APP_URL, so links must come from the address the page was opened on. The rest
  // would make the run depend on the calling shell (a production NODE_ENV, a PostgreSQL URL, a proxy setting).
  for (const key of ["APP_URL", "NODE_ENV", "PORT", "DATABASE_URL", "TRUSTED_PROXY_HOPS", "TRUST_PROXY", "AUTH_SECRET", "ENCRYPTION_KEY"]) delete env[key];
  return {
    ...env,
    DATA_DIR: DEV_DATA_DIR,
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    // The recordings when present; else synthetic prices, so the examples have a quote offline too.
    ...(MARKET_DATA_DIR ? { MARKET_DATA_DIR } : { MARKET_DATA_DIR: "", MARKET_EXCHANGE: "none" }),
  };
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function untilReady(child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next dev exited with ${child.exitCode}:\n${tail(LOG)}`);
    try {
      // The first request compiles the page; start-up (migrations, demo accounts) is done before any is answered.
      const res = await fetch(`${DEV_BASE_URL}/signin`, { signal: AbortSignal.timeout(Math.max(1_000, deadline - Date.now())) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`next dev did not answer ${DEV_BASE_URL}/signin within ${READY_TIMEOUT_MS / 1000} s:\n${tail(LOG)}`);
}

async function startDevServer(): Promise<ChildProcess> {
  fs.rmSync(path.join(ROOT, DEV_DATA_DIR), { recursive: true, force: true });
  fs.mkdirSync(path.dirname(LOG), { recursive: true });
  const out = fs.openSync(LOG, "w");
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "dev", "-p", String(DEV_PORT)], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", out, out],
    env: devEnv(),
  });
  fs.closeSync(out);
  try {
    await untilReady(child);
  } catch (err) {
    await stopProcessGroup(child);
    throw err;
  }
  return child;
}

/** Every test of the project runs against the one dev server of its worker (auto fixture). */
export const test = base.extend<object, { devServer: string }>({
  devServer: [
    // `provide` is Playwright's `use` (named so the React hooks lint rule does not take it for React's).
    async ({}, provide) => {
      const child = await startDevServer();
      try {
        await provide(DEV_BASE_URL);
      } finally {
        await stopProcessGroup(child);
      }
    },
    { scope: "worker", auto: true, timeout: READY_TIMEOUT_MS + 30_000 },
  ],
});

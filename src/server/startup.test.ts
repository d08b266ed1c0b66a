/**
 * Start-up seeding of the demo accounts (issue 9, defect 9). In development the demo credentials are printed once,
 * for the person trying the app. In production (`next start`, SEED_DEMO=1 on PostgreSQL, or the embedded database)
 * no password reaches the log: the log says the accounts exist and how to give them passwords of your own.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { users } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { DEMO_ACCOUNTS, demoCredentialsBanner } from "@/server/services/seed";
import { startServer } from "./startup";

const overrides = vi.hoisted(() => ({}) as Record<string, unknown>);
vi.mock("@/env", async (importOriginal) => {
  const { env } = await importOriginal<typeof import("@/env")>();
  return { env: new Proxy(env, { get: (target, key) => (typeof key === "string" && key in overrides ? overrides[key] : Reflect.get(target, key)) }) };
});
// The slow or stateful parts of start-up that this test is not about.
vi.mock("@/server/services/seed/billing", () => ({ seedDemoBilling: vi.fn(async () => undefined) }));
vi.mock("@/server/services/seed/track-records", () => ({ backfillDemoTrackRecords: vi.fn(async () => ({ signals: 0, providers: 0, prices: null })) }));
vi.mock("@/server/jobs/client", async (importOriginal) => ({ ...(await importOriginal<typeof import("@/server/jobs/client")>()), jobsMode: () => "inngest" }));

const t = useTestDatabase();
afterEach(() => {
  for (const key of Object.keys(overrides)) delete overrides[key];
  vi.restoreAllMocks();
});

const PRODUCTION = { NODE_ENV: "production", SEED_DEMO: true, APP_URL: "https://signals.example.com", AUTH_SECRET: "startup-test-auth-secret-0123456789abcdef", ENCRYPTION_KEY: "ab".repeat(32) };

/** Everything start-up writes to the console or the logger, as text. */
function captureOutput() {
  const lines: string[] = [];
  const keep = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  for (const method of ["log", "info", "warn", "error", "debug"] as const) vi.spyOn(console, method).mockImplementation(keep);
  for (const level of ["fatal", "error", "warn", "info", "debug", "trace"] as const) vi.spyOn(logger, level).mockImplementation(keep as never);
  return () => lines.join("\n");
}

describe("start-up with demo seeding", () => {
  it("in production, seeds the demo accounts and logs no password, only that they exist and how to set passwords", async () => {
    Object.assign(overrides, PRODUCTION);
    const output = captureOutput();
    await startServer();
    expect(await t.db.query.users.findFirst({ where: eq(users.email, "admin@tradsy.dev"), columns: { id: true } })).toBeDefined();
    const text = output();
    expect(DEMO_ACCOUNTS).toHaveLength(3); // admin, provider, trader: each is checked below
    for (const account of DEMO_ACCOUNTS) {
      expect(text).not.toContain(account.password);
      expect(text).toContain(account.email);
    }
    expect(text).toMatch(/Settings → Password/);
  });

  it("in development, prints the demo credentials once on the console", async () => {
    // SEED_DEMO for a PostgreSQL test database; the embedded one is seeded anyway.
    Object.assign(overrides, { NODE_ENV: "development", SEED_DEMO: true });
    const output = captureOutput();
    await startServer();
    const text = output();
    expect(DEMO_ACCOUNTS).toHaveLength(3);
    for (const account of DEMO_ACCOUNTS) {
      expect(text).toContain(account.email);
      expect(text).toContain(account.password);
    }
  });

  it("gives every caller of the banner (start-up, npm run db:seed) no passwords in production", () => {
    Object.assign(overrides, PRODUCTION);
    const banner = demoCredentialsBanner();
    expect(DEMO_ACCOUNTS).toHaveLength(3);
    for (const account of DEMO_ACCOUNTS) expect(banner).not.toContain(account.password);
    overrides.NODE_ENV = "test";
    for (const account of DEMO_ACCOUNTS) expect(demoCredentialsBanner()).toContain(account.password);
  });
});

describe("start-up without a trusted proxy (issue 9, defect 4)", () => {
  const warning = /TRUSTED_PROXY_HOPS is 0.*shared by all callers.*set TRUSTED_PROXY_HOPS/s;

  it("in production with TRUSTED_PROXY_HOPS unset, warns that per-address limits are shared by every caller", async () => {
    Object.assign(overrides, PRODUCTION, { SEED_DEMO: false, TRUSTED_PROXY_HOPS: undefined, TRUST_PROXY: false });
    const output = captureOutput();
    await startServer();
    expect(output()).toMatch(warning);
  });

  it("says nothing of it once a proxy is configured, or outside production", async () => {
    Object.assign(overrides, PRODUCTION, { SEED_DEMO: false, TRUSTED_PROXY_HOPS: 1 });
    let output = captureOutput();
    await startServer();
    expect(output()).not.toMatch(/TRUSTED_PROXY_HOPS/);
    vi.restoreAllMocks();
    Object.assign(overrides, { NODE_ENV: "development", TRUSTED_PROXY_HOPS: undefined, TRUST_PROXY: false });
    output = captureOutput();
    await startServer();
    expect(output()).not.toMatch(/TRUSTED_PROXY_HOPS/);
  });
});

describe("start-up without APP_URL (issue 11, item 3)", () => {
  it("refuses to start in production, like without AUTH_SECRET: links would otherwise depend on request headers", async () => {
    Object.assign(overrides, PRODUCTION, { SEED_DEMO: false, APP_URL: undefined });
    await expect(startServer()).rejects.toThrow(/Refusing to start in production without APP_URL/);
  });

  it("starts without it in development", async () => {
    Object.assign(overrides, { NODE_ENV: "development", SEED_DEMO: false, APP_URL: undefined });
    captureOutput();
    await expect(startServer()).resolves.toBeUndefined();
  });
});

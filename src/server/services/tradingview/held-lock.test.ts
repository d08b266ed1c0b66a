/**
 * A provider row held for long (a stuck price-monitor transaction, a process that lost its network while holding
 * it) must not hold TradingView deliveries for ever, nor the connections they wait on: every way an alert takes
 * the provider's lock gives up after the lock timeout and answers a retryable 503 (TradingView resends 5 s later).
 * And PostgreSQL must find out on its own when the process on the other end of a connection is gone (TCP
 * keepalives), so a transaction whose process vanished without closing its socket does not keep its locks.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProviderWithWebhook } from "@/test/signals";
import { db } from "@/server/db";
import { providers } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { publishSignal } from "@/server/services/signals";
import { handleAlert } from "@/server/services/tradingview";
import { serviceContext } from "@/server/services/context";

const t = useTestDatabase();
useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const alert = (action: string, id: string) => JSON.stringify({ ticker: "BTCUSDT", action, alert_id: id });

/** Holds the provider's row for `ms` from another connection; `during` starts while it is held. */
async function whileHeld<T>(providerId: string, ms: number, during: () => Promise<T>): Promise<T> {
  let pending!: Promise<T>;
  await db.transaction(async (tx) => {
    await tx.select({ id: providers.id }).from(providers).where(eq(providers.id, providerId)).for("no key update");
    pending = during();
    await Promise.race([pending.catch(() => undefined), new Promise((r) => setTimeout(r, ms))]);
  });
  return pending;
}

describe("a provider row held longer than the lock timeout (PostgreSQL)", () => {
  it("an opening alert, from a provider this process knows or not, answers 503 with Retry-After instead of waiting", async (ctx) => {
    if (t.handle.kind !== "postgres") return ctx.skip(); // PGlite runs one transaction at a time: nothing waits on a lock
    const p = await newProviderWithWebhook();
    const { token } = p;
    // First an alert from a provider this process has not seen; then one from a provider it has (the fast way).
    for (const id of ["unknown-1", "known-1"]) {
      const started = Date.now();
      const answer = await whileHeld(p.provider.id, 4000, () => handleAlert(serviceContext(), token, alert("long", id), "application/json"));
      expect(answer, id).toMatchObject({ status: 503, headers: { "retry-after": "5" } });
      expect(Date.now() - started, id).toBeLessThan(4000);
      // Once the row is free, the resend is processed.
      expect((await handleAlert(serviceContext(), token, alert("long", id), "application/json")).status, id).toBe(201);
    }
  });

  it("an exit answers 503 with Retry-After instead of waiting", async (ctx) => {
    if (t.handle.kind !== "postgres") return ctx.skip();
    const p = await newProviderWithWebhook();
    const { token } = p;
    await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui");
    const answer = await whileHeld(p.provider.id, 4000, () => handleAlert(serviceContext(), token, alert("exit", "x-1"), "application/json"));
    expect(answer).toMatchObject({ status: 503, headers: { "retry-after": "5" } });
    expect((await handleAlert(serviceContext(), token, alert("exit", "x-1"), "application/json")).body).toMatchObject({ action: "closed" });
  });

  it("the app's connections ask PostgreSQL to probe an idle client within seconds", async (ctx) => {
    if (t.handle.kind !== "postgres") return ctx.skip();
    const { openPostgres } = await import("@/server/db");
    const own = await openPostgres(process.env.DATABASE_URL!);
    try {
      const [row] = await rawRowsOf(own.db);
      expect(Number(row!.idle)).toBeGreaterThan(0);
      expect(Number(row!.idle)).toBeLessThanOrEqual(30);
      expect(Number(row!.check)).toBeGreaterThan(0);
    } finally {
      await own.close();
    }
  });
});

async function rawRowsOf(executor: typeof db) {
  // pg_settings.setting is in the setting's base unit (seconds for the keepalive, ms for the check interval).
  const res = (await executor.execute(
    sql`select (select setting from pg_settings where name = 'tcp_keepalives_idle') as idle, (select setting from pg_settings where name = 'client_connection_check_interval') as check`,
  )) as unknown;
  return (Array.isArray(res) ? res : (res as { rows: Record<string, unknown>[] }).rows) as { idle: string; check: string }[];
}

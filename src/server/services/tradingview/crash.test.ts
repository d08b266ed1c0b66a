/**
 * A TradingView delivery whose server process dies mid-way must be processed exactly once when it is delivered
 * again (TradingView resends after a 5xx or a timeout; people retry by hand). Nothing a dead process claimed may
 * stay claimed: the redelivery after a restart acts on the alert, and a further repeat gets the recorded answer.
 *
 * Reproduces issue 9, defect 1: a just-started process (no cached provider) receives a `sell` while another
 * transaction holds the provider row (the price monitor, a manual close) and is killed with SIGKILL; the
 * redelivery must not be refused as "already being processed" for ever.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { startAlertProcess } from "@/test/processes";
import { actingAs, newProviderWithWebhook, rawRows } from "@/test/signals";
import { db } from "@/server/db";
import { signalEvents, signals, webhookDeliveries } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { verifyStoredChain } from "@/server/services/chain";
import { publishSignal } from "@/server/services/signals";
import { handleAlert } from "@/server/services/tradingview";
import { serviceContext } from "@/server/services/context";

const t = useTestDatabase();
useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

async function until(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function databaseUrl(): Promise<string> {
  const [row] = await rawRows<{ name: string }>(sql`select current_database() as name`);
  const name = row!.name;
  return process.env.DATABASE_URL!.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
}

describe("a delivery interrupted by a crash", () => {
  it("is processed exactly once when redelivered after a restart (PostgreSQL, real SIGKILL)", { timeout: 60_000 }, async (ctx) => {
    if (t.handle.kind !== "postgres") return ctx.skip(); // PGlite is one process: a crash takes the database with it
    const p = await newProviderWithWebhook();
    const { token } = p;
    const { signal: long } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui");
    const sell = JSON.stringify({ ticker: "BTCUSDT", action: "sell", alert_id: "crash-sell-1" });

    // Another transaction holds the provider row, as the price monitor or a manual close does.
    const own = await databaseUrl();
    const holder = postgres(own, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let lockTaken!: () => void;
    const taken = new Promise<void>((r) => (lockTaken = r));
    const holding = holder.begin(async (tx) => {
      await tx`select id from providers where id = ${p.provider.id} for no key update`;
      lockTaken();
      await released;
    });
    await taken;

    // A just-started server process receives the sell, blocks behind the holder, and is killed.
    const crashed = await startAlertProcess(own);
    void crashed.send(token, sell);
    await until("the process waits on the provider's lock", async () => {
      const [row] = await rawRows<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      return row!.n > 0;
    });
    await crashed.kill();
    release();
    await holding;
    await holder.end({ timeout: 1 });

    // The restarted server (this process) gets the alert again: a TradingView resend, or the user's retry. While
    // the dead process's claim has not expired, the answer may only be a retryable 503, never a final refusal.
    let again = await handleAlert(serviceContext(), token, sell, "application/json");
    const started = Date.now();
    while (again.status === 503 && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 200));
      again = await handleAlert(serviceContext(), token, sell, "application/json");
    }
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ action: "closed" });

    // Exactly one effect: the long is closed once; a further repeat is answered from the record.
    const rows = await db.select().from(signals).where(eq(signals.providerId, p.provider.id)).orderBy(asc(signals.number));
    expect(rows.map((s) => [s.id, s.status])).toEqual([[long.id, "closed"]]);
    const events = await db.select().from(signalEvents).where(eq(signalEvents.providerId, p.provider.id)).orderBy(asc(signalEvents.seq));
    expect(events.map((e) => e.kind)).toEqual(["published", "closed"]);
    expect(await handleAlert(serviceContext(), token, sell, "application/json")).toMatchObject({ status: 200, body: { duplicate: true, action: "closed" } });
    expect(await db.select({ status: webhookDeliveries.status }).from(webhookDeliveries)).toEqual([{ status: 200 }]);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });
});

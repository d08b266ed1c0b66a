/**
 * Alerts that exit and would open: what happens when the open part is refused. A reversal whose new position cannot
 * be opened still leaves the old one (the strategy has left it; TradingView never resends after a 4xx, so undoing
 * the exit would keep a position the provider no longer holds), and says so; a close-or-open alert that only
 * closes does not spend the provider's publishing quota on the open it did not make.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProviderWithWebhook } from "@/test/signals";
import { db } from "@/server/db";
import { signals, webhookDeliveries } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { PUBLISH_RATE, publishSignal } from "@/server/services/signals";
import { handleAlert } from "@/server/services/tradingview";
import { serviceContext } from "@/server/services/context";

useTestDatabase();
useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const alert = (fields: Record<string, unknown>) => JSON.stringify({ ticker: "BTCUSDT", ...fields });
const rowsOf = (providerId: string) => db.select().from(signals).where(eq(signals.providerId, providerId)).orderBy(asc(signals.number));

describe("an alert whose open is refused after its exit", () => {
  it("a reversal refused at the open closes the old side, answers the refusal with what it closed, and a repeat gets the same", async () => {
    const p = await newProviderWithWebhook();
    const { signal: long } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui");
    // A short's stop must sit above the price (32045.14).
    const body = alert({ action: "short", sl: "31000", alert_id: "rev-1" });
    const answer = await handleAlert(serviceContext(), p.token, body, "application/json");
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ action: "closed", signals: [{ id: long.id, status: "closed" }], error: { message: expect.stringMatching(/Closed the long on BTC\/USDT.*short was not opened.*Stop-loss must be above the entry/s) } });
    expect((await rowsOf(p.provider.id)).map((s) => [s.side, s.status])).toEqual([["long", "closed"]]);
    expect(await db.select({ status: webhookDeliveries.status }).from(webhookDeliveries)).toEqual([{ status: 400 }]);
    const repeat = await handleAlert(serviceContext(), p.token, body, "application/json");
    expect(repeat).toMatchObject({ status: 400, body: { duplicate: true, action: "closed" } });
    expect(await rowsOf(p.provider.id)).toHaveLength(1);
  });

  it("a sell that only closes the long gives back the quota point its open's checks took", async () => {
    const p = await newProviderWithWebhook();
    await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui");
    for (let i = 2; i < PUBLISH_RATE.points; i++) await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "long" }, "ui");
    // One publication left in this minute. A sell with a stop that would not suit a short: it closes the long.
    const closed = await handleAlert(serviceContext(), p.token, alert({ action: "sell", sl: "31000", alert_id: "s-1" }), "application/json");
    expect(closed).toMatchObject({ status: 200, body: { action: "closed" } });
    // …and the quota still has the one left.
    const { created } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "EUR/USD", side: "long" }, "ui");
    expect(created).toBe(true);
  });
});

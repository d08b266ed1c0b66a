/**
 * Alerts that open and close positions on one provider and symbol, racing each other. Each must be judged on the
 * state it finds under the provider's lock, in the order the lock serialises them: a close never dates before the
 * opening it closes, two closes of one position never both close it, and a valid alert never answers 5xx.
 *
 * Reproduces issue 9, defect 2 (`closedAt is before openedAt` → 500; a second `sell` → 409 "already closed") and
 * checks acceptance 3 (1,000 racing buy/sell alerts: no 5xx, the chain verifies).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProviderWithWebhook } from "@/test/signals";
import { db } from "@/server/db";
import { signalEvents, signals, webhookDeliveries } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { verifyStoredChain } from "@/server/services/chain";
import { publishSignal } from "@/server/services/signals";
import { handleAlert } from "@/server/services/tradingview";
import { serviceContext } from "@/server/services/context";
import { POST } from "@/app/api/webhooks/tradingview/[token]/route";

// The track-record roll-up each close starts is not what these races are about, and 500 of them would dominate.
vi.mock("@/server/jobs/events", () => ({ sendEvent: async () => ({ mode: "inline", ids: [], completion: Promise.resolve([]) }) }));

useTestDatabase();
useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const alert = (action: string, id: string) => JSON.stringify({ ticker: "BTCUSDT", action, alert_id: id });

async function deliver(token: string, body: string) {
  const res = await POST(new Request(`http://localhost:3000/api/webhooks/tradingview/${token}`, { method: "POST", headers: { "content-type": "application/json" }, body }), {
    params: Promise.resolve({ token }),
  });
  return { status: res.status, body: (await res.json()) as { action?: string; error?: { message: string } } };
}

async function signalsOf(providerId: string) {
  return db.select().from(signals).where(eq(signals.providerId, providerId)).orderBy(asc(signals.number));
}

/** Every closed signal closes at or after it opened; a provider never holds a long and a short on one symbol. */
function expectConsistent(rows: (typeof signals.$inferSelect)[]) {
  for (const s of rows) {
    if (s.closedAt) expect(s.closedAt.getTime(), `${s.id} closes before it opened`).toBeGreaterThanOrEqual((s.filledAt ?? s.publishedAt).getTime());
  }
  const live = rows.filter((s) => s.status === "open" || s.status === "pending");
  expect(new Set(live.map((s) => s.side)).size, "a long and a short live at once").toBeLessThanOrEqual(1);
}

describe("a close and an open racing on one provider and symbol", () => {
  it("a sell that arrived before a buy but runs after it closes the buy's long, not before it opened (no 500)", async () => {
    const p = await newProviderWithWebhook();
    const arrived = new Date();
    // The buy arrived a second later but got the provider's lock first.
    const buy = await handleAlert(serviceContext({ now: new Date(arrived.getTime() + 1000) }), p.token, alert("buy", "b-1"), "application/json");
    expect(buy.status).toBe(201);
    const sell = await handleAlert(serviceContext({ now: arrived }), p.token, alert("sell", "s-1"), "application/json");
    expect(sell.status, JSON.stringify(sell.body)).toBe(200);
    expect(sell.body).toMatchObject({ action: "closed" });
    const rows = await signalsOf(p.provider.id);
    expect(rows.map((s) => [s.side, s.status])).toEqual([["long", "closed"]]);
    expectConsistent(rows);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("two sells at once with one long open: one closes it, the other (finding nothing to close) opens a short", async () => {
    const p = await newProviderWithWebhook();
    await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui");
    const answers = await Promise.all([deliver(p.token, alert("sell", "s-1")), deliver(p.token, alert("sell", "s-2"))]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(answers.map((a) => a.body.action).sort()).toEqual(["closed", "opened"]);
    const rows = await signalsOf(p.provider.id);
    expect(rows.map((s) => [s.side, s.status])).toEqual([
      ["long", "closed"],
      ["short", "open"],
    ]);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("1,000 buy and sell alerts racing (10 at a time): no 5xx, one recorded answer each, a consistent record and a verified chain", { timeout: 240_000 }, async () => {
    const p = await newProviderWithWebhook();
    const bodies = Array.from({ length: 1000 }, (_, i) => alert(i % 2 ? "sell" : "buy", `race-${i}`));
    const answers: { status: number; body: unknown }[] = [];
    for (let i = 0; i < bodies.length; i += 10) {
      // The provider's own publish quota is not what this race is about.
      resetRateLimits();
      answers.push(...(await Promise.all(bodies.slice(i, i + 10).map((b) => deliver(p.token, b)))));
    }
    const byStatus = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    expect(Object.keys(byStatus).filter((s) => Number(s) >= 500), JSON.stringify(answers.find((a) => a.status >= 500))).toEqual([]);
    // Distinct alerts with nothing wrong with them: each either opened (201) or closed (200).
    expect(byStatus, JSON.stringify(answers.find((a) => a.status !== 200 && a.status !== 201))).toEqual({ 200: expect.any(Number), 201: expect.any(Number) });
    expect(await db.$count(webhookDeliveries)).toBe(1000);
    const rows = await signalsOf(p.provider.id);
    expect(rows).toHaveLength(byStatus[201]!);
    expectConsistent(rows);
    // Each close is one answer's doing: a sell closes every long it finds (and a buy every short), once.
    const closedByAnswers = answers.flatMap((a) => (a.status === 200 ? ((a.body as { signals?: { id: string }[] }).signals ?? []) : [])).map((s) => s.id);
    expect(new Set(closedByAnswers).size).toBe(closedByAnswers.length);
    const closedEvents = await db.select({ signalId: signalEvents.signalId }).from(signalEvents).where(eq(signalEvents.kind, "closed"));
    expect(closedEvents.map((e) => e.signalId).sort()).toEqual(closedByAnswers.sort());
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });
});

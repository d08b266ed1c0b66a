/**
 * Publishing rules, through the three ways in (the service the web form's procedure calls, tRPC `signals.publish`,
 * and `POST /api/v1/signals` with an API key): every refusal is a 4xx naming the problem and writes nothing,
 * idempotency keys make retries harmless, the per-provider rate limit holds across all three, and each publication
 * adds exactly one entry to the provider's hash chain.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, jsonRequest, newApiKey, newProvider, rowCounts } from "@/test/signals";
import { db } from "@/server/db";
import { signalEvents, signals } from "@/server/db/schema";
import { DomainError, statusOf } from "@/server/errors";
import { resetRateLimits } from "@/server/rate-limit";
import { verifyStoredChain } from "@/server/services/chain";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { GENESIS_HASH } from "@/lib/chain";
import * as restRoute from "@/app/api/v1/signals/route";
import { PUBLISH_RATE, publishSignal } from "./index";

useTestDatabase();
const market = useFakeMarket();
beforeEach(async () => {
  resetRateLimits();
  await waitForInlineRuns();
});

const BTC = "32045.14";

interface Outcome {
  /** HTTP status the caller sees (tRPC and service errors mapped the way their adapters map them). */
  status: number;
  message: string;
  created?: boolean;
  signalId?: string;
}

type Publisher = Awaited<ReturnType<typeof newProvider>> & { apiKey: string };

const paths: Record<string, (p: Publisher, input: Record<string, unknown>, headers?: Record<string, string>) => Promise<Outcome>> = {
  service: async (p, input) => {
    try {
      const r = await publishSignal(actingAs(p.user), p.provider.id, input, "ui");
      return { status: r.created ? 201 : 200, message: "", created: r.created, signalId: r.signal.id };
    } catch (err) {
      if (err instanceof DomainError) return { status: statusOf(err.kind), message: err.message };
      throw err;
    }
  },
  trpc: async (p, input) => {
    try {
      const r = await p.caller.signals.publish(input as never);
      return { status: r.created ? 201 : 200, message: "", created: r.created, signalId: r.signal.id };
    } catch (err) {
      if (err instanceof TRPCError) return { status: getHTTPStatusCodeFromError(err), message: err.message };
      throw err;
    }
  },
  rest: async (p, input, headers = {}) => {
    const res = await restRoute.POST(jsonRequest("http://localhost:3000/api/v1/signals", "POST", input, { authorization: `Bearer ${p.apiKey}`, ...headers }));
    const body = (await res.json()) as { error?: { message: string }; created?: boolean; signal?: { id: string } };
    return { status: res.status, message: body.error?.message ?? "", created: body.created, signalId: body.signal?.id };
  },
};

async function publisher(): Promise<Publisher> {
  const p = await newProvider();
  return { ...p, apiKey: await newApiKey(p) };
}

const long = (extra: Record<string, unknown> = {}) => ({ symbol: "BTC/USDT", side: "long", stopLoss: "31000", takeProfits: [{ price: "34000", share: "1" }], ...extra });
const short = (extra: Record<string, unknown> = {}) => ({ symbol: "BTC/USDT", side: "short", stopLoss: "33000", takeProfits: [{ price: "30000", share: "1" }], ...extra });

const refusals: { name: string; input: Record<string, unknown>; message: RegExp }[] = [
  { name: "an unknown symbol", input: long({ symbol: "DOGE/USDT" }), message: /Unknown symbol "DOGE\/USDT"/ },
  // 30000 is 6.4% below the market: someone trying to back-date a long that already ran up.
  { name: "a market entry 6% from the market (back-dating)", input: long({ entryPrice: "30000", stopLoss: "29000" }), message: /Entry 30000 is 6\.38% from the market price 32045\.14.*within 1%/ },
  { name: "a market entry just over 1% from the market", input: long({ entryPrice: "32366" }), message: /Entry 32366 is 1% from the market price.*within 1%/ },
  { name: "a long's stop above the entry", input: long({ stopLoss: "33000" }), message: /Stop-loss must be below the entry \(32045\.14\) for a long/ },
  { name: "a long's stop at the entry", input: long({ stopLoss: BTC }), message: /Stop-loss must be below the entry/ },
  { name: "a short's stop below the entry", input: short({ stopLoss: "31000" }), message: /Stop-loss must be above the entry \(32045\.14\) for a short/ },
  { name: "a long's take-profit below the entry", input: long({ takeProfits: [{ price: "31500", share: "1" }] }), message: /Take-profit 1 \(31500\) must be above the entry/ },
  {
    name: "a short's second take-profit above the entry",
    input: short({ takeProfits: [{ price: "31000", share: "0.5" }, { price: "32500", share: "0.5" }] }),
    message: /Take-profit 2 \(32500\) must be below the entry/,
  },
  { name: "a long limit above the market", input: long({ entryType: "limit", entryPrice: "32100" }), message: /long limit entry must be below the current price 32045\.14/ },
  { name: "a short limit below the market", input: short({ entryType: "limit", entryPrice: "32000" }), message: /short limit entry must be above the current price 32045\.14/ },
  {
    name: "take-profit shares adding up to more than 1",
    input: long({ takeProfits: [{ price: "33000", share: "0.6" }, { price: "34000", share: "0.5" }] }),
    message: /Take-profit shares add up to more than the whole position/,
  },
  {
    name: "four take-profits",
    input: long({ takeProfits: ["33000", "34000", "35000", "36000"].map((price) => ({ price, share: "0.25" })) }),
    message: /At most 3 take-profit levels/,
  },
  { name: "a limit entry without a price", input: long({ entryType: "limit" }), message: /A limit entry needs an entry price/ },
];

describe("publishing refusals", () => {
  for (const [pathName, publish] of Object.entries(paths)) {
    for (const r of refusals) {
      it(`${pathName}: refuses ${r.name} with a 4xx naming it, and writes nothing`, async () => {
        const p = await publisher();
        const before = await rowCounts();
        const out = await publish(p, r.input);
        expect(out.status).toBeGreaterThanOrEqual(400);
        expect(out.status).toBeLessThan(500);
        expect(out.message).toMatch(r.message);
        expect(await rowCounts()).toEqual(before);
      });
    }
  }

  it("accepts a market entry within 1% and records it at the market price, not the one sent", async () => {
    const p = await publisher();
    for (const [name, publish] of Object.entries(paths)) {
      const out = await publish(p, long({ entryPrice: "32350", note: name }));
      expect(out, name).toMatchObject({ status: 201, created: true });
      const row = await db.query.signals.findFirst({ where: eq(signals.id, out.signalId!) });
      expect(row).toMatchObject({ entryPrice: BTC, fillPrice: BTC, status: "open", symbol: "BTC/USDT" });
    }
  });

  it("accepts the symbol spelt the ways people and tools send it", async () => {
    const p = await publisher();
    for (const symbol of ["BTCUSDT", "btc/usdt", "BINANCE:BTCUSDT"]) {
      const out = await paths.service!(p, long({ symbol }));
      expect(out.status).toBe(201);
    }
    const rows = await db.select({ symbol: signals.symbol }).from(signals);
    expect(rows.map((r) => r.symbol)).toEqual(["BTC/USDT", "BTC/USDT", "BTC/USDT"]);
  });

  it("checks a limit against its own price, and the market against the market", async () => {
    const p = await publisher();
    market.setPrice("EUR/USD", "1.08500");
    const out = await paths.trpc!(p, { symbol: "EURUSD", side: "short", entryType: "limit", entryPrice: "1.09", stopLoss: "1.095", takeProfits: [{ price: "1.088", share: "1" }] });
    expect(out.status).toBe(201);
    const row = await db.query.signals.findFirst({ where: eq(signals.id, out.signalId!) });
    expect(row).toMatchObject({ status: "pending", entryPrice: "1.09", fillPrice: null, filledAt: null });
    // Stop 1.086 is above the market but below this short's limit entry: refused against the entry.
    const bad = await paths.trpc!(p, { symbol: "EURUSD", side: "short", entryType: "limit", entryPrice: "1.09", stopLoss: "1.086" });
    expect(bad.status).toBe(400);
    expect(bad.message).toMatch(/Stop-loss must be above the entry \(1\.09\)/);
  });
});

describe("idempotency keys", () => {
  for (const [pathName, publish] of Object.entries(paths)) {
    it(`${pathName}: a repeated key returns the same signal with created: false and writes nothing`, async () => {
      const p = await publisher();
      const first = await publish(p, long({ idempotencyKey: "order-42" }));
      expect(first).toMatchObject({ status: 201, created: true });
      const before = await rowCounts();
      // Even with different content: the key names the publication, the first one stands.
      const again = await publish(p, long({ idempotencyKey: "order-42", stopLoss: "30000" }));
      expect(again).toMatchObject({ status: 200, created: false, signalId: first.signalId });
      expect(await rowCounts()).toEqual(before);
      const row = await db.query.signals.findFirst({ where: eq(signals.id, first.signalId!) });
      expect(row!.stopLoss).toBe("31000");
    });
  }

  it("rest: the Idempotency-Key header works like the field", async () => {
    const p = await publisher();
    const first = await paths.rest!(p, long(), { "idempotency-key": "hdr-1" });
    const before = await rowCounts();
    const again = await paths.rest!(p, long(), { "idempotency-key": "hdr-1" });
    expect(first).toMatchObject({ status: 201, created: true });
    expect(again).toMatchObject({ status: 200, created: false, signalId: first.signalId });
    expect(await rowCounts()).toEqual(before);
  });

  it("are per provider: another provider's identical key publishes its own signal", async () => {
    const [a, b] = [await publisher(), await publisher()];
    const ra = await paths.service!(a, long({ idempotencyKey: "same" }));
    const rb = await paths.service!(b, long({ idempotencyKey: "same" }));
    expect(rb).toMatchObject({ status: 201, created: true });
    expect(rb.signalId).not.toBe(ra.signalId);
  });

  it("concurrent repeats of one key create one signal", async () => {
    const p = await publisher();
    const outs = await Promise.all(Array.from({ length: 8 }, () => paths.service!(p, long({ idempotencyKey: "burst" }))));
    expect(outs.filter((o) => o.created)).toHaveLength(1);
    expect(new Set(outs.map((o) => o.signalId)).size).toBe(1);
    expect((await rowCounts()).signals).toBe(1);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });
});

describe("per-provider rate limit", () => {
  it(`allows ${PUBLISH_RATE.points} publications a minute, then TOO_MANY_REQUESTS / 429 on every path, writing nothing`, async () => {
    const p = await publisher();
    for (let i = 0; i < PUBLISH_RATE.points; i++) {
      const out = await paths.service!(p, long({ idempotencyKey: `n-${i}` }));
      expect(out.status).toBe(201);
    }
    const before = await rowCounts();
    const svc = await paths.service!(p, long());
    expect(svc).toMatchObject({ status: 429, message: expect.stringMatching(/Too many attempts\. Try again in \d+ seconds?/) });
    await expect(p.caller.signals.publish(long() as never)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    const rest = await paths.rest!(p, long());
    expect(rest.status).toBe(429);
    expect(rest.message).toMatch(/Too many attempts/);
    expect(await rowCounts()).toEqual(before);

    // A retry of an accepted publication is not a new one: it still answers.
    expect(await paths.rest!(p, long({ idempotencyKey: "n-3" }))).toMatchObject({ status: 200, created: false });
    // Another provider has its own budget.
    expect((await paths.trpc!(await publisher(), long())).status).toBe(201);
  });
});

describe("the hash chain", () => {
  it("grows by one entry per publication, whichever way it came in, and verifies", async () => {
    const p = await publisher();
    const published: string[] = [];
    for (const [name, publish] of Object.entries(paths)) {
      for (const input of [long({ note: `${name} long` }), short({ note: `${name} short` }), long({ entryType: "limit", entryPrice: "31500", stopLoss: "30500" })]) {
        const out = await publish(p, input);
        expect(out.status, name).toBe(201);
        published.push(out.signalId!);
        const events = await db.select().from(signalEvents).where(eq(signalEvents.providerId, p.provider.id)).orderBy(asc(signalEvents.seq));
        expect(events.map((e) => e.seq)).toEqual(published.map((_, i) => i + 1));
        expect(events.at(-1)).toMatchObject({ kind: "published", signalId: out.signalId });
      }
    }
    // Refusals in between append nothing.
    await paths.rest!(p, long({ stopLoss: "40000" }));
    const events = await db.select().from(signalEvents).orderBy(asc(signalEvents.seq));
    expect(events).toHaveLength(published.length);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    events.slice(1).forEach((e, i) => expect(e.prevHash).toBe(events[i]!.hash));
    // Each signal row keeps the hash of its published entry.
    for (const e of events) {
      const row = await db.query.signals.findFirst({ where: eq(signals.id, e.signalId) });
      expect({ hash: row!.hash, prevHash: row!.prevHash }).toEqual({ hash: e.hash, prevHash: e.prevHash });
    }
    const verification = await verifyStoredChain(p.provider.id);
    expect(verification).toMatchObject({ ok: true, checked: published.length, problems: [], head: events.at(-1)!.hash });
  });
});

/**
 * Acceptance 2 of issue 14: copies placed on a live exchange survive the exchange's and our own faults. 100
 * followers copy one provider, each through its own connection: its own ccxt binance client (markets loaded once
 * per client, as a connection keeps it) and its own API key, i.e. its own account, on ONE local fake Binance
 * (../../integrations/exchanges/fake-binance-trading.ts), which sets the fill prices, quantities and fees. Faults
 * are aimed at single accounts (the fake's per-key faults), ten followers per kind, on the entry and on the exit:
 * (a) the exchange takes the order and the answer never arrives; (b) the process dies between the exchange's answer
 * and our write; (c) the answer is lost, the lookup does not see the order yet, and the re-send is refused as a
 * duplicate client order id; (d) a 5xx, then success; (e) a market order fills in part and expires.
 *
 * After the entry and after the close: the exchange holds exactly one order per client order id, every filled copy
 * order is its exchange order to the last digit (quantity, average price, commission), nothing is left planned, and
 * positions hold what the exchange filled; after the close every copy is closed and every account is flat.
 */
import Decimal from "decimal.js";
import { binance } from "ccxt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider } from "@/test/signals";
import { copyingFollowers, waitForFanouts } from "@/test/copy";
import { db } from "@/server/db";
import { copyOrders, positions } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { closeSignal, publishSignal } from "@/server/services/signals";
import { CcxtVenue } from "@/server/integrations/exchanges/ccxt-venue";
import { startFakeBinanceTrading, type FakeApiKey, type FakeBinanceTrading } from "@/server/integrations/exchanges/fake-binance-trading";
import { venueClientOrderId } from "@/server/integrations/exchanges/venue-id";
import { configureCopyEngine } from "./engine";
import { setVenueResolver, type SerialVenue } from "./venues";

useTestDatabase();
const market = useFakeMarket();

const FOLLOWERS = 100;
const PRICE = "32045.14";
const EXIT_PRICE = "33012.57";
/** The fault each follower's account gets, by its index mod 10 (indices 6-9: no fault, the control group). */
const KINDS = ["timeout", "crash", "duplicate", "5xx", "partial-entry", "partial-exit"] as const;
type Kind = (typeof KINDS)[number] | "none";
const kindOf = (i: number): Kind => KINDS[i % 10] ?? "none";
/** The accounts' lost answers are cut off after this (ccxt gives up after `SHORT_TIMEOUT`). */
const SHORT_TIMEOUT = 300;

const connectionOf = (i: number) => `conn_live_${String(i).padStart(3, "0")}`;
const keyOf = (i: number): FakeApiKey => ({
  apiKey: `liveFaultsApiKey${String(i).padStart(48, "0")}`,
  secret: `liveFaultsSecret${String(i).padStart(48, "0")}`,
  // Quote only: what the account holds in BTC afterwards is what its copies bought and sold.
  balances: { USDT: "100000" },
});

let fake: FakeBinanceTrading;
let venues: Map<string, SerialVenue>;
let crashes: number;
let calls: number;

beforeAll(async () => {
  fake = await startFakeBinanceTrading({ keys: Array.from({ length: FOLLOWERS }, (_, i) => keyOf(i)), prices: { BTCUSDT: PRICE } });
});
afterAll(async () => {
  await fake?.close();
});

beforeEach(() => {
  resetRateLimits();
  fake.reset();
  market.setPrice("BTC/USDT", PRICE);
  // One client per connection, as the integration keeps one per connection for its lifetime.
  venues = new Map(
    Array.from({ length: FOLLOWERS }, (_, i) => {
      const key = keyOf(i);
      const ex = new binance({
        apiKey: key.apiKey,
        secret: key.secret,
        enableRateLimit: false,
        timeout: kindOf(i) === "timeout" || kindOf(i) === "duplicate" ? SHORT_TIMEOUT : 10_000,
        options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ["spot"] } },
      });
      ex.number = String as unknown as typeof ex.number;
      ex.fetchImplementation = fake.fetchImplementation;
      return [connectionOf(i), new CcxtVenue({ exchange: ex }) satisfies SerialVenue];
    }),
  );
  setVenueResolver(async (id) => venues.get(id) ?? null);
  crashes = 0;
  calls = 0;
  configureCopyEngine({
    slippageBps: async () => "2",
    afterVenue: (orders) => {
      // (b): the connection's placement is the only caller passing no orders. Every 9th call dies after the exchange
      // answered and before our write (a retry is another call, so no order dies twice in a row by construction).
      if (orders.length === 0 && ++calls % 9 === 0 && crashes < 20) {
        crashes++;
        throw new Error("injected: the process died between the exchange's answer and our write");
      }
    },
  });
});
afterEach(async () => {
  await waitForInlineRuns();
  setVenueResolver(undefined);
  configureCopyEngine({});
  expect(fake.unexpected).toEqual([]);
});

/** Aims this phase's faults (entry or exit) at the accounts of their kind. */
function injectFaults(phase: "entry" | "exit") {
  for (let i = 0; i < FOLLOWERS; i++) {
    const apiKey = keyOf(i).apiKey;
    const kind = kindOf(i);
    if (kind === "timeout") fake.fault({ apiKey, method: "POST", path: "/api/v3/order", mode: "accept-then-timeout", afterMs: 1_000 });
    if (kind === "5xx") fake.fault({ apiKey, method: "POST", path: "/api/v3/order", mode: "5xx" });
    if (kind === "partial-entry" && phase === "entry") fake.fault({ apiKey, method: "POST", path: "/api/v3/order", mode: "partial", fraction: "0.5" });
    if (kind === "partial-exit" && phase === "exit") fake.fault({ apiKey, method: "POST", path: "/api/v3/order", mode: "partial", fraction: "0.4" });
    if (kind === "duplicate") {
      // The answer is lost; the venue's lookup, and the retry's lookup before re-sending, do not see the order yet
      // (the first of the three lookups, before the first send, misses anyway); the re-send is refused as a
      // duplicate id, which must be read as "placed": found by the lookup that follows, recorded, never re-placed.
      fake.fault({ apiKey, method: "POST", path: "/api/v3/order", mode: "accept-then-timeout", afterMs: 1_000 });
      fake.fault({ apiKey, method: "POST", path: "/api/v3/order", mode: "duplicate" });
      fake.fault({ apiKey, method: "GET", path: "/api/v3/order", mode: "not-found", times: 3 });
    }
  }
}

const sum = (xs: Decimal.Value[]) => xs.reduce<Decimal>((a, x) => a.plus(x), new Decimal(0));
const eqDec = (a: Decimal.Value | null | undefined, b: Decimal.Value) => a != null && new Decimal(a).eq(b);

/** The checks that hold after every phase: one exchange order per id, each one recorded as it filled. */
async function expectExchangeMatchesBooks(signalId: string) {
  const orders = await db.select().from(copyOrders).where(eq(copyOrders.signalId, signalId));
  expect(orders.filter((o) => o.status === "planned").map((o) => o.clientOrderId), "orders left planned").toEqual([]);

  // No duplicates: one exchange order per (account, venue client order id).
  const perId = new Map<string, number>();
  for (const o of fake.orders) perId.set(`${o.apiKey}|${o.clientOrderId}`, (perId.get(`${o.apiKey}|${o.clientOrderId}`) ?? 0) + 1);
  expect([...perId].filter(([, n]) => n > 1), "client order ids placed more than once").toEqual([]);

  // Every exchange order is a filled copy order, and every filled copy order is an exchange order, exactly.
  const byVenueId = new Map(fake.orders.map((o) => [`${o.apiKey}|${o.clientOrderId}`, o]));
  const filled = orders.filter((o) => o.status === "filled");
  const recordedIds = new Set(filled.map((o) => `${keyOf(Number(o.venue.slice(10))).apiKey}|${venueClientOrderId(o.clientOrderId)}`));
  const unrecorded = fake.orders.filter((x) => !recordedIds.has(`${x.apiKey}|${x.clientOrderId}`));
  expect(
    unrecorded.map((x) => `${x.side} ${x.executedQty} (${x.orderId}, ${x.status}): ${orders.find((o) => venueClientOrderId(o.clientOrderId) === x.clientOrderId)?.status ?? "no copy order"}`),
    "exchange orders not recorded as filled",
  ).toEqual([]);
  expect(filled.length).toBe(fake.orders.length);
  const mismatches: string[] = [];
  for (const row of filled) {
    const i = Number(row.venue.slice("conn_live_".length));
    const x = byVenueId.get(`${keyOf(i).apiKey}|${venueClientOrderId(row.clientOrderId)}`);
    if (!x) {
      mismatches.push(`${row.clientOrderId}: no exchange order`);
      continue;
    }
    const avg = new Decimal(x.cummulativeQuoteQty).div(x.executedQty);
    const commission = sum(x.fills.map((f) => f.commission));
    const ok =
      row.venueOrderId === String(x.orderId) &&
      row.side === x.side.toLowerCase() &&
      eqDec(row.quantity, x.executedQty) &&
      eqDec(row.fillPrice, avg) &&
      eqDec(row.fee, commission);
    if (!ok) {
      mismatches.push(
        `${connectionOf(i)} ${row.leg}: recorded ${row.quantity} @ ${row.fillPrice} fee ${row.fee} (${row.venueOrderId}), exchange ${x.executedQty} @ ${avg.toString()} fee ${commission.toString()} (${x.orderId}, ${x.status})`,
      );
    }
  }
  expect(mismatches).toEqual([]);

  // Positions hold what the exchange filled: bought less sold per account, which is also the account's BTC.
  const held = await db.select().from(positions).where(eq(positions.signalId, signalId));
  expect(held).toHaveLength(FOLLOWERS);
  const wrong: string[] = [];
  for (const p of held) {
    const i = Number(p.venue.slice("conn_live_".length));
    const mine = fake.orders.filter((o) => o.apiKey === keyOf(i).apiKey);
    const bought = sum(mine.filter((o) => o.side === "BUY").map((o) => o.executedQty));
    const sold = sum(mine.filter((o) => o.side === "SELL").map((o) => o.executedQty));
    const btc = fake.balances(keyOf(i).apiKey).BTC?.free ?? "0";
    if (!eqDec(p.initialQuantity, bought) || !eqDec(p.quantity, bought.minus(sold)) || !eqDec(p.quantity, btc)) {
      wrong.push(`${p.venue}: position ${p.quantity} of ${p.initialQuantity}, exchange bought ${bought.toString()} sold ${sold.toString()}, BTC ${btc}`);
    }
  }
  expect(wrong).toEqual([]);
  return { orders, held };
}

describe("live copies through faults (100 connections, one fake Binance)", () => {
  it("entries and exits are placed once each and recorded as the exchange filled them", { timeout: 120_000 }, async () => {
    const p = await newProvider();
    const users: string[] = [];
    for (let i = 0; i < FOLLOWERS; i++) users.push(...(await copyingFollowers(p.provider.id, 1, { venue: connectionOf(i) })));

    injectFaults("entry");
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", entryType: "market", entryPrice: PRICE, stopLoss: "31000" }, "ui");
    await waitForFanouts(signal.id, 60_000);
    await waitForInlineRuns();

    const entry = await expectExchangeMatchesBooks(signal.id);
    expect(fake.orders).toHaveLength(FOLLOWERS);
    expect(entry.held.every((x) => x.status === "open")).toBe(true);
    // (e) a partial entry holds what filled, says so, and buys no more.
    const partialEntries = entry.orders.filter((o) => kindOf(Number(o.venue.slice(10))) === "partial-entry");
    expect(partialEntries).toHaveLength(10);
    for (const o of partialEntries) expect(o.reason).toMatch(/^partial_fill: 0\.\d+ of 0\.\d+$/);
    expect(fake.orders.filter((o) => o.status === "EXPIRED")).toHaveLength(10);
    const crashesAtEntry = crashes;
    expect(crashesAtEntry).toBeGreaterThan(0);

    injectFaults("exit");
    fake.setPrice("BTCUSDT", EXIT_PRICE);
    market.setPrice("BTC/USDT", EXIT_PRICE);
    await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId: signal.id }, {});
    await waitForFanouts(signal.id, 60_000);
    await waitForInlineRuns();

    const exit = await expectExchangeMatchesBooks(signal.id);
    expect(exit.held.filter((x) => x.status !== "closed" || !new Decimal(x.quantity).isZero()).map((x) => x.venue), "copies still open").toEqual([]);
    // (e) a partial exit: its remainder was planned under its own id and placed, so the copy closed.
    const remainders = exit.orders.filter((o) => o.clientOrderId.endsWith(":r1"));
    expect(remainders).toHaveLength(10);
    for (const r of remainders) {
      expect(kindOf(Number(r.venue.slice(10)))).toBe("partial-exit");
      expect(r).toMatchObject({ status: "filled", leg: "close" });
    }
    expect(fake.orders).toHaveLength(FOLLOWERS * 2 + 10);
    expect(crashes).toBeGreaterThan(crashesAtEntry);
    // Every account sold what it bought.
    for (let i = 0; i < FOLLOWERS; i++) expect(new Decimal(fake.balances(keyOf(i).apiKey).BTC?.free ?? "0").isZero()).toBe(true);

    // The faults were all hit: lost answers, 5xx, duplicate refusals, and lookups that missed.
    const follower = new Map(exit.orders.map((o) => [venueClientOrderId(o.clientOrderId), Number(o.venue.slice(10))]));
    const posts = fake.requests.filter((r) => r.method === "POST" && r.path === "/api/v3/order");
    const postsBy = (kind: Kind) => posts.filter((r) => kindOf(follower.get(r.params.newClientOrderId ?? "") ?? -1) === kind).length;
    // Per follower and leg: timeout, one send answered by the lookup; 5xx, the refused send and the retry's;
    // duplicate, the lost send and the re-send refused as a duplicate; partial exit, the send and the remainder's.
    expect({ none: postsBy("none"), timeout: postsBy("timeout"), "5xx": postsBy("5xx"), duplicate: postsBy("duplicate"), "partial-exit": postsBy("partial-exit") }).toEqual({
      none: 80,
      timeout: 20,
      "5xx": 40,
      duplicate: 40,
      "partial-exit": 30,
    });
    expect(exit.orders.filter((o) => o.status !== "filled")).toEqual([]);
  });
});

/**
 * The Alpaca venue against the local fake broker (./fake-alpaca.ts) through the official SDK: what a copy order
 * becomes at Alpaca, that a lost answer, a duplicate id or a 5xx never makes two orders, market hours, fractions,
 * refusals, and that no key or secret reaches an error. No database: the venue is what the engine's `placePlanned`
 * calls (`findOrder ?? placeOrder` on a retry), replayed here.
 */
import { ApiError, FetchError } from "@alpacahq/alpaca-trade-api/rest";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { VenueOrderRequest, VenueOrderResult } from "@/server/services/copy/venues";
import { VenueRetryError } from "../exchanges/ccxt-venue";
import { venueClientOrderId } from "../exchanges/venue-id";
import {
  ALPACA_KEYS_CANNOT_WITHDRAW,
  ALPACA_LIVE_URL,
  ALPACA_PAPER_URL,
  AlpacaVenue,
  alpacaSymbol,
  checkAlpacaKey,
  classifyAlpacaError,
  createAlpacaClient,
  type AlpacaOrderRequest,
  type AlpacaOrderResult,
  type OutsideHoursPolicy,
} from "./alpaca-venue";
import { FAKE_ALPACA_KEY, startFakeAlpaca, type FakeAlpaca, type FakeAlpacaKey } from "./fake-alpaca";

const POOR_KEY: FakeAlpacaKey = { keyId: "PKFAKEALPACA00000002", secret: "fakeAlpacaSecret000000000000000000000002", cash: "100" };
const ONBOARDING_KEY: FakeAlpacaKey = { keyId: "PKFAKEALPACA00000003", secret: "fakeAlpacaSecret000000000000000000000003", status: "ONBOARDING" };
const BLOCKED_KEY: FakeAlpacaKey = { keyId: "PKFAKEALPACA00000004", secret: "fakeAlpacaSecret000000000000000000000004", tradingBlocked: true };
const HOLDER_KEY: FakeAlpacaKey = { keyId: "PKFAKEALPACA00000005", secret: "fakeAlpacaSecret000000000000000000000005", positions: { GOOG: "3" } };
const KEYS = [FAKE_ALPACA_KEY, POOR_KEY, ONBOARDING_KEY, BLOCKED_KEY, HOLDER_KEY];
const SECRETS = KEYS.flatMap((k) => [k.keyId, k.secret]);

/** The engine's contract, with the `waiting` answer and the leg the lead adds for Alpaca (checked at compile time). */
type Waiting = Extract<AlpacaOrderResult, { status: "waiting" }>;
interface EngineVenue {
  findOrder(clientOrderId: string, symbol?: string): Promise<VenueOrderResult | Waiting | null>;
  placeOrder(order: VenueOrderRequest & { leg?: string }): Promise<VenueOrderResult | Waiting>;
}
// Filled and rejected are exactly the engine's shapes.
const sameShapes: VenueOrderResult = null as unknown as Exclude<AlpacaOrderResult, Waiting>;
void sameShapes;

let fake: FakeAlpaca;
/** Every message a venue produced (errors and reasons), checked for credentials at the end. */
const said: string[] = [];

beforeAll(async () => {
  fake = await startFakeAlpaca({ keys: KEYS });
});
afterAll(async () => {
  await fake?.close();
  for (const text of said) for (const secret of SECRETS) expect(text).not.toContain(secret);
});
beforeEach(() => {
  fake.reset();
});
afterEach(() => {
  expect(fake.unexpected).toEqual([]);
});

function client(key: FakeAlpacaKey = FAKE_ALPACA_KEY, timeoutMs = 2_000) {
  return createAlpacaClient({ keyId: key.keyId, secret: key.secret, environment: "local", baseUrl: fake.url, timeoutMs, retryDelayMs: 5 });
}

function venue(options: { key?: FakeAlpacaKey; outsideHours?: OutsideHoursPolicy; timeoutMs?: number } = {}) {
  const v: EngineVenue = new AlpacaVenue({ client: client(options.key, options.timeoutMs), outsideHours: options.outsideHours ?? "queue", pollDelayMs: 5 });
  return v;
}

/** Runs a venue call, keeping what it said (a reason or an error message) for the credential check. */
async function run<T extends AlpacaOrderResult | null>(p: Promise<T>): Promise<T> {
  try {
    const r = await p;
    if (r && "reason" in r) said.push(r.reason);
    return r;
  } catch (err) {
    said.push(err instanceof Error ? `${err.message} ${err.stack ?? ""}` : String(err));
    throw err;
  }
}

const order = (clientOrderId: string, quantity: string, extra: Partial<AlpacaOrderRequest> = {}): AlpacaOrderRequest => ({ clientOrderId, symbol: "GOOG", side: "buy", quantity, leg: "entry", ...extra });

/** What `placePlanned` does on a retry: the lookup, then the order. */
async function retry(v: EngineVenue, request: AlpacaOrderRequest) {
  return (await run(v.findOrder(request.clientOrderId, request.symbol))) ?? (await run(v.placeOrder(request)));
}

const posts = () => fake.requests.filter((r) => r.method === "POST" && r.path === "/v2/orders");
const lookups = () => fake.requests.filter((r) => r.path === "/v2/orders:by_client_order_id");

describe("placing", () => {
  it("places one market DAY order under our venue client order id and records Alpaca's fill", async () => {
    const v = venue();
    const result = await run(v.placeOrder(order("tc-place-1", "2")));
    expect(result).toMatchObject({ status: "filled", fillPrice: "806.19", fee: "0" });
    expect(result).not.toHaveProperty("quantity");
    expect(fake.orders).toHaveLength(1);
    const [placed] = fake.orders;
    expect(result.status === "filled" && result.venueOrderId).toBe(placed!.id);
    expect(posts()).toHaveLength(1);
    expect(posts()[0]!.body).toEqual({ symbol: "GOOG", qty: "2", side: "buy", type: "market", time_in_force: "day", client_order_id: venueClientOrderId("tc-place-1") });
    expect(posts()[0]!.keyId).toBe(FAKE_ALPACA_KEY.keyId);
    // The clock was read first.
    expect(fake.requests[0]).toMatchObject({ method: "GET", path: "/v2/clock" });
    expect(fake.account(FAKE_ALPACA_KEY.keyId)).toEqual({ cash: "98387.62", positions: { GOOG: "2" } });
    // The retry's lookup finds the same order.
    expect(await run(v.findOrder("tc-place-1", "GOOG"))).toEqual(result);
  });

  it("reads a duplicate client order id as already placed and reconciles it by lookup, never placing twice", async () => {
    const v = venue();
    const first = await run(v.placeOrder(order("tc-dup-1", "1")));
    const again = await run(v.placeOrder(order("tc-dup-1", "1")));
    expect(again).toEqual(first);
    expect(posts()).toHaveLength(2);
    expect(lookups()).toHaveLength(1);
    expect(fake.orders).toHaveLength(1);
  });

  it("reads a duplicate after a cancel as that cancelled order (Alpaca keeps the id for ever)", async () => {
    const v = venue();
    // Accepted and not filling: the venue reads it a few times, then hands it back to the job.
    fake.fault({ method: "POST", path: "/v2/orders", mode: "pending", reads: 100 });
    const pending = await run(v.placeOrder(order("tc-cancel-1", "1"))).catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(VenueRetryError);
    expect((pending as Error).message).toMatch(/is new, not finished yet/);
    fake.cancel(fake.orders[0]!.id);
    // Placing again under the same id: Alpaca refuses the id (422 40010001), the lookup finds the cancelled order.
    const again = await run(v.placeOrder(order("tc-cancel-1", "1")));
    expect(again).toEqual({ status: "rejected", venueOrderId: fake.orders[0]!.id, reason: "canceled: Alpaca ended (canceled) the order with nothing filled" });
    expect(fake.orders).toHaveLength(1);
    expect(posts()).toHaveLength(2);
  });

  it("polls a just-accepted order until it fills", async () => {
    fake.fault({ method: "POST", path: "/v2/orders", mode: "pending", reads: 2 });
    const result = await run(venue().placeOrder(order("tc-poll-1", "1")));
    expect(result).toMatchObject({ status: "filled", fillPrice: "806.19" });
    expect(fake.requests.filter((r) => r.method === "GET" && r.path.startsWith("/v2/orders/"))).toHaveLength(2);
  });

  it("after accept-then-timeout, finds the order by its client id instead of placing it again", async () => {
    fake.fault({ method: "POST", path: "/v2/orders", mode: "accept-then-timeout", afterMs: 2_000 });
    const v = venue({ timeoutMs: 300 });
    const result = await run(v.placeOrder(order("tc-timeout-1", "3")));
    expect(result).toMatchObject({ status: "filled", venueOrderId: fake.orders[0]!.id, fillPrice: "806.19" });
    expect(fake.orders).toHaveLength(1);
    expect(lookups()).toHaveLength(1);
  });

  it("after a dropped answer and a failing lookup, the job's retry finds the order: still one", async () => {
    fake.fault({ method: "POST", path: "/v2/orders", mode: "drop" });
    // The SDK tries a GET 3 times on 5xx: all three fail.
    fake.fault({ method: "GET", path: "/v2/orders:by_client_order_id", mode: "5xx", times: 3 });
    const v = venue();
    const lost = await run(v.placeOrder(order("tc-drop-1", "1"))).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(VenueRetryError);
    expect((lost as Error).message).toMatch(/^looking up 7c[0-9a-f]{30}: 50010000: internal server error occurred$/);
    expect(fake.orders).toHaveLength(1);
    const result = await retry(v, order("tc-drop-1", "1"));
    expect(result).toMatchObject({ status: "filled", venueOrderId: fake.orders[0]!.id });
    expect(fake.orders).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it("after a 5xx (nothing placed), the retry places the order once", async () => {
    fake.fault({ method: "POST", path: "/v2/orders", mode: "5xx" });
    const v = venue();
    const failed = await run(v.placeOrder(order("tc-5xx-1", "1"))).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(VenueRetryError);
    expect((failed as VenueRetryError).venueError).toEqual({ kind: "ambiguous", code: "50010000", message: "internal server error occurred" });
    expect(fake.orders).toHaveLength(0);
    const result = await retry(v, order("tc-5xx-1", "1"));
    expect(result).toMatchObject({ status: "filled" });
    expect(fake.orders).toHaveLength(1);
    expect(posts()).toHaveLength(2);
  });

  it("records a partial fill as the quantity that filled", async () => {
    fake.fault({ method: "POST", path: "/v2/orders", mode: "partial", fraction: "0.4" });
    const result = await run(venue().placeOrder(order("tc-partial-1", "5")));
    expect(result).toMatchObject({ status: "filled", quantity: "2", fillPrice: "806.19", fee: "0" });
    expect(fake.orders[0]).toMatchObject({ status: "canceled", qty: "5", filledQty: "2" });
  });

  it("sends fractional quantities (to 9 decimals, truncated) and refuses less than $1", async () => {
    const v = venue();
    const result = await run(v.placeOrder(order("tc-frac-1", "0.1234567891234")));
    expect(posts()[0]!.body).toMatchObject({ qty: "0.123456789", type: "market", time_in_force: "day" });
    // What filled is less than the engine asked for (by the truncated digits): it is told so.
    expect(result).toMatchObject({ status: "filled", quantity: "0.123456789" });
    expect(fake.account(FAKE_ALPACA_KEY.keyId).positions).toEqual({ GOOG: "0.123456789" });

    const tiny = await run(v.placeOrder(order("tc-frac-2", "0.001", { referencePrice: "806.19" })));
    expect(tiny).toEqual({ status: "rejected", venueOrderId: null, reason: expect.stringMatching(/^below_minimum: 0\.001 shares of GOOG at 806\.19 is 0\.81 USD/) });
    const nothing = await run(v.placeOrder(order("tc-frac-3", "0.0000000001")));
    expect(nothing).toMatchObject({ status: "rejected", reason: expect.stringMatching(/^below_minimum/) });
    expect(posts()).toHaveLength(1);
  });

  it("records Alpaca's refusal of a fraction of a stock that is not fractionable", async () => {
    const result = await run(venue().placeOrder(order("tc-frac-4", "0.5", { symbol: "BRK.A" })));
    expect(result).toEqual({ status: "rejected", venueOrderId: null, reason: "40010001: requested asset BRK.A is not fractionable" });
    expect(fake.orders).toHaveLength(0);
  });

  it("records a refusal with Alpaca's code and message, and does not retry it", async () => {
    const poor = await run(venue({ key: POOR_KEY }).placeOrder(order("tc-poor-1", "1")));
    expect(poor).toEqual({ status: "rejected", venueOrderId: null, reason: "40310000: insufficient buying power" });
    const naked = await run(venue().placeOrder(order("tc-sell-1", "1", { side: "sell", leg: "close" })));
    expect(naked).toEqual({ status: "rejected", venueOrderId: null, reason: "40310000: insufficient qty available for order (requested: 1, available: 0)" });
    expect(lookups()).toHaveLength(0);
    expect(posts()).toHaveLength(2);
    expect(fake.orders).toHaveLength(0);
  });

  it("sells shares held, and maps GOOG/USD to GOOG; refuses what is not a US stock", async () => {
    const v = venue({ key: HOLDER_KEY });
    expect(await run(v.placeOrder(order("tc-sell-2", "3", { side: "sell", symbol: "GOOG/USD", leg: "close" })))).toMatchObject({ status: "filled" });
    expect(fake.account(HOLDER_KEY.keyId).positions).toEqual({});
    expect(await run(v.placeOrder(order("tc-crypto-1", "1", { symbol: "BTC/USDT" })))).toEqual({
      status: "rejected",
      venueOrderId: null,
      reason: "invalid_symbol: BTC/USDT is not a US stock ticker Alpaca trades",
    });
    expect(await run(v.placeOrder(order("tc-unknown-1", "1", { symbol: "ZZZZ" })))).toEqual({ status: "rejected", venueOrderId: null, reason: '40010001: asset "ZZZZ" not found' });
  });
});

describe("market hours", () => {
  const nextOpen = new Date("2030-01-07T14:30:00.000Z");

  it("skips an entry outside hours when the follower chose skip, saying when the market opens", async () => {
    fake.setClock({ isOpen: false, nextOpen });
    const result = await run(venue({ outsideHours: "skip" }).placeOrder(order("tc-closed-1", "1")));
    expect(result).toEqual({
      status: "rejected",
      venueOrderId: null,
      reason: "market_closed: the market is closed until 2030-01-07T14:30:00.000Z; this connection skips entries outside market hours",
    });
    expect(posts()).toHaveLength(0);
  });

  it("never skips an exit: it waits for the open even on a skip connection", async () => {
    fake.setClock({ isOpen: false, nextOpen });
    const result = await run(venue({ key: HOLDER_KEY, outsideHours: "skip" }).placeOrder(order("tc-closed-2", "1", { side: "sell", leg: "stop" })));
    expect(result).toEqual({ status: "waiting", until: nextOpen, reason: "market_closed: the market opens at 2030-01-07T14:30:00.000Z; the order is sent then" });
    expect(posts()).toHaveLength(0);
  });

  it("queues an entry outside hours (nothing sent) and places it when run again after the open", async () => {
    fake.setClock({ isOpen: false, nextOpen });
    const v = venue({ outsideHours: "queue" });
    const waiting = await run(v.placeOrder(order("tc-closed-3", "1")));
    expect(waiting).toMatchObject({ status: "waiting", until: nextOpen });
    expect(posts()).toHaveLength(0);
    fake.setClock({ isOpen: true });
    expect(await retry(v, order("tc-closed-3", "1"))).toMatchObject({ status: "filled" });
    expect(fake.orders).toHaveLength(1);
  });

  it("an order found placed but unfilled while the market is closed waits for the open", async () => {
    const v = venue();
    fake.fault({ method: "POST", path: "/v2/orders", mode: "pending", reads: 100 });
    await run(v.placeOrder(order("tc-closed-4", "1"))).catch(() => undefined);
    fake.setClock({ isOpen: false, nextOpen });
    expect(await run(v.findOrder("tc-closed-4", "GOOG"))).toMatchObject({ status: "waiting", until: nextOpen });
  });
});

describe("errors and keys", () => {
  it("a refused key is a rejection naming Alpaca's code, never the key or secret", async () => {
    const wrong: FakeAlpacaKey = { ...FAKE_ALPACA_KEY, secret: "wrongAlpacaSecret00000000000000000000000" };
    const result = await run(venue({ key: wrong }).placeOrder(order("tc-key-1", "1")));
    expect(result).toEqual({ status: "rejected", venueOrderId: null, reason: "40110000: request is not authorized" });
    const check = await checkAlpacaKey(client(wrong));
    expect(check).toMatchObject({ status: "error", permissions: null, account: null });
    expect(check.statusReason).toMatch(/^the local test broker refused the key \(40110000: request is not authorized\)/);
    const text = JSON.stringify(check);
    for (const s of [...SECRETS, wrong.secret]) expect(text).not.toContain(s);
  });

  it("checks a key with GET /v2/account: active, blocked, not yet approved, unreachable", async () => {
    const ok = await checkAlpacaKey(client());
    expect(ok).toMatchObject({ status: "active", statusReason: null, wipeCredentials: false, permissions: { canTrade: true, canWithdraw: false, checkedVia: "alpaca:/v2/account" } });
    expect(ok.account).toMatchObject({ status: "ACTIVE", cash: "100000.00", currency: "USD" });
    expect(ALPACA_KEYS_CANNOT_WITHDRAW).toMatch(/cannot withdraw/);

    expect(await checkAlpacaKey(client(BLOCKED_KEY))).toMatchObject({ status: "error", statusReason: expect.stringMatching(/^Trading is blocked/), permissions: { canTrade: false } });
    expect(await checkAlpacaKey(client(ONBOARDING_KEY))).toMatchObject({ status: "error", statusReason: expect.stringMatching(/not active \(status ONBOARDING\)/) });

    const nowhere = createAlpacaClient({ keyId: FAKE_ALPACA_KEY.keyId, secret: FAKE_ALPACA_KEY.secret, environment: "local", baseUrl: "http://127.0.0.1:9", retryDelayMs: 1 });
    const down = await checkAlpacaKey(nowhere);
    expect(down).toMatchObject({ status: "error", statusReason: expect.stringMatching(/^the local test broker did not answer \(network error/) });
    expect(down.statusReason).not.toContain("127.0.0.1");
  });

  it("classifies Alpaca's answers: the duplicate by code and text, 40010001 alone is a refusal", () => {
    const api = (status: number, code: number | undefined, message: string) => new ApiError(new Response(null, { status }), status, code, message);
    expect(classifyAlpacaError(api(422, 40010001, "client_order_id must be unique"))).toEqual({ kind: "duplicate", code: "40010001", message: "client_order_id must be unique" });
    expect(classifyAlpacaError(api(422, 40010001, "us_equity orders not allowed for account")).kind).toBe("rejected");
    expect(classifyAlpacaError(api(404, 40410000, "order not found")).kind).toBe("not_found");
    expect(classifyAlpacaError(api(429, 42910000, "rate limit exceeded")).kind).toBe("ambiguous");
    expect(classifyAlpacaError(api(502, undefined, "<html><body>Bad Gateway</body></html>"))).toEqual({ kind: "ambiguous", code: "HTTP 502", message: "HTTP 502" });
    expect(classifyAlpacaError(api(403, 40310000, `forbidden for ${FAKE_ALPACA_KEY.keyId}`)).message).toBe("HTTP 403");
    const timeout = new FetchError(new DOMException("Request timed out after 10 ms", "TimeoutError"), "The request was aborted https://paper-api.alpaca.markets/v2/orders");
    expect(classifyAlpacaError(timeout)).toEqual({ kind: "ambiguous", code: null, message: "no answer in time" });
  });

  it("paper and live connections use Alpaca's URLs; a local one needs the fake's", () => {
    expect(createAlpacaClient({ keyId: "k", secret: "s", environment: "paper" }).baseUrl).toBe(ALPACA_PAPER_URL);
    expect(createAlpacaClient({ keyId: "k", secret: "s", environment: "live" }).baseUrl).toBe(ALPACA_LIVE_URL);
    expect(() => createAlpacaClient({ keyId: "k", secret: "s", environment: "local" })).toThrow(/base URL/);
    expect(alpacaSymbol("goog")).toBe("GOOG");
    expect(alpacaSymbol("BRK.B")).toBe("BRK.B");
    expect(alpacaSymbol("GOOG/USD")).toBe("GOOG");
    expect(alpacaSymbol("ETH/BTC")).toBeNull();
  });
});

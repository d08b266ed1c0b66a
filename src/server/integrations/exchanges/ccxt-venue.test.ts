/**
 * The live venue against the local fake Binance (./fake-binance-trading.ts) through the real ccxt client, real URLs:
 * what a copy order becomes on the exchange, and that a lost answer, a duplicate id or a 5xx never makes two orders.
 * No database: the venue is what the engine's `placePlanned` calls (`findOrder ?? placeOrder`), replayed here.

 */
import Decimal from "decimal.js";
import {
  AuthenticationError,
  BadRequest,
  BadResponse,
  BadSymbol,
  binance,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  OperationFailed,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
} from "ccxt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SerialVenue } from "@/server/services/copy/venues";
import { CcxtVenue, VenueRetryError } from "./ccxt-venue";
import { classifyVenueError, type VenueErrorKind } from "./errors";
import { FAKE_BINANCE_KEY, startFakeBinanceTrading, type FakeApiKey, type FakeBinanceTrading } from "./fake-binance-trading";
import { venueClientOrderId } from "./venue-id";

const PRICES: Record<string, string> = { BTCUSDT: "43361.11", ETHUSDT: "2300.00", LTCUSDT: "68.50", SOLUSDT: "95.00" };
/** A funded key with only 10 USDT. */
const POOR_KEY: FakeApiKey = { apiKey: "poorBinanceApiKey0000000000000000000000000000000000000000000000", secret: "poorBinanceSecret00000000000000000000000000000000000000000000000", balances: { USDT: "10" } };

let fake: FakeBinanceTrading;

beforeAll(async () => {
  fake = await startFakeBinanceTrading({ keys: [FAKE_BINANCE_KEY, POOR_KEY], prices: PRICES });
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
});
afterEach(() => {
  expect(fake.unexpected).toEqual([]);
});

function setPrice(symbol: string, price: string | undefined) {
  fake.setPrice(symbol, price);
}

/** The ccxt client as a connection gets it (see ./binance-static-requests.test.ts), its HTTP going to the fake. */
function client(key: FakeApiKey = FAKE_BINANCE_KEY, timeout = 5_000) {
  const ex = new binance({
    apiKey: key.apiKey,
    secret: key.secret,
    enableRateLimit: true,
    timeout,
    options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ["spot"] }, fetchOpenOrders: { warnWithoutSymbol: false } },
  });
  ex.number = String as unknown as typeof ex.number;
  ex.fetchImplementation = fake.fetchImplementation;
  return ex;
}

function venue(key?: FakeApiKey, timeout?: number) {
  // The engine's contract: a CcxtVenue is a SerialVenue (checked here: the integration may not import services).
  const v: SerialVenue = new CcxtVenue({ exchange: client(key, timeout) });
  return v;
}

/** What `placePlanned` does with a venue: the lookup, then the order. */
async function place(v: SerialVenue, clientOrderId: string, quantity: string, symbol = "BTC/USDT", side: "buy" | "sell" = "buy") {
  return (await v.findOrder(clientOrderId, symbol)) ?? (await v.placeOrder({ clientOrderId, symbol, side, quantity }));
}

const orderPosts = () => fake.requests.filter((r) => r.method === "POST" && r.path === "/api/v3/order");

/** The fake's record of an order as the venue should report it. */
function recorded(index = 0) {
  const o = fake.orders[index]!;
  const fee = o.fills.reduce((sum, f) => sum.plus(f.commission), new Decimal(0));
  return { venueOrderId: String(o.orderId), fillPrice: new Decimal(o.cummulativeQuoteQty).div(o.executedQty).toString(), fee: fee.toString(), filledAt: new Date(o.updateTime) };
}

describe("CcxtVenue against the fake Binance", () => {
  it("a market buy fills at the fake's price with its 0.1% fee, under our venue client order id", async () => {
    const result = await venue().placeOrder({ clientOrderId: "tcFirstOrder", symbol: "BTC/USDT", side: "buy", quantity: "0.01" });

    expect(fake.orders).toHaveLength(1);
    const order = fake.orders[0]!;
    expect(order).toMatchObject({ symbol: "BTCUSDT", side: "BUY", type: "MARKET", status: "FILLED", executedQty: "0.01000000", clientOrderId: venueClientOrderId("tcFirstOrder") });
    expect(result).toEqual({ status: "filled", ...recorded() });
    expect(result).toMatchObject({ fillPrice: "43361.11", fee: "0.4336111" });
    // The quantity itself, never quoteOrderQty (what ccxt sends for a market buy given a price).
    const [post] = orderPosts();
    expect(post!.params).toMatchObject({ symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01", newClientOrderId: venueClientOrderId("tcFirstOrder") });
    expect(post!.params).not.toHaveProperty("quoteOrderQty");
    expect(post!.params).not.toHaveProperty("price");
  });

  it("truncates the quantity to the market's step before sending it", async () => {
    const result = await venue().placeOrder({ clientOrderId: "tcStep", symbol: "LTC/USDT", side: "buy", quantity: "0.12345" });
    expect(result.status).toBe("filled");
    expect(orderPosts()[0]!.params.quantity).toBe("0.123");
  });

  it("the duplicate answer (-2010) to a second placement returns the first order's fill; one order on the exchange", async () => {
    const v = venue();
    const first = await v.placeOrder({ clientOrderId: "tcTwice", symbol: "BTC/USDT", side: "buy", quantity: "0.01" });
    fake.fault({ method: "POST", path: "/api/v3/order", mode: "duplicate" });
    const second = await v.placeOrder({ clientOrderId: "tcTwice", symbol: "BTC/USDT", side: "buy", quantity: "0.01" });

    expect(fake.orders).toHaveLength(1);
    expect(second).toEqual(first);
    expect(second).toEqual({ status: "filled", ...recorded() });
  });

  it("a re-send while the order under that id is open: the exchange refuses it, the venue reports it not finished; one order", async () => {
    const ex = client();
    const v = new CcxtVenue({ exchange: client() });
    // An order resting under the same venue id (a limit below the market stays open on the fake).
    const resting = await ex.createOrder("LTC/USDT", "limit", "buy", 0.2, 50, { clientOrderId: venueClientOrderId("tcOpen") });
    expect(resting.status).toBe("open");

    const attempt = v.placeOrder({ clientOrderId: "tcOpen", symbol: "LTC/USDT", side: "buy", quantity: "0.2" });
    await expect(attempt).rejects.toBeInstanceOf(VenueRetryError);
    await expect(attempt).rejects.toThrow(/is NEW, not finished yet/);
    expect(fake.orders).toHaveLength(1);
    expect(fake.orders[0]!.status).toBe("NEW");
  });

  it("accept-then-timeout: the answer is lost, the lookup finds the order and returns it; one order", async () => {
    fake.fault({ method: "POST", path: "/api/v3/order", mode: "accept-then-timeout", afterMs: 2_000 });
    const result = await venue(FAKE_BINANCE_KEY, 300).placeOrder({ clientOrderId: "tcTimeout", symbol: "BTC/USDT", side: "buy", quantity: "0.01" });

    expect(fake.orders).toHaveLength(1);
    expect(result).toEqual({ status: "filled", ...recorded() });
    expect(fake.requests.filter((r) => r.method === "GET" && r.path === "/api/v3/order")[0]!.params.origClientOrderId).toBe(venueClientOrderId("tcTimeout"));
  });

  it("5xx once: not placed and not found, the error goes up; the job's retry places it once", async () => {
    const v = venue();
    fake.fault({ method: "POST", path: "/api/v3/order", mode: "5xx" });
    await expect(place(v, "tc5xx", "0.01")).rejects.toBeInstanceOf(VenueRetryError);
    expect(fake.orders).toHaveLength(0);

    const result = await place(v, "tc5xx", "0.01");
    expect(fake.orders).toHaveLength(1);
    expect(result).toEqual({ status: "filled", ...recorded() });
    // And a third run (a crash after the fill, before it was recorded) finds it instead of placing again.
    expect(await place(v, "tc5xx", "0.01")).toEqual(result);
    expect(fake.orders).toHaveLength(1);
  });

  it("a failed first load of the markets is asked for again: the next placement reaches the exchange and fills", async () => {
    // ccxt keeps a failed loadMarkets() promise and returns it to every later call without a request: a connection
    // whose first call timed out would otherwise fail every order for the client's lifetime.
    const v = venue();
    fake.fault({ method: "GET", path: "/api/v3/exchangeInfo", mode: "5xx" });
    await expect(place(v, "tcMarketsAgain", "0.01")).rejects.toBeInstanceOf(VenueRetryError);
    expect(fake.orders).toHaveLength(0);
    const loads = () => fake.requests.filter((r) => r.path === "/api/v3/exchangeInfo").length;
    expect(loads()).toBe(1);

    const result = await place(v, "tcMarketsAgain", "0.01");
    expect(loads()).toBe(2);
    expect(fake.orders).toHaveLength(1);
    expect(result).toEqual({ status: "filled", ...recorded() });
    // Loaded once it succeeded: the next call asks for nothing.
    await place(v, "tcMarketsAgain", "0.01");
    expect(loads()).toBe(2);
  });

  it("insufficient balance: rejected with the exchange's message, nothing placed", async () => {
    const result = await venue(POOR_KEY).placeOrder({ clientOrderId: "tcPoor", symbol: "BTC/USDT", side: "buy", quantity: "0.01" });
    expect(result).toEqual({ status: "rejected", venueOrderId: null, reason: "InsufficientFunds: Account has insufficient balance for requested action." });
    expect(fake.orders).toHaveLength(0);
  });

  it("below the market's step: rejected below_minimum, nothing sent", async () => {
    const result = await venue().placeOrder({ clientOrderId: "tcDust", symbol: "BTC/USDT", side: "buy", quantity: "0.000004" });
    expect(result).toMatchObject({ status: "rejected", venueOrderId: null, reason: expect.stringMatching(/^below_minimum: 0\.000004 BTC is less than one step of BTC\/USDT/) });
    expect(orderPosts()).toHaveLength(0);
  });

  it("below the minimum order value at the last price: rejected below_minimum, nothing sent", async () => {
    // 0.0001 BTC × 43361.11 = 4.336111 USDT, under the 5 USDT NOTIONAL minimum.
    const result = await venue().placeOrder({ clientOrderId: "tcSmall", symbol: "BTC/USDT", side: "buy", quantity: "0.0001" });
    expect(result).toEqual({
      status: "rejected",
      venueOrderId: null,
      reason: "below_minimum: 0.0001 BTC at 43361.11 is 4.336111 USDT, below BTC/USDT's minimum order value 5",
    });
    expect(orderPosts()).toHaveLength(0);
  });

  it("a market order that expires with nothing filled is rejected with the exchange's status", async () => {
    setPrice("SOLUSDT", undefined);
    const result = await venue().placeOrder({ clientOrderId: "tcNoBook", symbol: "SOL/USDT", side: "buy", quantity: "1" });
    expect(fake.orders).toHaveLength(1);
    expect(result).toEqual({ status: "rejected", venueOrderId: String(fake.orders[0]!.orderId), reason: "expired: the exchange expired the order with nothing filled" });
  });

  it("a market buy that expired part-filled, its fee paid in the base asset: the filled quantity, the fee at the fill price", async () => {
    // The fake fills market orders whole with the fee in quote; Binance's FULL answer for this case is parsed by ccxt
    // itself (the exchange's shape: EXPIRED, executedQty < origQty, commission in BTC).
    const ex = client();
    await ex.loadMarkets();
    const answer = {
      symbol: "BTCUSDT",
      orderId: 77,
      orderListId: -1,
      clientOrderId: venueClientOrderId("tcPartial"),
      transactTime: 1_700_000_000_000,
      price: "0.00000000",
      origQty: "0.01000000",
      executedQty: "0.00600000",
      cummulativeQuoteQty: "260.16666000",
      status: "EXPIRED",
      timeInForce: "GTC",
      type: "MARKET",
      side: "BUY",
      fills: [
        { price: "43361.11", qty: "0.00400000", commission: "0.00000400", commissionAsset: "BTC", tradeId: 1 },
        { price: "43361.11", qty: "0.00200000", commission: "0.00000200", commissionAsset: "BTC", tradeId: 2 },
      ],
    };
    ex.createOrder = async () => ex.parseOrder(answer, ex.market("BTC/USDT"));
    const result = await new CcxtVenue({ exchange: ex }).placeOrder({ clientOrderId: "tcPartial", symbol: "BTC/USDT", side: "buy", quantity: "0.01" });
    expect(result).toEqual({
      status: "filled",
      venueOrderId: "77",
      fillPrice: "43361.11",
      // 0.000006 BTC × 43361.11
      fee: "0.26016666",
      filledAt: new Date(1_700_000_000_000),
      quantity: "0.006",
    });
  });

  it("an unknown symbol is rejected, nothing sent", async () => {
    const result = await venue().placeOrder({ clientOrderId: "tcBad", symbol: "DOGE/USDT", side: "buy", quantity: "1" });
    expect(result).toMatchObject({ status: "rejected", venueOrderId: null, reason: expect.stringMatching(/^BadSymbol: /) });
    expect(orderPosts()).toHaveLength(0);
  });

  it("findOrder: null for an id the exchange does not hold", async () => {
    expect(await venue().findOrder("tcNever", "BTC/USDT")).toBeNull();
  });

  it("reads for reconciliation: market rules, balances, open and recent orders as decimal strings; a failed read is a VenueRetryError", async () => {
    const v = new CcxtVenue({ exchange: client() });
    expect(await v.marketRules("BTC/USDT")).toEqual({ symbol: "BTC/USDT", base: "BTC", quote: "USDT", minAmount: "0.00001", minCost: "5" });
    const filled = await v.placeOrder({ clientOrderId: "tcRead1", symbol: "BTC/USDT", side: "buy", quantity: "0.01" });
    const resting = fake.placeDirect(FAKE_BINANCE_KEY.apiKey, { symbol: "BTCUSDT", side: "BUY", quantity: "0.001", clientOrderId: venueClientOrderId("tcRead2"), type: "LIMIT", price: "30000" });
    expect((await v.balances()).BTC).toEqual({ free: "1.01", used: "0", total: "1.01" });
    expect((await v.balances()).USDT).toEqual({ free: new Decimal("100000").minus("433.6111").minus("0.4336111").minus("30.03").toString(), used: "30.03", total: new Decimal("100000").minus("433.6111").minus("0.4336111").toString() });
    const open = await v.openOrders("BTC/USDT");
    expect(open).toEqual([
      { venueOrderId: String(resting.orderId), clientOrderId: venueClientOrderId("tcRead2"), symbol: "BTC/USDT", side: "buy", status: "open", amount: "0.001", filled: "0", average: null, timestamp: resting.time },
    ]);
    const recent = await v.recentOrders("BTC/USDT");
    expect(recent.map((o) => [o.venueOrderId, o.status, o.filled, o.average])).toEqual([
      [filled.status === "filled" ? filled.venueOrderId : "", "closed", "0.01", "43361.11"],
      [String(resting.orderId), "open", "0", null],
    ]);
    fake.fault({ method: "GET", path: "/api/v3/openOrders", mode: "5xx" });
    const err = await v.openOrders("BTC/USDT").then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(VenueRetryError);
    expect(String((err as Error).message)).toBe("reading open BTC/USDT orders: -1001: Internal error; unable to process your request. Please try your request again.");
    expect(String((err as Error).message)).not.toContain(FAKE_BINANCE_KEY.apiKey);
  });

  it("errors carry neither the API key nor the secret (nor the signed URL)", async () => {
    const secrets = [FAKE_BINANCE_KEY.apiKey, FAKE_BINANCE_KEY.secret, POOR_KEY.apiKey, POOR_KEY.secret];
    const wrongSecret: FakeApiKey = { ...FAKE_BINANCE_KEY, secret: "wrongBinanceSecret0000000000000000000000000000000000000000000000" };
    const unknownKey: FakeApiKey = { apiKey: "unknownBinanceApiKey000000000000000000000000000000000000000000000", secret: FAKE_BINANCE_KEY.secret };
    secrets.push(wrongSecret.secret, unknownKey.apiKey);

    const refusals = [
      await venue(wrongSecret).placeOrder({ clientOrderId: "tcSig", symbol: "BTC/USDT", side: "buy", quantity: "0.01" }),
      await venue(unknownKey).placeOrder({ clientOrderId: "tcKey", symbol: "BTC/USDT", side: "buy", quantity: "0.01" }),
      await venue(POOR_KEY).placeOrder({ clientOrderId: "tcPoor2", symbol: "BTC/USDT", side: "buy", quantity: "0.01" }),
    ];
    expect(refusals.map((r) => r.status === "rejected" && r.reason)).toEqual([
      "-1022: Signature for this request is not valid.",
      "-2015: Invalid API-key, IP, or permissions for action.",
      "InsufficientFunds: Account has insufficient balance for requested action.",
    ]);

    // A lost answer whose lookup fails too: ccxt's own message names the signed URL; ours does not.
    fake.fault({ method: "POST", path: "/api/v3/order", mode: "accept-then-timeout", afterMs: 2_000 });
    fake.fault({ method: "GET", path: "/api/v3/order", mode: "5xx" });
    const lost = await venue(FAKE_BINANCE_KEY, 300)
      .placeOrder({ clientOrderId: "tcLost", symbol: "BTC/USDT", side: "buy", quantity: "0.01" })
      .then(() => undefined, (err: unknown) => err);
    expect(lost).toBeInstanceOf(VenueRetryError);

    const texts = [...refusals.map((r) => JSON.stringify(r)), String((lost as Error).message), JSON.stringify(lost)];
    for (const t of texts) {
      for (const s of secrets) expect(t).not.toContain(s);
      expect(t).not.toMatch(/signature|https?:\/\//);
    }
  });
});

describe("classifyVenueError", () => {
  const body = (json: object) => JSON.stringify(json);
  const cases: [string, string, Error, VenueErrorKind, string | null][] = [
    // duplicate: the order exists
    ["binance -2010 Duplicate", "binance", new InvalidOrder(`binance ${body({ code: -2010, msg: "Duplicate order sent." })}`), "duplicate", "-2010"],
    ["binance -4116 (futures duplicate id)", "binanceusdm", new InvalidOrder(`binanceusdm ${body({ code: -4116, msg: "ClientOrderId is duplicated." })}`), "duplicate", "-4116"],
    ["binance -4116 as plain ExchangeError (some tables)", "binance", new ExchangeError(`binance ${body({ code: -4116, msg: "ClientOrderId is duplicated." })}`), "duplicate", "-4116"],
    ["bybit 110072", "bybit", new InvalidOrder(`bybit ${body({ retCode: 110072, retMsg: "OrderLinkedID is duplicate", result: {}, retExtInfo: {}, time: 1 })}`), "duplicate", "110072"],
    [
      "okx 51016 (sCode)",
      "okx",
      new InvalidOrder(`okx ${body({ code: "1", data: [{ clOrdId: "7c0", ordId: "", sCode: "51016", sMsg: "Duplicated clOrdId", tag: "" }], msg: "All operations failed" })}`),
      "duplicate",
      "51016",
    ],
    // not found
    ["binance -2013", "binance", new OrderNotFound(`binance ${body({ code: -2013, msg: "Order does not exist." })}`), "not_found", "-2013"],
    ["OrderNotFound without a body", "kraken", new OrderNotFound("kraken fetchOrder() could not find order"), "not_found", null],
    // ambiguous: maybe placed
    ["RequestTimeout", "binance", new RequestTimeout("binance POST https://api.binance.com/api/v3/order request timed out (300 ms)"), "ambiguous", null],
    ["ExchangeNotAvailable", "binance", new ExchangeNotAvailable("binance POST https://api.binance.com/api/v3/order 502 Bad Gateway <html></html>"), "ambiguous", null],
    ["DDoSProtection 418/429", "binance", new DDoSProtection("binance 429 Too Many Requests {}"), "ambiguous", null],
    ["RateLimitExceeded", "bybit", new RateLimitExceeded("bybit rate limit"), "ambiguous", null],
    ["InvalidNonce -1021", "binance", new InvalidNonce(`binance ${body({ code: -1021, msg: "Timestamp for this request is outside of the recvWindow." })}`), "ambiguous", "-1021"],
    ["-1021 as BadRequest (portfolio margin table)", "binance", new BadRequest(`binance ${body({ code: -1021, msg: "Timestamp for this request is outside of the recvWindow." })}`), "ambiguous", "-1021"],
    ["OperationFailed -1000", "binance", new OperationFailed(`binance ${body({ code: -1000, msg: "An unknown error occurred while processing the request." })}`), "ambiguous", "-1000"],
    ["OperationFailed -1001", "binance", new OperationFailed(`binance ${body({ code: -1001, msg: "Internal error; unable to process your request. Please try your request again." })}`), "ambiguous", "-1001"],
    ["-1001 as ExchangeError (portfolio margin table)", "binance", new ExchangeError(`binance ${body({ code: -1001, msg: "Internal error" })}`), "ambiguous", "-1001"],
    ["BadResponse", "okx", new BadResponse("okx returned a malformed response"), "ambiguous", null],
    ["binance -1007 (RequestTimeout)", "binance", new RequestTimeout(`binance ${body({ code: -1007, msg: "Timeout waiting for response from backend server. Send status unknown; execution status unknown." })}`), "ambiguous", "-1007"],
    ["binance -1007 (ExchangeError, option table)", "binance", new ExchangeError(`binance ${body({ code: -1007, msg: "Timeout waiting for response from backend server." })}`), "ambiguous", "-1007"],
    ["not a ccxt error", "binance", new TypeError("fetch failed"), "ambiguous", null],
    // rejected: never retried
    ["InsufficientFunds (message match, no code)", "binance", new InsufficientFunds("binance Account has insufficient balance for requested action."), "rejected", null],
    ["InvalidOrder -2010 other reason", "binance", new InvalidOrder(`binance ${body({ code: -2010, msg: "Order would immediately match and take." })}`), "rejected", "-2010"],
    ["InvalidOrder LOT_SIZE", "binance", new InvalidOrder(`binance order amount should be evenly divisible by lot size ${body({ code: -1013, msg: "Filter failure: LOT_SIZE" })}`), "rejected", "-1013"],
    ["BadSymbol", "binance", new BadSymbol("binance does not have market symbol DOGE/XYZ"), "rejected", null],
    ["BadRequest", "binance", new BadRequest(`binance ${body({ code: -1102, msg: "Mandatory parameter 'quantity' was not sent." })}`), "rejected", "-1102"],
    ["PermissionDenied", "binance", new PermissionDenied("binance This symbol is not permitted for this account."), "rejected", null],
    ["AuthenticationError -2015", "binance", new AuthenticationError(`binance ${body({ code: -2015, msg: "Invalid API-key, IP, or permissions for action." })}`), "rejected", "-2015"],
    ["-2015 rethrown as DDoSProtection after a successful call", "binance", new DDoSProtection(`binance ${body({ code: -2015, msg: "Invalid API-key, IP, or permissions for action." })}`), "rejected", "-2015"],
    ["AuthenticationError -1022", "binance", new AuthenticationError(`binance ${body({ code: -1022, msg: "Signature for this request is not valid." })}`), "rejected", "-1022"],
    ["AuthenticationError -2014", "binance", new AuthenticationError(`binance ${body({ code: -2014, msg: "API-key format invalid." })}`), "rejected", "-2014"],
    ["other ExchangeError", "bybit", new ExchangeError(`bybit ${body({ retCode: 170131, retMsg: "Insufficient balance." })}`), "rejected", "170131"],
  ];

  it.each(cases)("%s", (_name, exchangeId, err, kind, code) => {
    const result = classifyVenueError(exchangeId, err);
    expect(result).toMatchObject({ kind, code });
    expect(result.message).not.toMatch(/https?:\/\/|\{/);
  });

  it("keeps the exchange's message, and nothing of a URL, signature or key", () => {
    expect(classifyVenueError("binance", new InvalidOrder(`binance ${body({ code: -2010, msg: "Duplicate order sent." })}`)).message).toBe("Duplicate order sent.");
    expect(classifyVenueError("okx", new InvalidOrder(`okx ${body({ code: "1", data: [{ sCode: "51016", sMsg: "Duplicated clOrdId" }], msg: "" })}`)).message).toBe("Duplicated clOrdId");
    const signedUrl = `binance GET https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=${"ab".repeat(32)} request timed out (300 ms)`;
    expect(classifyVenueError("binance", new RequestTimeout(signedUrl)).message).toBe("RequestTimeout");
    expect(classifyVenueError("binance", new ExchangeError(`binance key ${FAKE_BINANCE_KEY.apiKey} refused`)).message).toBe("ExchangeError");
  });
});

/**
 * The fake Binance trading server itself: what it refuses (keys, signatures, stale timestamps, duplicate client ids,
 * unknown orders, filters), what a fill looks like, and its fault hooks. Raw HTTP for the exact status and body;
 * the real ccxt client for the error classes later code reads.
 */
import { createHmac } from "node:crypto";
import { AuthenticationError, binance, InvalidOrder, OperationFailed, OrderNotFound, RequestTimeout } from "ccxt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FAKE_BINANCE_KEY, startFakeBinanceTrading, type FakeApiKey, type FakeBinanceTrading } from "./fake-binance-trading";

const WITHDRAW_KEY: FakeApiKey = {
  apiKey: "withdrawKey000000000000000000000000000000000000000000000000000",
  secret: "withdrawSecret0000000000000000000000000000000000000000000000000",
  restrictions: { enableWithdrawals: true, ipRestrict: false },
  balances: { USDT: "10" },
};

describe("fake Binance trading server", () => {
  let fake: FakeBinanceTrading;

  beforeAll(async () => {
    fake = await startFakeBinanceTrading({ keys: [FAKE_BINANCE_KEY, WITHDRAW_KEY] });
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  interface SignedOptions {
    key?: FakeApiKey;
    secret?: string;
    timestamp?: number;
    /** Changes the body after it was signed. */
    tamper?: (payload: string) => string;
  }

  /** A signed Binance request the way the docs describe it: HMAC-SHA256 hex of the query/body, signature last. */
  async function signed(method: string, path: string, params: Record<string, string>, o: SignedOptions = {}) {
    const key = o.key ?? FAKE_BINANCE_KEY;
    const query = new URLSearchParams({ ...params, timestamp: String(o.timestamp ?? Date.now()), recvWindow: "5000" }).toString();
    const signature = createHmac("sha256", o.secret ?? key.secret).update(query).digest("hex");
    const payload = (o.tamper ?? ((p) => p))(`${query}&signature=${signature}`);
    const headers: Record<string, string> = key.apiKey ? { "X-MBX-APIKEY": key.apiKey } : {};
    const res =
      method === "POST"
        ? await fetch(`${fake.url}${path}`, { method, headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: payload })
        : await fetch(`${fake.url}${path}?${payload}`, { method, headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const limitBuy = (clientId: string, extra: Record<string, string> = {}) =>
    signed("POST", "/api/v3/order", { symbol: "LTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.2", price: "50", newClientOrderId: clientId, ...extra });

  function client(key: FakeApiKey = FAKE_BINANCE_KEY, timeout = 5_000) {
    const ex = new binance({
      apiKey: key.apiKey,
      secret: key.secret,
      timeout,
      options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ["spot"] }, fetchOpenOrders: { warnWithoutSymbol: false } },
    });
    ex.number = String as unknown as typeof ex.number;
    ex.fetchImplementation = fake.fetchImplementation;
    return ex;
  }

  describe("authentication", () => {
    afterEach(() => expect(fake.unexpected).toEqual([]));

    it("accepts a correctly signed request and records it without the API key", async () => {
      const res = await signed("GET", "/api/v3/account", {});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ canTrade: true, canWithdraw: false, balances: expect.arrayContaining([{ asset: "USDT", free: "100000.00000000", locked: "0.00000000" }]) });
      const [request] = fake.requests;
      expect(request).toMatchObject({ method: "GET", path: "/api/v3/account", verified: true });
      expect(JSON.stringify(request)).not.toContain(FAKE_BINANCE_KEY.apiKey);
    });

    it("refuses a signature made with another secret, or a body changed after signing (-1022)", async () => {
      const refused = { status: 400, body: { code: -1022, msg: "Signature for this request is not valid." } };
      expect((await limitBuy("7c0000000000000000000000000000aa")).status).toBe(200);
      expect(await signed("POST", "/api/v3/order", { symbol: "LTCUSDT", side: "BUY", type: "MARKET", quantity: "0.2" }, { secret: "not-the-secret" })).toEqual(refused);
      expect(await signed("POST", "/api/v3/order", { symbol: "LTCUSDT", side: "BUY", type: "MARKET", quantity: "0.2" }, { tamper: (p) => p.replace("quantity=0.2", "quantity=2") })).toEqual(refused);
      expect(fake.orders.map((o) => o.clientOrderId)).toEqual(["7c0000000000000000000000000000aa"]);
      expect(fake.requests.map((r) => r.verified)).toEqual([true, false, false]);
    });

    it("refuses an unknown key (-2015, HTTP 401), a missing key (-2014) and a stale timestamp (-1021)", async () => {
      expect(await signed("GET", "/api/v3/account", {}, { key: { apiKey: "nope", secret: "nope" } })).toEqual({
        status: 401,
        body: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." },
      });
      expect(await signed("GET", "/api/v3/account", {}, { key: { apiKey: "", secret: "x" } })).toEqual({ status: 401, body: { code: -2014, msg: "API-key format invalid." } });
      expect(await signed("GET", "/api/v3/account", {}, { timestamp: Date.now() - 6_000 })).toEqual({
        status: 400,
        body: { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." },
      });
      expect(await signed("GET", "/api/v3/account", {}, { timestamp: Date.now() + 5_000 })).toMatchObject({ status: 400, body: { code: -1021 } });
    });

    it("ccxt reads a wrong secret and an unknown key as AuthenticationError", async () => {
      await expect(client({ ...FAKE_BINANCE_KEY, secret: "wrong" }).fetchBalance()).rejects.toThrow(AuthenticationError);
      await expect(client({ apiKey: "nope", secret: "nope" }).fetchBalance()).rejects.toThrow(AuthenticationError);
    });

    it("reports each key's restrictions (a withdraw-enabled key says so)", async () => {
      expect((await signed("GET", "/sapi/v1/account/apiRestrictions", {})).body).toMatchObject({ enableWithdrawals: false, ipRestrict: true, enableSpotAndMarginTrading: true, enableReading: true });
      expect((await signed("GET", "/sapi/v1/account/apiRestrictions", {}, { key: WITHDRAW_KEY })).body).toMatchObject({ enableWithdrawals: true, ipRestrict: false });
      expect((await signed("GET", "/api/v3/account", {}, { key: WITHDRAW_KEY })).body).toMatchObject({ canWithdraw: true });
    });
  });

  describe("orders", () => {
    afterEach(() => expect(fake.unexpected).toEqual([]));

    it("refuses a client order id an open order holds (-2010), and takes it again once that order is closed", async () => {
      expect((await limitBuy("7c0000000000000000000000000000bb")).body).toMatchObject({ status: "NEW", clientOrderId: "7c0000000000000000000000000000bb" });
      expect(await limitBuy("7c0000000000000000000000000000bb")).toEqual({ status: 400, body: { code: -2010, msg: "Duplicate order sent." } });
      expect(fake.orders).toHaveLength(1);
      expect(fake.balances(FAKE_BINANCE_KEY.apiKey).USDT).toEqual({ free: "99989.99", locked: "10.01" });

      const ex = client();
      await expect(ex.createOrder("LTC/USDT", "limit", "buy", 0.2, 50, { clientOrderId: "7c0000000000000000000000000000bb" })).rejects.toThrow(InvalidOrder);

      const canceled = await signed("DELETE", "/api/v3/order", { symbol: "LTCUSDT", origClientOrderId: "7c0000000000000000000000000000bb" });
      expect(canceled.body).toMatchObject({ status: "CANCELED", origClientOrderId: "7c0000000000000000000000000000bb" });
      expect(fake.balances(FAKE_BINANCE_KEY.apiKey).USDT).toEqual({ free: "100000", locked: "0" });
      expect((await limitBuy("7c0000000000000000000000000000bb")).status).toBe(200);
      expect(fake.orders.map((o) => o.status)).toEqual(["CANCELED", "NEW"]);
    });

    it("answers -2013 for an order it does not have (ccxt: OrderNotFound), -2011 when cancelling one", async () => {
      expect(await signed("GET", "/api/v3/order", { symbol: "LTCUSDT", origClientOrderId: "7c00000000000000000000000000dead" })).toEqual({
        status: 400,
        body: { code: -2013, msg: "Order does not exist." },
      });
      expect(await signed("DELETE", "/api/v3/order", { symbol: "LTCUSDT", orderId: "999" })).toEqual({ status: 400, body: { code: -2011, msg: "Unknown order sent." } });
      await expect(client().fetchOrder(undefined as unknown as string, "LTC/USDT", { clientOrderId: "7c00000000000000000000000000dead" })).rejects.toThrow(OrderNotFound);
    });

    it("fills a market order at the set price with 0.1% commission in the quote asset (FULL response), found again by client id", async () => {
      fake.setPrice("BTCUSDT", "40000.00");
      const ex = client();
      const placed = await ex.createOrder("BTC/USDT", "market", "buy", 0.0123, undefined, { clientOrderId: "7c0000000000000000000000000000cc" });
      // ex.number = String: ccxt hands back the exchange's own strings, trailing zeros and all.
      expect(placed).toMatchObject({ status: "closed", filled: "0.01230000", cost: "492.00000000", clientOrderId: "7c0000000000000000000000000000cc" });
      expect(Number(placed.average)).toBe(40000);
      expect(placed.info.fills).toEqual([{ price: "40000.00000000", qty: "0.01230000", commission: "0.49200000", commissionAsset: "USDT", tradeId: 1 }]);
      expect(placed.fee).toEqual({ cost: "0.49200000", currency: "USDT" });
      const balances = fake.balances(FAKE_BINANCE_KEY.apiKey);
      expect(balances.BTC!.free).toBe("1.0123");
      expect(balances.USDT!.free).toBe("99507.508");

      const found = await ex.fetchOrder(undefined as unknown as string, "BTC/USDT", { clientOrderId: "7c0000000000000000000000000000cc" });
      expect(found).toMatchObject({ id: placed.id, status: "closed", filled: "0.01230000" });
      expect(await ex.fetchOpenOrders()).toEqual([]);
    });

    it("test hooks: an order held as if placed over the API (no request), a balance changed behind the client's back; allOrders lists them", async () => {
      fake.setPrice("BTCUSDT", "40000.00");
      const direct = fake.placeDirect(FAKE_BINANCE_KEY.apiKey, { symbol: "BTCUSDT", side: "BUY", quantity: "0.01", clientOrderId: "7c00000000000000000000000000d1ec" });
      expect(direct).toMatchObject({ status: "FILLED", executedQty: "0.01000000", clientOrderId: "7c00000000000000000000000000d1ec" });
      const resting = fake.placeDirect(FAKE_BINANCE_KEY.apiKey, { symbol: "BTCUSDT", side: "BUY", quantity: "0.01", clientOrderId: "7c00000000000000000000000000d1ed", type: "LIMIT", price: "30000" });
      expect(resting.status).toBe("NEW");
      expect(() => fake.placeDirect(FAKE_BINANCE_KEY.apiKey, { symbol: "BTCUSDT", side: "BUY", quantity: "0.01", clientOrderId: "7c00000000000000000000000000d1ed" })).toThrow("-2010: Duplicate order sent.");
      expect(fake.requests).toEqual([]);
      fake.setBalance(FAKE_BINANCE_KEY.apiKey, "BTC", "0.25");
      expect(fake.balances(FAKE_BINANCE_KEY.apiKey).BTC).toEqual({ free: "0.25", locked: "0" });

      const ex = client();
      const all = await ex.fetchOrders("BTC/USDT");
      expect(all.map((o) => [o.clientOrderId, o.status, o.filled])).toEqual([
        ["7c00000000000000000000000000d1ec", "closed", "0.01000000"],
        ["7c00000000000000000000000000d1ed", "open", "0.00000000"],
      ]);
      expect((await ex.fetchOrders("BTC/USDT", undefined, 1)).map((o) => o.id)).toEqual([String(resting.orderId)]);
      expect((await ex.fetchBalance()).total).toMatchObject({ BTC: "0.25" });
    });

    it("refuses what Binance's filters and balance refuse", async () => {
      const order = (params: Record<string, string>) => signed("POST", "/api/v3/order", { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC", ...params });
      expect((await order({ quantity: "0.000015", price: "40000" })).body).toEqual({ code: -1013, msg: "Filter failure: LOT_SIZE" });
      expect((await order({ quantity: "0.001", price: "40000.001" })).body).toEqual({ code: -1013, msg: "Filter failure: PRICE_FILTER" });
      expect((await order({ quantity: "0.0001", price: "40000" })).body).toEqual({ code: -1013, msg: "Filter failure: NOTIONAL" });
      expect((await order({ quantity: "5", price: "40000" })).body).toEqual({ code: -2010, msg: "Account has insufficient balance for requested action." });
      expect((await order({ quantity: "0.001" })).body).toEqual({ code: -1102, msg: "Mandatory parameter 'price' was not sent, was empty/null, or malformed." });
      expect((await order({ symbol: "DOGEUSDT", quantity: "1", price: "1" })).body).toEqual({ code: -1121, msg: "Invalid symbol." });
      expect(fake.orders).toEqual([]);
    });
  });

  describe("faults", () => {
    it("5xx: answers 500 -1001 without placing, then serves the next request", async () => {
      fake.fault({ method: "POST", path: "/api/v3/order", mode: "5xx" });
      expect(await limitBuy("7c0000000000000000000000000000dd")).toEqual({
        status: 500,
        body: { code: -1001, msg: "Internal error; unable to process your request. Please try your request again." },
      });
      expect(fake.orders).toEqual([]);
      expect((await limitBuy("7c0000000000000000000000000000dd")).status).toBe(200);
      expect(fake.orders).toHaveLength(1);
    });

    it("duplicate: answers -2010 Duplicate order sent. without placing", async () => {
      fake.fault({ path: "/api/v3/order", mode: "duplicate", times: 2 });
      await expect(client().createOrder("LTC/USDT", "limit", "buy", 0.2, 50, { clientOrderId: "7c0000000000000000000000000000ee" })).rejects.toThrow(/-2010/);
      expect((await limitBuy("7c0000000000000000000000000000ee")).body).toEqual({ code: -2010, msg: "Duplicate order sent." });
      expect((await limitBuy("7c0000000000000000000000000000ee")).status).toBe(200);
      expect(fake.orders).toHaveLength(1);
    });

    it("accept-then-timeout: stores the order and never answers (ccxt: RequestTimeout; socket closed: a network error)", async () => {
      fake.fault({ path: "/api/v3/order", mode: "accept-then-timeout", afterMs: 2_000 });
      await expect(client(FAKE_BINANCE_KEY, 300).createOrder("LTC/USDT", "limit", "buy", 0.2, 50, { clientOrderId: "7c0000000000000000000000000000ff" })).rejects.toThrow(
        RequestTimeout,
      );
      expect(fake.orders.map((o) => [o.clientOrderId, o.status])).toEqual([["7c0000000000000000000000000000ff", "NEW"]]);

      fake.fault({ path: "/api/v3/order", mode: "accept-then-timeout", afterMs: 20 });
      await expect(limitBuy("7c0000000000000000000000000000f1")).rejects.toThrow(TypeError);
      expect(fake.orders).toHaveLength(2);
    });

    it("partial: a market order fills the given share (to the step) and expires; its trades and the ticker answer from the fake's state", async () => {
      fake.fault({ path: "/api/v3/order", mode: "partial", fraction: "0.4" });
      const { body } = await signed("POST", "/api/v3/order", { symbol: "LTCUSDT", side: "BUY", type: "MARKET", quantity: "1.001", newClientOrderId: "7c00000000000000000000000000000a" });
      // 1.001 × 0.4 = 0.4004, floored to LTC's 0.001 step.
      expect(body).toMatchObject({ status: "EXPIRED", origQty: "1.00100000", executedQty: "0.40000000", cummulativeQuoteQty: "27.40000000" });
      const trades = await client().fetchMyTrades("LTC/USDT", undefined, undefined, { orderId: String(body.orderId) });
      expect(trades.map((t) => [t.amount, t.price, t.fee?.cost, t.fee?.currency])).toEqual([["0.40000000", "68.50000000", "0.02740000", "USDT"]]);
      expect((await client().fetchTicker("LTC/USDT")).last).toBe("68.50000000");
    });

    it("not-found answers -2013 even for an order it holds; faults aimed at one API key leave the others alone", async () => {
      await limitBuy("7c00000000000000000000000000000b");
      fake.fault({ apiKey: WITHDRAW_KEY.apiKey, method: "GET", path: "/api/v3/order", mode: "not-found" });
      fake.fault({ apiKey: FAKE_BINANCE_KEY.apiKey, method: "GET", path: "/api/v3/order", mode: "not-found" });
      const lookup = () => signed("GET", "/api/v3/order", { symbol: "LTCUSDT", origClientOrderId: "7c00000000000000000000000000000b" });
      expect(await lookup()).toEqual({ status: 400, body: { code: -2013, msg: "Order does not exist." } });
      expect((await lookup()).body).toMatchObject({ status: "NEW" });
    });

    it("answers 404 JSON -1000 to anything else and lists it (ccxt: OperationFailed)", async () => {
      const res = await fetch(`${fake.url}/api/v3/klines?symbol=BTCUSDT`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: -1000 });
      await expect(client().fetchOrderBook("BTC/USDT")).rejects.toThrow(OperationFailed);
      expect(fake.unexpected).toEqual(["GET /api/v3/klines?symbol=BTCUSDT", expect.stringMatching(/^GET api\.binance\.com\/api\/v3\/depth\?/)]);
    });
  });
});

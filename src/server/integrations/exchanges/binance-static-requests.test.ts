/**
 * Acceptance 1 of issue 14: the requests the real ccxt Binance client builds for spot orders, checked against ccxt's
 * own static request fixtures (shared/data/ccxt/binance_static_request.json, recorded from real exchange calls),
 * with ccxt sending them to the local fake Binance (./fake-binance-trading.ts), which verifies each signature and
 * records the raw body. The fixtures leave out the client order id (random in them); ours is asserted separately.
 *
 * Cases taken: every `createOrder` case whose URL path is /api/v3/order or /api/v3/order/test (spot). The others
 * are futures (fapi/dapi), portfolio margin (papi), margin (sapi/v1/margin/order) and tokenised stocks
 * (sapi/v1/equity): endpoints and accounts the spot venue does not use and the fake does not serve. Some spot cases
 * were recorded against the spot testnet (testnet.binance.vision); spot requests are the same there, and the client
 * here runs with production URLs (as the live venue will, sandbox off for the local exchange).
 */
import fs from "node:fs";
import path from "node:path";
import { binance, type Order } from "ccxt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FAKE_BINANCE_KEY, startFakeBinanceTrading, type FakeBinanceTrading } from "./fake-binance-trading";
import { isVenueClientOrderId, venueClientOrderId } from "./venue-id";

interface StaticRequestCase {
  description: string;
  method: string;
  url: string;
  input: unknown[];
  output: string;
  options?: Record<string, unknown>;
}

interface StaticRequests {
  exchange: string;
  skipKeys: string[];
  outputType: string;
  options?: Record<string, unknown>;
  methods: Record<string, StaticRequestCase[]>;
}

const fallback = path.resolve(import.meta.dirname, "../../../../../shared/data");
const dataDir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const file = dataDir ? path.join(dataDir, "ccxt", "binance_static_request.json") : undefined;
const fixtures = file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as StaticRequests) : undefined;
if (!fixtures) {
  console.warn(
    `[exchanges] ccxt static request tests skipped: no ccxt/binance_static_request.json (set MARKET_DATA_DIR to the shared data folder; looked at ${file ?? fallback})`,
  );
}

const SPOT_ORDER_PATHS = new Set(["/api/v3/order", "/api/v3/order/test"]);
const spotCases = (fixtures?.methods.createOrder ?? []).filter((c) => SPOT_ORDER_PATHS.has(new URL(c.url).pathname));
/** Keys that differ on every call (time, signature) or that we set ourselves (the client order id). */
const VOLATILE = ["timestamp", "signature", "recvWindow", "newClientOrderId"];

/** The form body as an object, refusing a key sent twice (an object would hide it). */
function formFields(body: string, drop: Set<string>): Record<string, string> {
  const params = new URLSearchParams(body);
  const keys = [...params.keys()];
  expect(new Set(keys).size, `a key is repeated in ${body}`).toBe(keys.length);
  return Object.fromEntries([...params].filter(([k]) => !drop.has(k)));
}

describe.skipIf(!fixtures)("ccxt binance spot createOrder requests (ccxt's static fixtures) against the fake Binance", () => {
  let fake: FakeBinanceTrading;
  const drop = new Set([...(fixtures?.skipKeys ?? []), ...VOLATILE]);

  beforeAll(async () => {
    fake = await startFakeBinanceTrading();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => fake.reset());
  afterEach(() => {
    expect(fake.unexpected).toEqual([]);
  });

  /** A real ccxt binance client as the live venue will build it, its HTTP going to the fake. */
  function client(options: Record<string, unknown> = {}) {
    const ex = new binance({
      apiKey: FAKE_BINANCE_KEY.apiKey,
      secret: FAKE_BINANCE_KEY.secret,
      enableRateLimit: false,
      timeout: 5_000,
      // With credentials and sandbox off, loadMarkets also asks sapi for the cross and isolated margin pairs
      // (two signed calls) unless fetchMargins is off; a spot venue has no use for them.
      options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ["spot"] }, ...fixtures?.options, ...options },
    });
    // Exact decimal strings from the exchange, as the market-data adapter has them (market-data/ccxt.ts).
    ex.number = String as unknown as typeof ex.number;
    // Real URLs kept (binance picks error tables by URL); the transport goes to 127.0.0.1.
    ex.fetchImplementation = fake.fetchImplementation;
    return ex;
  }

  it("the fixture file holds spot createOrder cases", () => {
    expect(fixtures!.exchange).toBe("binance");
    expect(fixtures!.outputType).toBe("urlencoded");
    // 11 in ccxt 4.5.84's file; a newer file may add some, each then runs below.
    expect(spotCases.length).toBeGreaterThanOrEqual(11);
  });

  it.each(spotCases.map((c) => [c.description, c] as const))("%s", async (_description, c) => {
    const ex = client(c.options);
    const [symbol, type, side, amount, price, params] = c.input.map((v) => (v === null ? undefined : v)) as [
      string,
      string,
      "buy" | "sell",
      number,
      number | undefined,
      Record<string, unknown> | undefined,
    ];
    const ours = venueClientOrderId(`tc:${c.description}`);
    const order: Order = await ex.createOrder(symbol, type, side, amount, price, { ...params, clientOrderId: ours });

    const expectedPath = new URL(c.url).pathname;
    const sent = fake.requests.filter((r) => r.method === "POST");
    expect(sent.map((r) => `${r.host}${r.path}`)).toEqual([`api.binance.com${expectedPath}`]);
    const request = sent[0]!;
    // The fake checked the key, the HMAC-SHA256 signature over the exact body and the timestamp.
    expect(request.verified).toBe(true);
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");

    expect(formFields(request.body, drop)).toEqual(formFields(c.output, drop));
    // The fixtures skip newClientOrderId (random there): ours must be the one sent, as it is.
    expect(new URLSearchParams(request.body).get("newClientOrderId")).toBe(ours);
    expect(isVenueClientOrderId(ours)).toBe(true);

    if (expectedPath === "/api/v3/order/test") {
      expect(fake.orders).toEqual([]);
    } else {
      expect(fake.orders.map((o) => o.clientOrderId)).toEqual([ours]);
      expect(order.clientOrderId).toBe(ours);
      expect(order.id).toBe(String(fake.orders[0]!.orderId));
    }
    // Besides the order, ccxt asked only for the spot markets (no currencies, futures markets or time sync).
    expect(fake.requests.filter((r) => r.method !== "POST").map((r) => r.path)).toEqual(["/api/v3/exchangeInfo"]);
  });
});

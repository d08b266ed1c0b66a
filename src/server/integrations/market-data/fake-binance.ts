/**
 * Test-only: a local HTTP server answering the few Binance spot endpoints the market-data adapter uses, so the
 * real ccxt client runs end to end and only the remote side is fake. Klines and the ticker are the raw Binance
 * bodies from ccxt's own static tests (shared/data/ccxt/binance_static_response.json) when that file is there,
 * else the same bodies inline; exchangeInfo is a trimmed real-shaped answer (that file has none).
 * Every request is recorded; anything else is answered 404 and listed in `unexpected`.
 */
import "server-only";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/** Binance kline: [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, ignore]. */
export type BinanceKline = [number, string, string, string, string, string, number, string, number, string, string, string];

export interface FakeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
}

export interface FakeBinance {
  /** "http://127.0.0.1:<port>" */
  url: string;
  requests: FakeRequest[];
  unexpected: string[];
  /** What /api/v3/klines serves (BTCUSDT, 1h); tests may replace it. */
  klines: BinanceKline[];
  ticker: Record<string, string>;
  /** While true, requests are held open unanswered: an exchange that is "there" but never replies. */
  stalled: boolean;
  reset(): void;
  close(): Promise<void>;
}

// From ccxt ts/src/test/static/response/binance.json, "Spot OHLCV with since and limit" and "public spot ticker".
const INLINE_KLINES: BinanceKline[] = [
  [1706630400000, "43519.34000000", "43936.00000000", "43171.00000000", "43488.71000000", "20.55495000", 1706633999999, "891428.42858070", 3743, "10.91428000", "473782.95739920", "0"],
  [1706634000000, "43488.71000000", "43832.08000000", "43084.00000000", "43374.80000000", "21.80865000", 1706637599999, "946546.04941680", 4365, "11.70274000", "508392.74777040", "0"],
  [1706637600000, "43374.81000000", "44048.00000000", "43062.00000000", "43361.11000000", "23.66547000", 1706641199999, "1027527.77116170", 4063, "15.19718000", "660419.73275280", "0"],
];
const INLINE_TICKER: Record<string, string> = {
  symbol: "BTCUSDT",
  priceChange: "1188.75000000",
  priceChangePercent: "1.647",
  weightedAvgPrice: "71624.65401064",
  prevClosePrice: "72180.93000000",
  lastPrice: "73369.84000000",
  lastQty: "0.23925000",
  bidPrice: "73369.83000000",
  bidQty: "6.27086000",
  askPrice: "73369.84000000",
  askQty: "0.03321000",
  openPrice: "72181.09000000",
  highPrice: "73650.25000000",
  lowPrice: "68620.82000000",
  volume: "72140.34862800",
  quoteVolume: "5167027510.68728707",
  openTime: "1710241845391",
  closeTime: "1710328245391",
  firstId: "3476288989",
  lastId: "3479476926",
  count: "3187938",
};

/** A spot symbol's trading rules, as Binance states them in exchangeInfo's LOT_SIZE / PRICE_FILTER / NOTIONAL filters. */
export interface SpotRules {
  tickSize: string;
  stepSize?: string;
  minQty?: string;
  maxQty?: string;
  /** MARKET_LOT_SIZE maxQty: Binance caps market orders lower than limit orders. */
  marketMaxQty?: string;
  minNotional?: string;
  status?: string;
}

/** One exchangeInfo symbol in the shape Binance serves it (the filters as on api.binance.com, values per symbol). */
export function spotSymbol(symbol: string, baseAsset: string, quoteAsset: string, rules: SpotRules) {
  const { tickSize, stepSize = "0.00001000", minQty = stepSize, maxQty = "9000.00000000", marketMaxQty = "100.00000000" } = rules;
  return {
    symbol,
    status: rules.status ?? "TRADING",
    baseAsset,
    baseAssetPrecision: 8,
    quoteAsset,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    // Binance's full spot list: ccxt refuses a stop/take-profit type the market does not list.
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: tickSize, maxPrice: "1000000.00000000", tickSize },
      { filterType: "LOT_SIZE", minQty, maxQty, stepSize },
      { filterType: "ICEBERG_PARTS", limit: 10 },
      { filterType: "MARKET_LOT_SIZE", minQty: "0.00000000", maxQty: marketMaxQty, stepSize: "0.00000000" },
      { filterType: "TRAILING_DELTA", minTrailingAboveDelta: 10, maxTrailingAboveDelta: 2000, minTrailingBelowDelta: 10, maxTrailingBelowDelta: 2000 },
      { filterType: "PERCENT_PRICE_BY_SIDE", bidMultiplierUp: "5", bidMultiplierDown: "0.2", askMultiplierUp: "5", askMultiplierDown: "0.2", avgPriceMins: 5 },
      { filterType: "NOTIONAL", minNotional: rules.minNotional ?? "5.00000000", applyMinToMarket: true, maxNotional: "9000000.00000000", applyMaxToMarket: false, avgPriceMins: 5 },
      { filterType: "MAX_NUM_ORDERS", maxNumOrders: 200 },
      { filterType: "MAX_NUM_ALGO_ORDERS", maxNumAlgoOrders: 5 },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "EXPIRE_MAKER",
    allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
  };
}

/** An exchangeInfo body holding `symbols`. */
export function exchangeInfo(symbols: ReturnType<typeof spotSymbol>[]) {
  return {
    timezone: "UTC",
    serverTime: 1706641300000,
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
      { rateLimitType: "RAW_REQUESTS", interval: "MINUTE", intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols,
  };
}

/** Binance answers JSON even for errors; ccxt reads a 4xx without a JSON `code` as a network error. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json;charset=UTF-8" });
  res.end(JSON.stringify(body));
}

/** Listens on a free port of 127.0.0.1; returns "http://127.0.0.1:<port>". */
export async function listenLocal(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // ccxt keeps sockets alive; drop them so close() returns now.
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}

export const FAKE_EXCHANGE_INFO = exchangeInfo([
  spotSymbol("BTCUSDT", "BTC", "USDT", { tickSize: "0.01000000" }),
  spotSymbol("ETHBTC", "ETH", "BTC", { tickSize: "0.00001000" }),
  spotSymbol("BTTCUSDT", "BTTC", "USDT", { tickSize: "0.00000001" }),
  // Delisted: ccxt marks it inactive and the adapter leaves it out.
  spotSymbol("LUNAUSDT", "LUNA", "USDT", { tickSize: "0.00010000", status: "BREAK" }),
]);

interface StaticCase {
  description?: string;
  httpResponse?: unknown;
}

/** The raw Binance bodies recorded in ccxt's static tests, when `dataDir` holds them. */
export function loadStaticBodies(dataDir: string | undefined): { klines: BinanceKline[]; ticker: Record<string, string>; from: string } {
  const file = dataDir && path.join(dataDir, "ccxt", "binance_static_response.json");
  if (!file || !fs.existsSync(file)) return { klines: INLINE_KLINES, ticker: INLINE_TICKER, from: "inline" };
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { methods: Record<string, StaticCase[]> };
  const klines = json.methods.fetchOHLCV?.find((c) => c.description === "Spot OHLCV with since and limit")?.httpResponse;
  const ticker = json.methods.fetchTicker?.find((c) => c.description === "public spot ticker")?.httpResponse;
  if (!Array.isArray(klines) || !ticker || typeof ticker !== "object") throw new Error(`${file}: spot klines/ticker cases not found`);
  return { klines: klines as BinanceKline[], ticker: ticker as Record<string, string>, from: file };
}

export async function startFakeBinance(dataDir?: string): Promise<FakeBinance> {
  const bodies = loadStaticBodies(dataDir);
  const state = {
    requests: [] as FakeRequest[],
    unexpected: [] as string[],
    klines: structuredClone(bodies.klines),
    ticker: { ...bodies.ticker },
    stalled: false,
  };

  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const params = Object.fromEntries(u.searchParams);
    state.requests.push({ method: req.method ?? "GET", path: u.pathname, params });
    const send = (status: number, body: unknown) => sendJson(res, status, body);
    if (state.stalled) return;
    if (req.method !== "GET") {
      state.unexpected.push(`${req.method} ${req.url}`);
      return send(405, { code: -1000, msg: "unexpected method" });
    }
    if (u.pathname === "/api/v3/exchangeInfo") return send(200, FAKE_EXCHANGE_INFO);
    if (u.pathname === "/api/v3/time") return send(200, { serverTime: Date.now() });
    if (u.pathname === "/api/v3/ticker/24hr" && params.symbol === "BTCUSDT") return send(200, state.ticker);
    if (u.pathname === "/api/v3/klines" && params.symbol === "BTCUSDT" && params.interval === "1h") {
      // Binance: open times in [startTime, endTime], oldest first, at most `limit` (default 500, max 1000).
      const start = params.startTime ? Number(params.startTime) : Number.NEGATIVE_INFINITY;
      const end = params.endTime ? Number(params.endTime) : Number.POSITIVE_INFINITY;
      const limit = Math.min(Number(params.limit ?? 500), 1000);
      const rows = state.klines.filter((k) => k[0] >= start && k[0] <= end).sort((a, b) => a[0] - b[0]);
      return send(200, rows.slice(0, limit));
    }
    state.unexpected.push(`${req.method} ${req.url}`);
    return send(404, { code: -1121, msg: "Unexpected request to the fake exchange" });
  });
  const url = await listenLocal(server);

  return {
    url,
    get requests() {
      return state.requests;
    },
    get unexpected() {
      return state.unexpected;
    },
    get klines() {
      return state.klines;
    },
    set klines(rows: BinanceKline[]) {
      state.klines = rows;
    },
    get ticker() {
      return state.ticker;
    },
    set ticker(body: Record<string, string>) {
      state.ticker = body;
    },
    get stalled() {
      return state.stalled;
    },
    set stalled(value: boolean) {
      state.stalled = value;
    },
    reset() {
      state.requests = [];
      state.unexpected = [];
      state.klines = structuredClone(bodies.klines);
      state.ticker = { ...bodies.ticker };
      state.stalled = false;
    },
    close: () => closeServer(server),
  };
}

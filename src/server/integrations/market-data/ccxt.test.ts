/**
 * The ccxt adapter with the real ccxt Binance client, pointed at a local fake Binance (./fake-binance.ts).
 * Nothing leaves 127.0.0.1: every endpoint is rebased, and ccxt's single HTTP entry point is wrapped to throw
 * on any other address.
 */
import fs from "node:fs";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { candles } from "@/server/db/schema";
import { NotFoundError, ValidationError } from "@/server/errors";
import { useTestDatabase } from "@/test/db";
import { CcxtMarketData, type CcxtOptions } from "./ccxt";
import { startFakeBinance, type FakeBinance } from "./fake-binance";

const fallback = path.resolve(import.meta.dirname, "../../../../../shared/data");
const dataDir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);

const H = 3_600_000;
/** 2024-01-30 16:00 UTC: the first of the three recorded Binance klines. */
const T0 = 1706630400000;

const KLINES = [
  { openTime: T0, open: "43519.34", high: "43936", low: "43171", close: "43488.71", volume: "20.55495" },
  { openTime: T0 + H, open: "43488.71", high: "43832.08", low: "43084", close: "43374.8", volume: "21.80865" },
  { openTime: T0 + 2 * H, open: "43374.81", high: "44048", low: "43062", close: "43361.11", volume: "23.66547" },
];

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

describe("ccxt market data against a local fake Binance", () => {
  const test = useTestDatabase();
  let fake: FakeBinance;
  let clock = 0;
  const escaped: string[] = [];

  beforeAll(async () => {
    fake = await startFakeBinance(dataDir);
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    fake.reset();
    escaped.length = 0;
  });
  afterEach(() => {
    expect(escaped).toEqual([]);
    expect(fake.unexpected).toEqual([]);
  });

  async function adapter(options: Partial<CcxtOptions> = {}) {
    const md = new CcxtMarketData({ apiBaseUrl: fake.url, timeoutMs: 2_000, now: () => clock, pageLimit: 2, ...options });
    const ex = await md.exchange();
    const urls = strings(ex.urls.api);
    expect(urls.length).toBeGreaterThan(10);
    for (const u of urls) expect(u.startsWith(`${fake.url}/`)).toBe(true);
    const send = ex.fetch.bind(ex);
    ex.fetch = (url: string, ...rest: unknown[]) => {
      if (!String(url).startsWith(`${fake.url}/`)) {
        escaped.push(String(url));
        throw new Error(`request would leave 127.0.0.1: ${url}`);
      }
      return (send as (...a: unknown[]) => Promise<unknown>)(url, ...rest);
    };
    return md;
  }

  const klineRequests = () => fake.requests.filter((r) => r.path === "/api/v3/klines");
  const klineParams = (startTime: number, endTime: number) => ({
    path: "/api/v3/klines",
    method: "GET",
    params: { interval: "1h", limit: "2", symbol: "BTCUSDT", startTime: String(startTime), endTime: String(endTime) },
  });

  it("loads spot markets once an hour and gives each its tick size as decimals", async () => {
    clock = T0;
    const md = await adapter();
    expect(md.kind).toBe("ccxt");
    expect(md.source).toBe("ccxt:binance");
    expect(await md.listSymbols()).toEqual([
      { symbol: "BTC/USDT", base: "BTC", quote: "USDT", market: "crypto", pricePrecision: 2 },
      { symbol: "BTTC/USDT", base: "BTTC", quote: "USDT", market: "crypto", pricePrecision: 8 },
      { symbol: "ETH/BTC", base: "ETH", quote: "BTC", market: "crypto", pricePrecision: 5 },
    ]);
    // Only the spot exchangeInfo: no futures markets, no currencies, no server-time sync.
    expect(fake.requests).toEqual([{ method: "GET", path: "/api/v3/exchangeInfo", params: {} }]);

    expect((await md.getSymbol("BINANCE:BTCUSDT"))?.symbol).toBe("BTC/USDT");
    expect((await md.getSymbol("ethbtc"))?.symbol).toBe("ETH/BTC");
    expect(await md.getSymbol("LUNAUSDT")).toBeNull(); // status BREAK
    expect(await md.getSymbol("DOGEUSDT")).toBeNull();
    clock = T0 + 59 * 60_000;
    await md.listSymbols();
    expect(fake.requests).toHaveLength(1);

    clock = T0 + 61 * 60_000;
    await md.listSymbols();
    expect(fake.requests.map((r) => r.path)).toEqual(["/api/v3/exchangeInfo", "/api/v3/exchangeInfo"]);
  });

  it("a failed first load of the markets is asked for again on the next call", async () => {
    // ccxt keeps a failed loadMarkets() promise and returns it to later calls without a request: after one failed
    // first load the adapter would never list a symbol again.
    clock = T0;
    const md = await adapter();
    const ex = await md.exchange();
    const send = ex.fetch.bind(ex);
    let failures = 1;
    ex.fetch = (url: string, ...rest: unknown[]) => {
      if (failures > 0 && String(url).includes("/api/v3/exchangeInfo")) {
        failures--;
        return Promise.reject(new Error("injected: the exchange did not answer"));
      }
      return (send as (...a: unknown[]) => Promise<unknown>)(url, ...rest);
    };
    await expect(md.listSymbols()).rejects.toThrow(/injected/);
    expect((await md.listSymbols()).map((s) => s.symbol)).toEqual(["BTC/USDT", "BTTC/USDT", "ETH/BTC"]);
    expect(fake.requests.map((r) => r.path)).toEqual(["/api/v3/exchangeInfo"]);
  });

  it("lastPrice is the ticker's last price as the exchange's decimal string", async () => {
    clock = T0;
    const md = await adapter();
    expect(await md.lastPrice("BTCUSDT")).toEqual({ symbol: "BTC/USDT", price: "73369.84", at: new Date(1710328245391) });
    expect(fake.requests.at(-1)).toEqual({ method: "GET", path: "/api/v3/ticker/24hr", params: { symbol: "BTCUSDT" } });

    // More digits than a double keeps survive untouched.
    fake.ticker = { ...fake.ticker, lastPrice: "12345678.123456789012" };
    expect((await md.lastPrice("BTC/USDT")).price).toBe("12345678.123456789012");

    const before = fake.requests.length;
    await expect(md.lastPrice("DOGE/USDT")).rejects.toBeInstanceOf(NotFoundError);
    expect(fake.requests).toHaveLength(before);
  });

  it("pages klines by since, writes them through to the candles table, and serves the range from there next time", async () => {
    clock = T0 + 3 * H + 10_000;
    const md = await adapter();
    expect(await md.candles("BTC/USDT", "1h", T0)).toEqual(KLINES);
    // Page size 2: two requests, the second starting right after the first page.
    expect(klineRequests()).toEqual([klineParams(T0, T0 + 2 * H), klineParams(T0 + 2 * H, T0 + 2 * H)]);

    const rows = await test.db.select().from(candles).orderBy(asc(candles.openTime));
    expect(rows).toEqual(KLINES.map((k) => ({ source: "ccxt:binance", symbol: "BTC/USDT", timeframe: "1h", ...k })));

    const requestsSoFar = fake.requests.length;
    expect(await md.candles("BTCUSDT", "1h", T0)).toEqual(KLINES);
    expect(await md.candles("BTC/USDT", "1h", T0 + 1, T0 + 2 * H)).toEqual(KLINES.slice(1, 2));
    expect(fake.requests).toHaveLength(requestsSoFar);

    // Another process: markets again, candles from the database.
    const other = await adapter();
    expect(await other.candles("BTC/USDT", "1h", T0, T0 + 3 * H)).toEqual(KLINES);
    expect(fake.requests.slice(requestsSoFar).map((r) => r.path)).toEqual(["/api/v3/exchangeInfo"]);
  });

  it("never caches a candle still open, and later fetches only what is new", async () => {
    clock = T0 + 2 * H + 30 * 60_000; // the third candle is half way through
    const md = await adapter();
    expect(await md.candles("BTC/USDT", "1h", T0)).toEqual(KLINES.slice(0, 2));
    expect(klineRequests()).toEqual([klineParams(T0, T0 + H)]);

    clock = T0 + 3 * H + 2_000; // closed, but within the 5 s grace for clock skew
    expect(await md.candles("BTC/USDT", "1h", T0)).toEqual(KLINES.slice(0, 2));
    expect(klineRequests()).toHaveLength(1);

    clock = T0 + 3 * H + 10_000;
    expect(await md.candles("BTC/USDT", "1h", T0)).toEqual(KLINES);
    expect(klineRequests()).toEqual([klineParams(T0, T0 + H), klineParams(T0 + 2 * H, T0 + 2 * H)]);
    expect(await test.db.$count(candles)).toBe(3);
  });

  it("keeps an exchange gap as a gap and does not ask for it again", async () => {
    fake.klines = fake.klines.filter((k) => k[0] !== T0 + H);
    clock = T0 + 3 * H + 10_000;
    const md = await adapter();
    const expected = [KLINES[0], KLINES[2]];
    expect(await md.candles("BTC/USDT", "1h", T0)).toEqual(expected);
    expect(klineRequests()).toEqual([klineParams(T0, T0 + 2 * H)]);
    expect(await md.candles("BTC/USDT", "1h", T0)).toEqual(expected);
    expect(klineRequests()).toHaveLength(1);
  });

  it("writes with on-conflict-do-nothing: a row another process cached first stays as it is", async () => {
    clock = T0 + 3 * H + 10_000;
    const theirs = { source: "ccxt:binance", symbol: "BTC/USDT", timeframe: "1h", ...KLINES[1]!, volume: "21.8" };
    await test.db.insert(candles).values(theirs);
    const md = await adapter({ pageLimit: 1000 });
    expect(await md.candles("BTC/USDT", "1h", T0)).toEqual([KLINES[0], { ...KLINES[1], volume: "21.8" }, KLINES[2]]);
    // One request from the first missing candle to the last, the middle one included.
    expect(klineRequests()).toEqual([
      { ...klineParams(T0, T0 + 2 * H), params: { ...klineParams(T0, T0 + 2 * H).params, limit: "1000" } },
    ]);
    expect(await test.db.$count(candles, eq(candles.source, "ccxt:binance"))).toBe(3);
  });

  it("refuses bad or oversized ranges before asking the exchange", async () => {
    clock = T0 + 3 * H + 10_000;
    const md = await adapter();
    await expect(md.candles("BTC/USDT", "1m", clock - 30 * 24 * H)).rejects.toBeInstanceOf(ValidationError);
    await expect(md.candles("BTC/USDT", "1h", Number.NaN)).rejects.toBeInstanceOf(ValidationError);
    await expect(md.candles("DOGE/USDT", "1h", T0)).rejects.toBeInstanceOf(NotFoundError);
    expect(await md.candles("BTC/USDT", "1h", clock)).toEqual([]);
    expect(klineRequests()).toEqual([]);
  });

  it("the harness notices a request the fake does not serve", async () => {
    clock = T0;
    const md = await adapter();
    const ex = await md.exchange();
    await expect(ex.fetchOrderBook("BTC/USDT")).rejects.toThrow();
    expect(fake.unexpected).toEqual([expect.stringMatching(/^GET \/api\/v3\/depth/)]);
    fake.unexpected.length = 0;
  });

  it("reachable: true when the exchange answers its clock, false at once when nothing listens, false after the timeout when it never replies", async () => {
    clock = T0;
    const md = await adapter();
    expect(await md.reachable(2_000)).toBe(true);
    expect(fake.requests.map((r) => r.path)).toEqual(["/api/v3/time"]);

    // Port 9 (discard) on loopback: nothing listens, the connection is refused without any wait.
    const closed = new CcxtMarketData({ apiBaseUrl: "http://127.0.0.1:9", timeoutMs: 2_000 });
    await closed.exchange();
    let started = performance.now();
    expect(await closed.reachable(2_000)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_500);

    fake.stalled = true;
    started = performance.now();
    expect(await md.reachable(200)).toBe(false);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1_500);
  });
});

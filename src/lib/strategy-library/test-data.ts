/**
 * Test-only: the recorded candles the library's tests run on (imported by *.test.ts, never by index.ts). Read from
 * MARKET_DATA_DIR, falling back to ../shared/data beside the repository; undefined (with a warning naming what is
 * missing) when absent, so the tests that need them skip.
 */
import fs from "node:fs";
import path from "node:path";
import { toBarSeries, type BarSeries } from "@/lib/engine";
import { parseOhlcvCsv, parseOhlcvJson } from "@/lib/market-data/recorded";

const fallback = path.resolve(import.meta.dirname, "../../../../shared/data");
const dataDir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const candlesDir = dataDir ? path.join(dataDir, "candles") : undefined;

/** Candle counts the tests use: enough for every strategy to trade, small enough to stay fast. */
export const BTC_SLICE = 10_000;

let btc: BarSeries | null | undefined;
let goog: BarSeries | null | undefined;

function missing(what: string): undefined {
  console.warn(`[strategy-library] real-data tests skipped: no ${what} (set MARKET_DATA_DIR to the shared data folder; looked at ${candlesDir ?? fallback})`);
  return undefined;
}

/** The first BTC_SLICE candles of binance_BTC_USDT_1h_*.json. */
export function btcHourly(): BarSeries | undefined {
  if (btc === undefined) {
    const file = candlesDir && fs.existsSync(candlesDir) ? fs.readdirSync(candlesDir).find((f) => f.startsWith("binance_BTC_USDT_1h_") && f.endsWith(".json")) : undefined;
    btc = file ? toBarSeries(parseOhlcvJson(fs.readFileSync(path.join(candlesDir!, file), "utf8"), file).slice(0, BTC_SLICE)) : null;
  }
  return btc ?? missing("binance_BTC_USDT_1h_*.json");
}

export function googDaily(): BarSeries | undefined {
  if (goog === undefined) {
    const p = candlesDir ? path.join(candlesDir, "GOOG_1d_2004-2013.csv") : undefined;
    goog = p && fs.existsSync(p) ? toBarSeries(parseOhlcvCsv(fs.readFileSync(p, "utf8"), "GOOG_1d_2004-2013.csv")) : null;
  }
  return goog ?? missing("GOOG_1d_2004-2013.csv");
}

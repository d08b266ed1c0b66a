import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_SLIPPAGE_BPS, slippageBpsFromCandles } from "./slippage";

const c = (open: string, close: string) => ({ open, close });

describe("slippageBpsFromCandles: median hourly body ÷ √60 ÷ 2, clamped to [1, 25] bps, 1 dp", () => {
  it.each([
    // 100 bps / √60 / 2 = 6.45497…
    ["one candle, +1%", [c("100", "101")], "6.5"],
    ["a fall counts as much as a rise", [c("100", "99")], "6.5"],
    // median of 20, 30, 300 bps is 30 → 1.93649…
    ["odd count: the middle move, not the mean", [c("100", "103"), c("100", "100.2"), c("100", "100.3")], "1.9"],
    // median of 20 and 40 bps is 30
    ["even count: the mean of the two middle moves", [c("100", "100.4"), c("100", "99.8")], "1.9"],
    // 10 bps / √60 / 2 = 0.645… → 1
    ["clamped to at least 1 bp", [c("100", "100.1")], "1"],
    ["a flat series still costs 1 bp", [c("100", "100"), c("5", "5")], "1"],
    // 1000 bps / √60 / 2 = 64.5… → 25
    ["clamped to at most 25 bps", [c("100", "110")], "25"],
    ["a non-positive open is ignored", [c("0", "5"), c("100", "101")], "6.5"],
  ])("%s", (_name, candles, expected) => {
    expect(slippageBpsFromCandles(candles)).toBe(expected);
  });

  it(`no candles → the default, ${DEFAULT_SLIPPAGE_BPS} bps`, () => {
    expect(slippageBpsFromCandles([])).toBe("2");
    expect(slippageBpsFromCandles([c("0", "1")])).toBe("2");
  });
});

const fallback = path.resolve(import.meta.dirname, "../../../../shared/data");
const dataDir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const candlesDir = dataDir ? path.join(dataDir, "candles") : undefined;
const btcFile =
  candlesDir && fs.existsSync(candlesDir)
    ? fs.readdirSync(candlesDir).find((f) => f.startsWith("binance_BTC_USDT_1h_") && f.endsWith(".json"))
    : undefined;
if (!btcFile) {
  console.warn(
    `[copy] real-data slippage test skipped: no binance_BTC_USDT_1h_*.json (set MARKET_DATA_DIR to the shared data folder; looked at ${candlesDir ?? fallback})`,
  );
}

describe.skipIf(!btcFile)("slippageBpsFromCandles on recorded Binance BTC/USDT hourly candles", () => {
  it("models a few basis points: between 1 and 10", () => {
    // ccxt's OHLCV layout: [openTimeMs, open, high, low, close, volume], numbers.
    const rows = JSON.parse(fs.readFileSync(path.join(candlesDir!, btcFile!), "utf8")) as number[][];
    expect(rows.length).toBeGreaterThan(40_000);
    const bps = slippageBpsFromCandles(rows.map((r) => c(String(r[1]), String(r[4]))));
    console.info(`[copy] modelled BTC/USDT slippage from ${rows.length} hourly candles: ${bps} bps`);
    expect(Number(bps)).toBeGreaterThanOrEqual(1);
    expect(Number(bps)).toBeLessThanOrEqual(10);
  });
});

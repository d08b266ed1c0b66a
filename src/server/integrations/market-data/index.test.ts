import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CcxtMarketData, ReplayMarketData, createMarketData, getMarketData, setMarketData, type MarketData } from "./index";

const fallback = path.resolve(import.meta.dirname, "../../../../../shared/data");
const dir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const hasData = !!dir && fs.existsSync(path.join(dir, "candles"));

describe("createMarketData", () => {
  afterEach(() => setMarketData(undefined));

  it("uses ccxt (binance by default) when no market-data dir is configured, without touching the network", () => {
    const md = createMarketData({});
    expect(md).toBeInstanceOf(CcxtMarketData);
    expect(md.kind).toBe("ccxt");
    expect(md.source).toBe("ccxt:binance");
    expect(createMarketData({ exchangeId: "kraken" }).source).toBe("ccxt:kraken");
  });

  it.skipIf(!hasData)("replays when the dir holds recorded candles", () => {
    const md = createMarketData({ marketDataDir: dir });
    expect(md).toBeInstanceOf(ReplayMarketData);
    expect(md.kind).toBe("replay");
    expect(md.source).toBe("replay");
  });

  it("refuses a configured dir without recorded candles instead of silently going online", () => {
    expect(() => createMarketData({ marketDataDir: path.join(import.meta.dirname, "nope") })).toThrow(/holds no recorded candles/);
  });

  it("getMarketData is one instance per process, replaceable for tests", () => {
    const fake = { kind: "replay", source: "test" } as unknown as MarketData;
    setMarketData(fake);
    expect(getMarketData()).toBe(fake);
    expect(getMarketData()).toBe(getMarketData());
  });
});

import { describe, expect, it } from "vitest";
import { isEmptyInstrumentQuery, resolveInstrumentQuery } from "./instrument-names";

describe("resolveInstrumentQuery", () => {
  it("reads common names, codes, pairs and markets", () => {
    expect(resolveInstrumentQuery("Bitcoin")).toMatchObject({ codes: ["BTC"], markets: [] });
    expect(resolveInstrumentQuery("  ether ")).toMatchObject({ codes: ["ETH"] });
    expect(resolveInstrumentQuery("ethereum").codes).toEqual(["ETH"]);
    expect(resolveInstrumentQuery("solana").codes).toEqual(["SOL"]);
    expect(resolveInstrumentQuery("euro").codes).toEqual(["EUR"]);
    expect(resolveInstrumentQuery("dollar").codes).toEqual(["USD"]);
    expect(resolveInstrumentQuery("google").codes).toEqual(["GOOG"]);
    expect(resolveInstrumentQuery("btc")).toEqual({ codes: ["BTC"], pair: null, markets: [] });
    expect(resolveInstrumentQuery("btcusdt")).toEqual({ codes: [], pair: "BTCUSDT", markets: [] });
    expect(resolveInstrumentQuery("EURUSD").pair).toBe("EURUSD");
    expect(resolveInstrumentQuery("BTC/USDT")).toEqual({ codes: [], pair: "BTCUSDT", markets: [] });
    expect(resolveInstrumentQuery("btc-usdt").pair).toBe("BTCUSDT");
    expect(resolveInstrumentQuery("BINANCE:BTCUSDT").pair).toBe("BTCUSDT");
    expect(resolveInstrumentQuery("fx").markets).toEqual(["forex"]);
    expect(resolveInstrumentQuery("Crypto").markets).toEqual(["crypto"]);
    expect(resolveInstrumentQuery("equities").markets).toEqual(["stocks"]);
  });

  it("takes a name's first letters from four on, not fewer", () => {
    expect(resolveInstrumentQuery("ethe").codes).toEqual(["ETH"]);
    expect(resolveInstrumentQuery("bitc").codes).toContain("BTC");
    expect(resolveInstrumentQuery("go").codes).toEqual(["GO"]);
  });

  it("finds nothing in text that names no instrument", () => {
    expect(isEmptyInstrumentQuery(resolveInstrumentQuery("momentum desk"))).toBe(true);
    expect(isEmptyInstrumentQuery(resolveInstrumentQuery("momentum"))).toBe(true);
    expect(isEmptyInstrumentQuery(resolveInstrumentQuery("provider 9"))).toBe(true);
    expect(isEmptyInstrumentQuery(resolveInstrumentQuery(""))).toBe(true);
    expect(resolveInstrumentQuery("golden cross club").codes).toEqual([]);
  });
});

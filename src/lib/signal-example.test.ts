/**
 * Settings' example signal (issue 11, item 5): built from the live price, it must pass the same checks a published
 * signal meets (the shared schema and the level rules against the entry), at any price and precision.
 */
import { describe, expect, it } from "vitest";
import { levelProblems, publishSignalSchema } from "@/lib/validation/signals";
import type { SymbolInfo } from "@/lib/market-data/types";
import { exampleLevels, exampleSignal, pickExampleSymbol, restExampleCurl } from "./signal-example";

const info = (symbol: string, market: SymbolInfo["market"] = "crypto"): SymbolInfo => {
  const [base = symbol, quote = "USD"] = symbol.split("/");
  return { symbol, base, quote, market, pricePrecision: 2 };
};

describe("exampleLevels", () => {
  it("puts a long's stop 2% below the price and its targets 2% and 4% above, at the symbol's precision", () => {
    expect(exampleLevels("6479.2", 2)).toEqual({
      side: "long",
      stopLoss: "6349.61",
      takeProfits: [
        { price: "6608.79", share: "0.5" },
        { price: "6738.37", share: "0.5" },
      ],
    });
    expect(exampleLevels("30000", 0)).toEqual({
      side: "long",
      stopLoss: "29400",
      takeProfits: [
        { price: "30600", share: "0.5" },
        { price: "31200", share: "0.5" },
      ],
    });
  });

  it("rounds each level away from the price, so rounding never moves one to the wrong side", () => {
    // 0.061234 * 0.98 = 0.06000932 -> down to 0.0600; * 1.02 = 0.06245868 -> up to 0.0625; * 1.04 = 0.06368336 -> 0.0637.
    expect(exampleLevels("0.061234", 4)).toMatchObject({ stopLoss: "0.0600", takeProfits: [{ price: "0.0625" }, { price: "0.0637" }] });
  });

  it("keeps the targets a tick apart when the precision is too coarse to tell them apart", () => {
    const levels = exampleLevels("10", 0)!;
    expect(levels.stopLoss).toBe("9");
    expect(levels.takeProfits.map((t) => t.price)).toEqual(["11", "12"]);
  });

  it("is null for a price that cannot carry a stop at this precision, or is not a price", () => {
    expect(exampleLevels("0.4", 0)).toBeNull();
    expect(exampleLevels("0", 2)).toBeNull();
    expect(exampleLevels("-5", 2)).toBeNull();
    expect(exampleLevels("1e3", 2)).toBeNull();
    expect(exampleLevels("abc", 2)).toBeNull();
    expect(exampleLevels("100", -1)).toBeNull();
  });

  it("is accepted by the publishing rules at every price and precision (the refusal the issue met is gone)", () => {
    const prices = ["6479.2", "64123.45", "0.061234", "1.0001", "3", "172.5", "0.00001234", "123456789.12"];
    for (const price of prices) {
      for (const precision of [0, 1, 2, 4, 6, 8]) {
        const body = exampleSignal("BTC/USDT", price, precision);
        if (!body) continue;
        const parsed = publishSignalSchema.safeParse(body);
        expect(parsed.success, `${price} @ ${precision}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
        expect(levelProblems(parsed.data!, price), `${price} @ ${precision}`).toEqual({});
      }
    }
    // The demo's BTC/USDT near 6479: the README's old fixed example (stop 29500) was refused against it.
    expect(levelProblems({ side: "long", stopLoss: "29500", takeProfits: [] }, "6479")).toHaveProperty("stopLoss");
    expect(levelProblems(exampleSignal("BTC/USDT", "6479", 2)!, "6479")).toEqual({});
  });
});

describe("pickExampleSymbol", () => {
  it("names BTC/USDT when listed, else the first crypto symbol, else the first symbol", () => {
    expect(pickExampleSymbol([info("ETH/USDT"), info("BTC/USDT")])?.symbol).toBe("BTC/USDT");
    expect(pickExampleSymbol([info("GOOG", "stocks"), info("ETH/USDT")])?.symbol).toBe("ETH/USDT");
    expect(pickExampleSymbol([info("EUR/USD", "forex")])?.symbol).toBe("EUR/USD");
    expect(pickExampleSymbol([])).toBeNull();
  });
});

describe("restExampleCurl", () => {
  it("posts the example body, as JSON that reads back to it, to the given address", () => {
    const body = exampleSignal("BTC/USDT", "6479.2", 2)!;
    const curl = restExampleCurl("http://127.0.0.1:3212", body);
    expect(curl).toMatch(/^curl -X POST http:\/\/127\.0\.0\.1:3212\/api\/v1\/signals \\\n/);
    expect(curl).toContain('-H "Authorization: Bearer tsk_…"');
    expect(JSON.parse(/-d '([^']*)'/.exec(curl)![1]!)).toEqual(body);
  });
});

/**
 * One market list per exchange: every connection's ccxt client of the same exchange shares one fetch of the
 * exchange's markets (a copy to 1,000 connections sent 1,000 exchangeInfo requests, one per client's first order),
 * while each client still places its own orders under its own key; a failed fetch is not kept.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { actingAs } from "@/test/signals";
import { startFakeBinanceTrading, type FakeApiKey, type FakeBinanceTrading } from "@/server/integrations/exchanges/fake-binance-trading";
import { connectionVenue, createConnection, setLocalTestExchange } from "./connections";

useTestDatabase();

const keys: FakeApiKey[] = Array.from({ length: 4 }, (_, i) => ({
  apiKey: `sharedMarketsKey${String(i).padStart(48, "0")}`,
  secret: `sharedMarketsSecret${String(i).padStart(45, "0")}`,
  balances: { USDT: "10000" },
}));

let fake: FakeBinanceTrading;
beforeAll(async () => {
  fake = await startFakeBinanceTrading({ keys, prices: { BTCUSDT: "32045.14" } });
});
afterAll(async () => {
  setLocalTestExchange(undefined);
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
});

const marketFetches = () => fake.requests.filter((r) => r.path === "/api/v3/exchangeInfo").length;

async function connect(key: FakeApiKey) {
  const user = await createUser("subscriber");
  const view = await createConnection(actingAs(user), { exchangeId: "local", label: "Shared markets", apiKey: key.apiKey, secret: key.secret });
  expect(view.status).toBe("active");
  return view.id;
}

describe("markets shared by the clients of one exchange", () => {
  it("fetches an exchange's markets once for every connection's key check and first order", async () => {
    // A fresh fake address: no client of this exchange has fetched its markets yet.
    const other = await startFakeBinanceTrading({ keys, prices: { BTCUSDT: "32045.14" } });
    try {
      setLocalTestExchange(other);
      const ids = await Promise.all(keys.map(connect));
      const venues = await Promise.all(ids.map((id) => connectionVenue(id)));
      const placed = await Promise.all(
        venues.map((v, i) => v!.placeOrder({ clientOrderId: `cpo_shared_${i}`, symbol: "BTC/USDT", side: "buy", quantity: "0.001", referencePrice: "32045.14" })),
      );
      expect(placed.map((p) => p.status)).toEqual(["filled", "filled", "filled", "filled"]);
      expect(other.requests.filter((r) => r.path === "/api/v3/exchangeInfo")).toHaveLength(1);
      // Each order went out under its own account's key.
      expect(new Set(other.orders.map((o) => o.apiKey)).size).toBe(keys.length);
      expect(other.unexpected).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("does not keep a failed fetch: the next client asks the exchange again", async () => {
    setLocalTestExchange(fake);
    fake.fault({ method: "GET", path: "/api/v3/exchangeInfo", mode: "5xx" });
    const user = await createUser("subscriber");
    // The key check's balance call needs the markets: the 5xx makes it an error connection, with the reason.
    const failed = await createConnection(actingAs(user), { exchangeId: "local", label: "Shared markets", apiKey: keys[0]!.apiKey, secret: keys[0]!.secret });
    expect(failed.status).toBe("error");
    const id = await connect(keys[1]!);
    expect(marketFetches()).toBe(2);
    const venue = await connectionVenue(id);
    const placed = await venue!.placeOrder({ clientOrderId: "cpo_shared_retry", symbol: "BTC/USDT", side: "buy", quantity: "0.001", referencePrice: "32045.14" });
    expect(placed.status).toBe("filled");
    expect(marketFetches()).toBe(2);
  });
});

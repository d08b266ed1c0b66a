/**
 * The marketplace search finds providers by what they trade, not only by name and tagline (issue 11, item 9):
 * "bitcoin", "BTC", "btcusdt", "BTC/USDT", "ether", "euro", "google" find the providers that published signals on
 * those instruments, "crypto" and "fx" those listing the market, and none of the others. Both reads that take a
 * search (the directory list and the leaderboard the marketplace page shows) answer the same.
 */
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/server/db";
import { providers, signals, type Market } from "@/server/db/schema";
import { useTestDatabase } from "@/test/db";
import { callerFor } from "@/test/factories";
import { newProvider } from "@/test/signals";

useTestDatabase();

const T0 = Date.UTC(2026, 0, 1);

/** Finished signals by default: only those are public. */
async function provider(displayName: string, tagline: string, markets: Market[], symbols: string[], status: "closed" | "open" = "closed") {
  const { provider: p } = await newProvider();
  await db.update(providers).set({ displayName, tagline, markets }).where(eq(providers.id, p.id));
  if (symbols.length) {
    await db.insert(signals).values(
      symbols.map((symbol, i) => ({
        providerId: p.id,
        number: i + 1,
        symbol,
        side: "long" as const,
        entryType: "market" as const,
        entryPrice: "100",
        source: "api" as const,
        status: status,
        publishedAt: new Date(T0 + i * 3_600_000),
        ...(status === "open" ? {} : { closedAt: new Date(T0 + i * 3_600_000 + 60_000) }),
        prevHash: "0".repeat(64),
        hash: `${p.id}-${i}`.padEnd(64, "0"),
      })),
    );
  }
  return displayName;
}

async function seedMarket() {
  await provider("Alpha Desk", "Daily trend following", ["crypto"], ["BTC/USDT", "BTC/USDT"]);
  await provider("Beta Flow", "Momentum on large caps", ["crypto"], ["ETH/USDT"]);
  await provider("Gamma Pairs", "Slow swings", ["forex"], ["EUR/USD"]);
  await provider("Delta Tickers", "Earnings drift", ["stocks"], ["GOOG"]);
  await provider("Epsilon", "Bitcoin only, long only", ["crypto"], []);
  await provider("Zeta Contracts", "Perpetual swaps", ["crypto"], ["BTC/USDT:USDT", "ETH/BTC"]);
  // Only a live signal on SOL/USDT: its instrument is hidden from the public, so searching for it must not find it.
  await provider("Eta Hidden", "Quiet account", ["crypto"], ["SOL/USDT"], "open");
}

async function found(q: string): Promise<{ list: string[]; leaderboard: string[] }> {
  const anon = await callerFor(null);
  const list = await anon.providers.list({ q, page: 1, pageSize: 50 });
  const board = await anon.providers.leaderboard({ q, window: "90d", sort: "newest", page: 1, pageSize: 50 });
  expect(list.total).toBe(list.items.length);
  expect(board.total).toBe(board.items.length);
  return { list: list.items.map((p) => p.displayName).sort(), leaderboard: board.items.map((p) => p.displayName).sort() };
}

const CASES: [string, string[]][] = [
  // Common name: the symbols' base (and Epsilon by its tagline, as before).
  ["bitcoin", ["Alpha Desk", "Epsilon", "Zeta Contracts"]],
  // Code, any case, as base or quote (ETH/BTC is quoted in bitcoin).
  ["BTC", ["Alpha Desk", "Zeta Contracts"]],
  ["btc", ["Alpha Desk", "Zeta Contracts"]],
  // A pair, written as TradingView or a person writes it.
  ["btcusdt", ["Alpha Desk", "Zeta Contracts"]],
  ["BTC/USDT", ["Alpha Desk", "Zeta Contracts"]],
  ["BINANCE:BTCUSDT", ["Alpha Desk", "Zeta Contracts"]],
  ["ether", ["Beta Flow", "Zeta Contracts"]],
  ["Ethereum", ["Beta Flow", "Zeta Contracts"]],
  ["euro", ["Gamma Pairs"]],
  ["dollar", ["Gamma Pairs"]],
  ["google", ["Delta Tickers"]],
  ["goog", ["Delta Tickers"]],
  // Markets: what the provider lists.
  ["crypto", ["Alpha Desk", "Beta Flow", "Epsilon", "Eta Hidden", "Zeta Contracts"]],
  ["forex", ["Gamma Pairs"]],
  ["fx", ["Gamma Pairs"]],
  ["stocks", ["Delta Tickers"]],
  // Name and tagline still match; an instrument nobody trades finds nobody.
  ["delta", ["Delta Tickers"]],
  ["swings", ["Gamma Pairs"]],
  // Eta Hidden trades SOL/USDT only in a signal still open: its instrument is not public yet.
  ["solana", []],
  ["SOLUSDT", []],
  ["usdc", []],
];

describe("marketplace search by instrument and market", () => {
  it("finds by common name, code, pair and market, and not the others", async () => {
    await seedMarket();
    for (const [q, expected] of CASES) {
      const { list, leaderboard } = await found(q);
      expect(list, `list "${q}"`).toEqual(expected);
      expect(leaderboard, `leaderboard "${q}"`).toEqual(expected);
    }
  });

  it("keeps the other filters: a market chip and an instrument search narrow together", async () => {
    await seedMarket();
    const anon = await callerFor(null);
    const board = await anon.providers.leaderboard({ q: "bitcoin", market: "crypto", maxPriceCents: 0, window: "90d", sort: "score", page: 1, pageSize: 50 });
    expect(board.items).toEqual([]);
    const fx = await anon.providers.list({ q: "dollar", market: "crypto", page: 1, pageSize: 50 });
    expect(fx.items).toEqual([]);
  });
});

/**
 * Market data as the app offers it to people: the symbols a signal can be published on (the publish form's list),
 * a symbol's last price, and where the prices come from (the price-source labels on the marketplace and profiles).
 * Routers reach the market-data integration only through here.
 */
import "server-only";
import { and, asc, count, desc, eq, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { FINISHED_SIGNAL_STATUSES, signals } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import {
  demoPricesAreSynthetic,
  getMarketData,
  type MarketData,
  type Quote,
  type ReplayMarketData,
  type SymbolInfo,
} from "@/server/integrations/market-data";
import type { PriceSource } from "@/lib/market-data/price-source";

/** Every symbol the configured market data knows, and which adapter answers ("replay", "ccxt", "synthetic"). */
export async function listSymbols(): Promise<{ source: MarketData["kind"]; symbols: SymbolInfo[] }> {
  const market = getMarketData();
  return { source: market.kind, symbols: await market.listSymbols() };
}

/** The last price of a symbol, in any spelling the adapters accept ("BTC/USDT", "BINANCE:BTCUSDT"); unknown is NOT_FOUND. */
export async function quote(symbol: string): Promise<Quote> {
  const market = getMarketData();
  const info = await market.getSymbol(symbol);
  if (!info) throw new NotFoundError(`Unknown symbol "${symbol}"`);
  return market.lastPrice(info.symbol);
}

/**
 * Where the prices people see come from: the recordings the replay plays (each with its recorded span and stored
 * offset, so labels can name the months and say when the replay runs out), a live exchange, or the synthetic walk.
 * A demo whose track records were computed on the synthetic walk is synthetic whatever is configured now: that walk
 * is what this process then judges every price on (see chooseDemoMarketData).
 */
export async function priceSource(): Promise<PriceSource> {
  if (await demoPricesAreSynthetic()) return { kind: "synthetic" };
  const market = getMarketData();
  if (market.kind === "synthetic") return { kind: "synthetic" };
  if (market.kind === "ccxt") return { kind: "ccxt", exchange: market.source.replace(/^ccxt:/, "") };
  // Duck-typed, not `instanceof`: Next.js bundles the start-up code that installs the adapter apart from the routes
  // that read it, so the class seen here need not be the one it was made from. A test double that only says
  // "replay" has no recordings to describe.
  const replay = market as Partial<Pick<ReplayMarketData, "replayedSeries">>;
  return { kind: "replay", series: typeof replay.replayedSeries === "function" ? await replay.replayedSeries() : [] };
}

/**
 * The instruments of a provider's finished signals, most used first (then by name): what its record was computed on,
 * and so the instruments its price-source label names. Live signals are left out: their instrument is shown only to
 * entitled viewers, and this list is public. Reads the provider's own rows only (signals_provider_id_*).
 */
export async function publishedSymbols(providerId: string): Promise<string[]> {
  const n = count();
  const rows = await db
    .select({ symbol: signals.symbol, n })
    .from(signals)
    .where(and(eq(signals.providerId, providerId), inArray(signals.status, [...FINISHED_SIGNAL_STATUSES])))
    .groupBy(signals.symbol)
    .orderBy(desc(n), asc(signals.symbol));
  return rows.map((r) => r.symbol);
}

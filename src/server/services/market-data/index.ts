/**
 * Market data as the app offers it to people: the symbols a signal can be published on (the publish form's list)
 * and a symbol's last price. Routers reach the market-data integration only through here.
 */
import "server-only";
import { NotFoundError } from "@/server/errors";
import { getMarketData, type MarketData, type Quote, type SymbolInfo } from "@/server/integrations/market-data";

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

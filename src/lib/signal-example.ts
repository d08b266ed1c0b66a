/**
 * The example signal Settings shows (the REST API's curl request, the TradingView alert's stop and target), built from
 * the live price of the symbol it names, so that it is accepted when run as it stands: a fixed example goes stale as
 * soon as the market moves (a stop of 29500 is above a price of 6479, and refused). A long with its stop 2% below the
 * price and targets 2% and 4% above it (1R and 2R), each rounded away from the price to the symbol's precision, so
 * rounding can never move a level to the wrong side. Decimal strings throughout: no float touches a price.
 */
import Decimal from "decimal.js";
import type { SymbolInfo } from "@/lib/market-data/types";

/** The symbol the examples name when the market lists it. */
export const EXAMPLE_SYMBOL = "BTC/USDT";
/** Distances from the price, in percent: the stop, then each target (half the position each). */
export const EXAMPLE_STOP_PERCENT = 2;
export const EXAMPLE_TARGET_PERCENTS = [2, 4] as const;

export interface ExampleLevels {
  side: "long";
  stopLoss: string;
  takeProfits: { price: string; share: string }[];
}

export interface ExampleSignal extends ExampleLevels {
  symbol: string;
  entryType: "market";
  note: string;
}

/** BTC/USDT when listed, else the first crypto symbol, else the first of any market; null when there are none. */
export function pickExampleSymbol(symbols: readonly SymbolInfo[]): SymbolInfo | null {
  return symbols.find((s) => s.symbol === EXAMPLE_SYMBOL) ?? symbols.find((s) => s.market === "crypto") ?? symbols[0] ?? null;
}

/**
 * A long's stop and targets around `price` at `precision` decimals. Null when the price cannot carry them (not a
 * positive decimal, or so small at this precision that the stop would reach zero).
 */
export function exampleLevels(price: string, precision: number): ExampleLevels | null {
  if (!/^\d+(\.\d+)?$/.test(price) || !Number.isInteger(precision) || precision < 0 || precision > 18) return null;
  const p = new Decimal(price);
  if (!p.gt(0)) return null;
  const tick = new Decimal(1).div(new Decimal(10).pow(precision));
  const at = (percent: number) => p.times(new Decimal(100).plus(percent)).div(100);

  const stop = at(-EXAMPLE_STOP_PERCENT).toDecimalPlaces(precision, Decimal.ROUND_DOWN);
  if (!stop.gt(0) || !stop.lt(p)) return null;

  const targets: Decimal[] = [];
  for (const percent of EXAMPLE_TARGET_PERCENTS) {
    let t = at(percent).toDecimalPlaces(precision, Decimal.ROUND_UP);
    // At a coarse precision two targets can round to one price, which is refused: keep them a tick apart.
    const prev = targets.at(-1);
    if (prev && !t.gt(prev)) t = prev.plus(tick);
    targets.push(t);
  }
  const share = new Decimal(1).div(targets.length).toDecimalPlaces(4, Decimal.ROUND_DOWN).toString();
  return {
    side: "long",
    stopLoss: stop.toFixed(precision),
    takeProfits: targets.map((t) => ({ price: t.toFixed(precision), share })),
  };
}

/** The REST API's example body for `symbol` at `price`: a market long with the levels above; null as for the levels. */
export function exampleSignal(symbol: string, price: string, precision: number): ExampleSignal | null {
  const levels = exampleLevels(price, precision);
  if (!levels) return null;
  // In the order a person reads the request in.
  return { symbol, side: levels.side, entryType: "market", stopLoss: levels.stopLoss, takeProfits: levels.takeProfits, note: "Breakout above the range" };
}

/**
 * The example as a curl command for POST /api/v1/signals at `appUrl`, with a placeholder key; one take-profit level a
 * line (JSON.stringify's layout would take a dozen).
 */
export function restExampleCurl(appUrl: string, body: ExampleSignal): string {
  const str = (v: string) => JSON.stringify(v);
  const targets = body.takeProfits.map((tp) => `      { "price": ${str(tp.price)}, "share": ${str(tp.share)} }`).join(",\n");
  return `curl -X POST ${appUrl}/api/v1/signals \\
  -H "Authorization: Bearer tsk_…" \\
  -H "Content-Type: application/json" \\
  -H "Idempotency-Key: my-bot-0001" \\
  -d '{
    "symbol": ${str(body.symbol)},
    "side": ${str(body.side)},
    "entryType": ${str(body.entryType)},
    "stopLoss": ${str(body.stopLoss)},
    "takeProfits": [
${targets}
    ],
    "note": ${str(body.note)}
  }'`;
}

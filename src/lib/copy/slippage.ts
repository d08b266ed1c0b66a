/**
 * The paper venue's modelled slippage per symbol, derived from recorded candles.
 *
 * Why this formula: a copied market order reaches the book within seconds of the signal, so what it pays over the
 * quoted price is about half the spread plus the drift while it is in flight — a few basis points on a liquid pair.
 * An hourly candle's range (or body) measures an hour of drift, which is typically 20–100 bps and would exceed the
 * 0.5 % entry guard most hours, so it must not be used as is. Under a random walk a move grows with the square root
 * of time, so the typical one-minute move is the typical hourly body / √60; an order in flight for well under a
 * minute crosses, on average, about half of that. The median (not the mean) keeps crash hours from setting the
 * figure. The result is clamped to [1, 25] bps: never free (spread and latency always cost something), and at most
 * half the default 0.5 % entry guard, so one wild series cannot make every entry look refused.
 */
import { D } from "@/lib/stats/decimal";
import { dec, out } from "./fills";

/** The figure used when there are no candles to derive one from (a liquid pair's typical cost), in bps. */
export const DEFAULT_SLIPPAGE_BPS = "2";

const MIN_BPS = new D(1);
const MAX_BPS = new D(25);

/**
 * median over the candles of |close / open − 1| in bps, ÷ √60, ÷ 2, clamped to [1, 25], rounded half-up to 1 dp
 * (plain decimal string, trailing zero trimmed: "2", "1.9"). Candles with a non-positive open are ignored; none
 * left → {@link DEFAULT_SLIPPAGE_BPS}.
 */
export function slippageBpsFromCandles(candles: readonly { open: string; close: string }[]): string {
  const moves = [];
  for (const c of candles) {
    const open = dec(c.open, "open");
    if (!open.gt(0)) continue;
    moves.push(dec(c.close, "close").div(open).minus(1).abs().mul(10_000));
  }
  if (moves.length === 0) return DEFAULT_SLIPPAGE_BPS;
  moves.sort((a, b) => a.comparedTo(b));
  const mid = moves.length >> 1;
  const median = moves.length % 2 === 1 ? moves[mid]! : moves[mid - 1]!.plus(moves[mid]!).div(2);
  const bps = D.min(MAX_BPS, D.max(MIN_BPS, median.div(new D(60).sqrt()).div(2)));
  return out(bps, 1);
}

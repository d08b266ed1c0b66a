/**
 * Fill arithmetic for copy orders: the modelled market fill, the fee, the slippage a fill actually cost, realised
 * P&L and the average price of a position that was added to. Also the copy module's one number edge
 * ({@link dec}, {@link out}) that the planner uses too.
 *
 * Rounding (one rule for the whole module): prices, amounts and P&L are rounded half-up (ties away from zero) to
 * {@link COPY_DP} = 8 decimal places, once, where a value leaves the module; quantities are rounded to the market's
 * step by the planner. Every string returned is plain decimal notation (never an exponent) with trailing zeros
 * trimmed: "60012", "0.00333", "199.83996". Zero is "0", never "-0".
 */
import type Decimal from "decimal.js";
import { FEE } from "@/lib/stats/constants";
import { D, parseDecimal } from "@/lib/stats/decimal";
import type { OrderSide } from "./types";

/** Decimal places of every price, amount and P&L the copy module returns. */
export const COPY_DP = 8;

/** Parses a decimal string strictly (no "NaN", "0x…", floats); throws a RangeError naming the input. */
export function dec(value: string, what: string): Decimal {
  return parseDecimal(value, what);
}

/** Plain notation, trailing zeros trimmed, after rounding half-up to `dp` places (default 8). */
export function out(value: Decimal, dp: number = COPY_DP): string {
  const rounded = value.toDecimalPlaces(dp, D.ROUND_HALF_UP);
  return rounded.isZero() ? "0" : rounded.toFixed();
}

const BPS = new D(10_000);

/**
 * The modelled fill of a market order: `price` moved against the follower by `slippageBps` (a buy pays more, a
 * sell receives less), rounded half-up to 8 dp.
 */
export function marketFill(side: OrderSide, price: string, slippageBps: string): string {
  const p = dec(price, "price");
  const move = dec(slippageBps, "slippageBps").div(BPS);
  return out(side === "buy" ? p.mul(move.plus(1)) : p.mul(new D(1).minus(move)));
}

/** The fee on one side of a trade: quantity × price × 0.1% (the track record's fee), rounded half-up to 8 dp. */
export function feeOf(quantity: string, price: string): string {
  return out(dec(quantity, "quantity").mul(dec(price, "price")).mul(FEE));
}

/**
 * The slippage a fill cost against the price asked for, in basis points, signed so that positive is worse for the
 * follower (a buy filled above, a sell below the requested price) and negative is price improvement; 2 dp.
 */
export function slippageBpsOf(side: OrderSide, requested: string, fill: string): string {
  const r = dec(requested, "requested price");
  if (!r.gt(0)) throw new RangeError(`requested price must be positive, got ${requested}`);
  const f = dec(fill, "fill price");
  const worse = side === "buy" ? f.minus(r) : r.minus(f);
  return out(worse.div(r).mul(BPS), 2);
}

/** P&L of closing `quantity` of a long or short opened at `entry` and closed at `exit`, before fees; 8 dp. */
export function realisedPnl(side: "long" | "short", entry: string, exit: string, quantity: string): string {
  const move = dec(exit, "exit price").minus(dec(entry, "entry price"));
  return out((side === "long" ? move : move.neg()).mul(dec(quantity, "quantity")));
}

/** The quantity-weighted average price of q1 at p1 plus q2 at p2; 8 dp. */
export function averagePrice(q1: string, p1: string, q2: string, p2: string): string {
  const a = dec(q1, "q1");
  const b = dec(q2, "q2");
  const total = a.plus(b);
  if (!total.gt(0)) throw new RangeError(`total quantity must be positive, got ${q1} + ${q2}`);
  return out(a.mul(dec(p1, "p1")).plus(b.mul(dec(p2, "p2"))).div(total));
}

/**
 * A market's order-size rules for copy orders: the quantity step (orders are multiples of it), the minimum quantity
 * and the minimum notional. These are the paper venue's rules, modelled on what real venues enforce; an exchange
 * connection (next issue) will bring its own from the exchange's market info.
 */
import type { MarketKind } from "@/lib/market-data/types";
import { D } from "@/lib/stats/decimal";
import { dec } from "./fills";

export interface QuantityRules {
  /** Orders are whole multiples of this quantity. */
  quantityStep: string;
  minQuantity: string;
  /** Minimum quantity × price, in the quote currency. */
  minNotional: string;
}

/**
 * crypto: a step of 10^-(e+1) where e is the price's decimal exponent (60000 → 0.00001, 3000 → 0.0001,
 * 150 → 0.001, 0.15 → 1), so one step is worth between 0.1 and 1 in the quote currency whatever the price (close
 * to Binance's lot sizes), and a 5 (USDT) minimum notional; forex: micro lots of 1,000 units, no minimum
 * notional; stocks: fractional shares to 0.0001 and a minimum order of 1.
 */
export function quantityRules(info: { market: MarketKind; price: string }): QuantityRules {
  switch (info.market) {
    case "crypto": {
      const price = dec(info.price, "price");
      if (!price.gt(0)) throw new RangeError(`price must be positive, got ${info.price}`);
      const step = new D(10).pow(-(price.e + 1)).toFixed();
      return { quantityStep: step, minQuantity: step, minNotional: "5" };
    }
    case "forex":
      return { quantityStep: "1000", minQuantity: "1000", minNotional: "0" };
    case "stocks":
      return { quantityStep: "0.0001", minQuantity: "0.0001", minNotional: "1" };
  }
}

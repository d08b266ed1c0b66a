/**
 * A live exchange account as a serial venue (services/copy/venues.ts): market orders through a ccxt client, one at a
 * time, under the copy order's venue client order id (./venue-id.ts), so an order is placed at most once however
 * often the connection's job re-drives it.
 *
 * The caller builds the ccxt instance (one per connection, `enableRateLimit: true`, `ex.number = String` so prices,
 * amounts and fees stay exact decimal strings) and keeps it for the connection's lifetime: markets load once.
 *
 * What can go wrong and what happens (./errors.ts decides which case an error is):
 * - too small for the market (amount truncates to nothing, below the minimum amount or notional): rejected
 *   `below_minimum` before anything is sent. ccxt checks neither limit; the exchange would refuse it anyway, but
 *   telling "too small" from other refusals is what the follower needs to read.
 * - the exchange refuses the order: rejected with its code and message, never retried.
 * - the answer is lost (timeout, dropped connection, 5xx, "execution status unknown") or the exchange says the id is
 *   already used: the order is looked up by its client id; found, it is the result; not found, the error goes up
 *   and the job retries (placing again under the same id is safe: the exchange refuses an id an open order holds,
 *   and the engine looks the id up before placing on every retry).
 */
import "server-only";
import Decimal from "decimal.js";
import type { Exchange, FeeInterface as Fee, MarketInterface as Market, Order, Trade } from "ccxt";
import type { OrderSide } from "@/lib/copy/types";
import { classifyVenueError, type VenueError } from "./errors";
import { venueClientOrderId } from "./venue-id";

/**
 * The copy engine's serial venue contract (services/copy/venues.ts SerialVenue), restated: an integration imports no
 * services (STYLE.md rule 18), the services side composes it, and TypeScript checks the two agree where it does
 * (and in ./ccxt-venue.test.ts).
 */
export interface LiveOrderRequest {
  /** The copy order's client order id; the exchange gets `venueClientOrderId` of it. */
  clientOrderId: string;
  /** Unified symbol, "BTC/USDT". */
  symbol: string;
  side: OrderSide;
  /** Base asset amount, a decimal string. */
  quantity: string;
  /** A recent price for the minimum-notional check (saves a ticker request); never sent as the order's price. */
  referencePrice?: string;
}

export type LiveOrderResult =
  | { status: "filled"; venueOrderId: string; fillPrice: string; fee: string; filledAt: Date; quantity?: string }
  | { status: "rejected"; venueOrderId: string | null; reason: string };

/** An exchange order as reconciliation reads it (services/exchanges/reconcile.ts): amounts as decimal strings. */
export interface VenueOrderView {
  venueOrderId: string;
  /** The client order id the exchange holds it under (ours start with "7c", see ./venue-id.ts). */
  clientOrderId: string | null;
  /** Unified symbol, "BTC/USDT". */
  symbol: string;
  side: OrderSide;
  status: "open" | "closed" | "canceled" | "expired" | "rejected" | "unknown";
  /** What was asked (null: by quote amount, or not told). */
  amount: string | null;
  filled: string;
  /** Average fill price (null: nothing filled, or not told). */
  average: string | null;
  timestamp: number | null;
}

/** What a market takes, as reconciliation needs it: its assets and minimum order (null: the exchange sets none). */
export interface VenueMarketRules {
  symbol: string;
  base: string;
  quote: string;
  minAmount: string | null;
  minCost: string | null;
}

/** An asset's balance on the account: free, held by open orders (used), and their sum. */
export interface VenueBalance {
  free: string;
  used: string;
  total: string;
}

export interface CcxtVenueOptions {
  /** The connection's ccxt client, with its credentials. */
  exchange: Exchange;
}

/**
 * The venue could not tell whether the order exists (the request's answer was lost and the lookup did not find it,
 * or the exchange was unreachable): the caller retries later. The message holds only the exchange's code and text
 * (no URL, no signature, no key), so it can be logged and stored.
 */
export class VenueRetryError extends Error {
  constructor(
    readonly venueError: VenueError,
    context: string,
  ) {
    super(`${context}: ${venueError.code ?? "error"}: ${venueError.message}`);
    this.name = "VenueRetryError";
  }
}

/** ccxt types numbers as `number`; with `ex.number = String` they are decimal strings. Either reads exactly here. */
const dec = (v: unknown): Decimal | null => (v === undefined || v === null || v === "" ? null : new Decimal(String(v)));

const rejected = (reason: string, venueOrderId: string | null = null): LiveOrderResult => ({ status: "rejected", venueOrderId, reason });

export class CcxtVenue {
  private readonly ex: Exchange;

  constructor(options: CcxtVenueOptions) {
    this.ex = options.exchange;
  }

  /** The last load of the markets failed: the next call loads them again (see `market`). */
  private marketsFailed = false;

  /**
   * ccxt keeps the loaded markets on the instance: only the first call goes to the exchange. It also keeps a failed
   * load's rejected promise and hands it to every later `loadMarkets()` without a request, so one timeout on a
   * connection's first call would fail each of its orders and lookups for the client's lifetime (orders left planned
   * forever): after a failure the next call asks for a reload, which makes a new request.
   */
  private async market(symbol: string): Promise<Market> {
    try {
      await this.ex.loadMarkets(this.marketsFailed);
      this.marketsFailed = false;
    } catch (err) {
      this.marketsFailed = true;
      throw err;
    }
    return this.ex.market(symbol);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads for reconciliation. Each failure is a VenueRetryError carrying only the exchange's code and message: a
  // reconciliation that could not read the account decides nothing and runs again later.

  /** The market's assets and minimum order (markets load once per client). */
  async marketRules(symbol: string): Promise<VenueMarketRules> {
    return this.read(`reading the ${symbol} market`, async () => {
      const m = await this.market(symbol);
      const minAmount = dec(m.limits.amount?.min);
      const minCost = dec(m.limits.cost?.min);
      return { symbol: m.symbol, base: m.base, quote: m.quote, minAmount: minAmount?.toString() ?? null, minCost: minCost?.toString() ?? null };
    });
  }

  /** The account's balances per asset (assets with nothing left out). */
  async balances(): Promise<Record<string, VenueBalance>> {
    return this.read("reading the balances", async () => {
      const b = await this.ex.fetchBalance();
      const out: Record<string, VenueBalance> = {};
      for (const [asset, total] of Object.entries((b.total ?? {}) as unknown as Record<string, unknown>)) {
        const t = dec(total) ?? new Decimal(0);
        if (t.isZero()) continue;
        const free = dec((b.free as unknown as Record<string, unknown> | undefined)?.[asset]) ?? new Decimal(0);
        const used = dec((b.used as unknown as Record<string, unknown> | undefined)?.[asset]) ?? t.minus(free);
        out[asset] = { free: free.toString(), used: used.toString(), total: t.toString() };
      }
      return out;
    });
  }

  /** The account's open orders on a market. */
  async openOrders(symbol: string): Promise<VenueOrderView[]> {
    return this.read(`reading open ${symbol} orders`, async () => {
      const m = await this.market(symbol);
      return (await this.ex.fetchOpenOrders(m.symbol)).map((o) => orderView(o, m.symbol));
    });
  }

  /**
   * The account's most recent orders on a market, open and finished (`limit` of them where the exchange pages by
   * count: Binance's allOrders answers the latest ones); exchanges without one list take open plus closed orders.
   */
  async recentOrders(symbol: string, limit = 500): Promise<VenueOrderView[]> {
    return this.read(`reading recent ${symbol} orders`, async () => {
      const m = await this.market(symbol);
      let orders: Order[];
      if (this.ex.has.fetchOrders === true) orders = await this.ex.fetchOrders(m.symbol, undefined, limit);
      else orders = [...(await this.ex.fetchOpenOrders(m.symbol)), ...(await this.ex.fetchClosedOrders(m.symbol, undefined, limit))];
      return orders.map((o) => orderView(o, m.symbol));
    });
  }

  private async read<T>(context: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof VenueRetryError) throw err;
      throw new VenueRetryError(classifyVenueError(this.ex.id, err), context);
    }
  }

  async placeOrder(request: LiveOrderRequest): Promise<LiveOrderResult> {
    const venueId = venueClientOrderId(request.clientOrderId);
    let market: Market;
    let amount: string;
    try {
      market = await this.market(request.symbol);
      const sized = await this.sized(market, request.quantity, request.referencePrice);
      if (sized.status === "rejected") return sized;
      amount = sized.amount;
    } catch (err) {
      // Nothing was sent yet: a refusal (unknown symbol) is final, anything else is retried by the job.
      const e = classifyVenueError(this.ex.id, err);
      if (e.kind === "rejected") return rejected(reasonOf(e, err));
      throw new VenueRetryError(e, `preparing ${request.symbol} order`);
    }

    let order: Order;
    try {
      // INVARIANT: no price on a market order. Given one, ccxt's binance turns a market buy into quoteOrderQty =
      // amount × price (spend that much quote), not this quantity. The amount goes as the decimal string it is
      // (ccxt formats amounts through numberToString, which takes strings; a float would round long quantities).
      order = await this.ex.createOrder(market.symbol, "market", request.side, amount as unknown as number, undefined, { clientOrderId: venueId });
    } catch (err) {
      const e = classifyVenueError(this.ex.id, err);
      if (e.kind === "duplicate" || e.kind === "ambiguous") {
        // Already placed, or perhaps placed: the exchange's record is the answer.
        const found = await this.findOrder(request.clientOrderId, market.symbol);
        if (found) return found;
        throw new VenueRetryError(e, `${request.side} ${amount} ${market.symbol} not confirmed and not found under ${venueId}`);
      }
      return rejected(reasonOf(e, err));
    }
    return this.result(order, market);
  }

  /** The order under this client order id, or null when the exchange has none. */
  async findOrder(clientOrderId: string, symbol?: string): Promise<LiveOrderResult | null> {
    if (symbol === undefined) throw new Error("findOrder needs the order's symbol: exchanges look client order ids up per market");
    const venueId = venueClientOrderId(clientOrderId);
    let market: Market;
    let order: Order | undefined;
    try {
      market = await this.market(symbol);
      order = await this.lookup(market, venueId);
    } catch (err) {
      const e = classifyVenueError(this.ex.id, err);
      if (e.kind === "not_found") return null;
      throw new VenueRetryError(e, `looking up ${venueId} on ${symbol}`);
    }
    return order ? this.result(order, market) : null;
  }

  /**
   * By client order id, per exchange: binance and okx answer it directly (ccxt maps `clientOrderId` to binance
   * origClientOrderId and okx clOrdId); elsewhere (bybit's fetchOrder sees only recent orders and needs an
   * acknowledgement flag, kraken maps it to the integer userref) the open and recent closed orders are searched.
   */
  private async lookup(market: Market, venueId: string): Promise<Order | undefined> {
    const id = this.ex.id;
    if (id.startsWith("binance") || id === "okx" || id === "myokx" || id === "okxus") {
      return this.ex.fetchOrder(undefined as unknown as string, market.symbol, { clientOrderId: venueId });
    }
    const open = await this.ex.fetchOpenOrders(market.symbol);
    const hit = open.find((o) => o.clientOrderId === venueId);
    if (hit) return hit;
    const closed = await this.ex.fetchClosedOrders(market.symbol);
    return closed.find((o) => o.clientOrderId === venueId);
  }

  /**
   * The quantity as the exchange will take it, or a `below_minimum` rejection. ccxt truncates to the market's step
   * (and throws InvalidOrder when nothing is left) but never checks the minimum amount or notional; the notional is
   * checked at the caller's reference price (the engine's last known price) or else the exchange's last traded price,
   * which is what a market order fills near.
   */
  private async sized(market: Market, quantity: string, referencePrice?: string): Promise<{ status: "ok"; amount: string } | Extract<LiveOrderResult, { status: "rejected" }>> {
    let amount: string;
    try {
      amount = String(this.ex.amountToPrecision(market.symbol, quantity as unknown as number));
    } catch (err) {
      const e = classifyVenueError(this.ex.id, err);
      if (e.kind !== "rejected") throw err;
      return { status: "rejected", venueOrderId: null, reason: `below_minimum: ${quantity} ${market.base} is less than one step of ${market.symbol} (${e.message})` };
    }
    const minAmount = dec(market.limits.amount?.min);
    if (minAmount && new Decimal(amount).lt(minAmount)) {
      return { status: "rejected", venueOrderId: null, reason: `below_minimum: ${amount} ${market.base} is below ${market.symbol}'s minimum amount ${minAmount.toString()}` };
    }
    const minCost = dec(market.limits.cost?.min);
    if (minCost && minCost.gt(0)) {
      let last = dec(referencePrice);
      if (!last) {
        const ticker = await this.ex.fetchTicker(market.symbol);
        last = dec(ticker.last ?? ticker.close);
      }
      if (last) {
        const notional = last.times(amount);
        if (notional.lt(minCost)) {
          return {
            status: "rejected",
            venueOrderId: null,
            reason: `below_minimum: ${amount} ${market.base} at ${last.toString()} is ${notional.toString()} ${market.quote}, below ${market.symbol}'s minimum order value ${minCost.toString()}`,
          };
        }
      }
    }
    return { status: "ok", amount };
  }

  /**
   * A placed or found order as the engine records it. A market order that is still open is neither filled nor
   * refused yet: the error sends the job round again, and the lookup then sees how it ended.
   */
  private async result(order: Order, market: Market): Promise<LiveOrderResult> {
    try {
      return await this.recorded(order, market);
    } catch (err) {
      if (err instanceof VenueRetryError) throw err;
      // The order exists; reading its fees failed (network): the retry finds it again by its client id.
      throw new VenueRetryError(classifyVenueError(this.ex.id, err), `reading ${market.symbol} order ${order.id}`);
    }
  }

  private async recorded(order: Order, market: Market): Promise<LiveOrderResult> {
    const venueOrderId = order.id;
    if (!venueOrderId) throw new VenueRetryError({ kind: "ambiguous", code: null, message: "the exchange answered without an order id" }, `${market.symbol} order`);
    const filled = dec(order.filled) ?? new Decimal(0);
    const amount = dec(order.amount);
    const status = order.status ?? "unknown";
    const exchangeStatus = typeof order.info?.status === "string" ? order.info.status : status;
    if (status === "open" || (status !== "closed" && status !== "canceled" && status !== "expired" && status !== "rejected")) {
      throw new VenueRetryError({ kind: "ambiguous", code: null, message: `order ${order.id} is ${exchangeStatus}, not finished yet` }, `${market.symbol} order`);
    }
    if (filled.lte(0)) return rejected(`${status}: the exchange ${exchangeStatus.toLowerCase()} the order with nothing filled`, venueOrderId);
    const fillPrice = dec(order.average) ?? (dec(order.cost) ? dec(order.cost)!.div(filled) : dec(order.price));
    if (!fillPrice) throw new VenueRetryError({ kind: "ambiguous", code: null, message: `order ${order.id} has no fill price` }, `${market.symbol} order`);
    const fee = await this.feeInQuote(order, market, fillPrice);
    return {
      status: "filled",
      venueOrderId,
      fillPrice: fillPrice.toString(),
      fee: fee.toString(),
      filledAt: new Date(order.lastTradeTimestamp ?? order.timestamp ?? Date.now()),
      // Part of a market order can go unfilled (no liquidity left, an expiring order): the engine records what filled.
      ...(amount && filled.lt(amount) ? { quantity: filled.toString() } : {}),
    };
  }

  /**
   * The order's fees summed in the quote currency. Taken from the order when the exchange sent its fills (binance
   * spot's FULL response), else from the account's trades for the order (a lookup: binance's GET order has no fills).
   */
  private async feeInQuote(order: Order, market: Market, fillPrice: Decimal): Promise<Decimal> {
    let fees = feesOf(order);
    if (fees.length === 0) {
      const trades: Trade[] = await this.ex.fetchMyTrades(market.symbol, undefined, undefined, { orderId: order.id });
      fees = trades.filter((t) => String(t.order) === String(order.id)).flatMap(feesOf);
    }
    let total = new Decimal(0);
    for (const f of fees) {
      const cost = dec(f.cost);
      if (!cost || cost.isZero()) continue;
      if (f.currency === market.quote) total = total.plus(cost);
      // A buy can pay its fee in the asset bought (binance takes it from the fill): worth fee × fill price in quote,
      // and the position then holds filled − fee of the base asset (the engine has to size it so).
      else if (f.currency === market.base) total = total.plus(cost.times(fillPrice));
      else total = total.plus(await this.quoteValue(f.currency, market.quote, cost));
    }
    return total;
  }

  /**
   * A fee paid in a third asset (binance's BNB discount): valued at that asset's last price in the quote currency.
   * With no such market (or no price) it counts as 0 rather than failing: the order is placed and filled, and an
   * error here would re-drive it for ever; reconciliation reads the account's trades and their fee assets.
   */
  private async quoteValue(currency: string | undefined, quote: string, cost: Decimal): Promise<Decimal> {
    const symbol = `${currency}/${quote}`;
    if (!currency || !this.ex.markets?.[symbol]) return new Decimal(0);
    const ticker = await this.ex.fetchTicker(symbol);
    const last = dec(ticker.last ?? ticker.close);
    return last ? cost.times(last) : new Decimal(0);
  }
}

const ORDER_STATUSES = new Set<VenueOrderView["status"]>(["open", "closed", "canceled", "expired", "rejected"]);

function orderView(o: Order, symbol: string): VenueOrderView {
  const status = (ORDER_STATUSES.has(o.status as VenueOrderView["status"]) ? o.status : "unknown") as VenueOrderView["status"];
  const filled = dec(o.filled) ?? new Decimal(0);
  const average = dec(o.average) ?? (filled.gt(0) && dec(o.cost) ? dec(o.cost)!.div(filled) : null);
  return {
    venueOrderId: String(o.id),
    clientOrderId: o.clientOrderId ?? null,
    symbol: o.symbol ?? symbol,
    side: o.side === "sell" ? "sell" : "buy",
    status,
    amount: dec(o.amount)?.toString() ?? null,
    filled: filled.toString(),
    average: average?.toString() ?? null,
    timestamp: o.timestamp ?? null,
  };
}

/** ccxt fills `fees` (one per currency) beside `fee` on orders and trades; its typings declare only `fee`. */
function feesOf(x: Order | Trade): Fee[] {
  const { fees } = x as { fees?: (Fee | undefined)[] };
  return (fees?.length ? fees : [x.fee]).filter((f): f is Fee => f !== undefined);
}

/** "<exchange code>: <exchange message>", the ccxt class standing in for the code when the exchange sent none. */
function reasonOf(e: VenueError, err: unknown): string {
  const code = e.code ?? (err instanceof Error ? err.name : "error");
  return code === e.message ? code : `${code}: ${e.message}`;
}

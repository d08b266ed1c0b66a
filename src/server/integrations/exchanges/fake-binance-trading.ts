/**
 * Test-only: a local HTTP server speaking Binance SPOT REST for trading, so the real ccxt client places, looks up and
 * cancels orders end to end and only the exchange is fake. It checks what Binance checks before an order exists
 * (API key, HMAC-SHA256 signature over the exact query/body, timestamp within recvWindow, mandatory parameters,
 * LOT_SIZE / PRICE_FILTER / NOTIONAL filters, balance, a client order id already used by an open order) and answers
 * in Binance's shapes, errors always as JSON `{code, msg}` (ccxt reads a 4xx without one as a network error, i.e.
 * "retry").
 *
 * Market orders fill at once at the price set per symbol (`setPrice`), 0.1% commission in the quote asset; limit
 * orders that cross that price fill the same way, the rest rest (GTC) or expire (IOC/FOK); stop and take-profit
 * orders rest (triggering is not modelled). Every request is recorded (API key header left out); anything else is
 * answered 404 and listed in `unexpected`. `fault()` makes the next matching requests fail the way real exchanges do.
 *
 * ccxt keeps its real URLs and reaches this server through `fetchImplementation` (see `fetchImplementation` below):
 * binance picks its error tables and some behaviour by URL, so a rebased URL would test a different client.
 */
import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import Decimal from "decimal.js";
import { closeServer, exchangeInfo, listenLocal, sendJson, spotSymbol, type SpotRules } from "@/server/integrations/market-data/fake-binance";

export interface FakeApiKey {
  apiKey: string;
  secret: string;
  /** What GET /sapi/v1/account/apiRestrictions reports for the key (defaults: a trade-only, IP-restricted key). */
  restrictions?: Partial<ApiRestrictions>;
  /** Free balances per asset at start ("USDT": "10000"). */
  balances?: Record<string, string>;
}

export interface ApiRestrictions {
  ipRestrict: boolean;
  enableReading: boolean;
  enableWithdrawals: boolean;
  enableSpotAndMarginTrading: boolean;
  enableInternalTransfer: boolean;
  enableMargin: boolean;
  enableFutures: boolean;
  permitsUniversalTransfer: boolean;
  enableVanillaOptions: boolean;
  enablePortfolioMarginTrading: boolean;
}

export interface FakeTradingOptions {
  keys?: FakeApiKey[];
  /** Last trade price per symbol ("BTCUSDT": "43361.11"): what market orders fill at. */
  prices?: Record<string, string>;
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  /** The host ccxt addressed (from `fetchImplementation`'s x-forwarded-host); undefined for direct calls. */
  host: string | undefined;
  path: string;
  /** Query and form body parameters together. */
  params: Record<string, string>;
  /** The raw form body (what Binance signs together with the query). */
  body: string;
  /** Lower-cased request headers without the API key. */
  headers: Record<string, string>;
  /** A signed endpoint whose key, signature and timestamp all passed. */
  verified: boolean;
}

/**
 * - `5xx`: answered 500 -1001 before the request is handled (nothing placed);
 * - `accept-then-timeout`: handled (the order exists), the answer never arrives;
 * - `duplicate`: answered -2010 "Duplicate order sent." without handling it (what a re-send of an id looks like);
 * - `not-found`: answered -2013 "Order does not exist." (a lookup that does not see an order yet);
 * - `partial`: a MARKET order fills only `fraction` of its quantity (to the step) and ends EXPIRED, as one does when
 *   the book runs out.
 */
export type FaultMode = "5xx" | "accept-then-timeout" | "duplicate" | "not-found" | "partial";

export interface Fault {
  method?: string;
  path: string;
  mode: FaultMode;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** accept-then-timeout: the socket is destroyed this long after the order was stored (default 1,000 ms). */
  afterMs?: number;
  /** Only requests signed with this API key (one account among many sharing the fake); default: any request. */
  apiKey?: string;
  /** partial: the share of the quantity that fills (default 0.5), floored to the market's step. */
  fraction?: string;
}

export type OrderStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "EXPIRED" | "REJECTED";

export interface FakeFill {
  price: string;
  qty: string;
  commission: string;
  commissionAsset: string;
  tradeId: number;
}

export interface FakeOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: "BUY" | "SELL";
  type: string;
  timeInForce: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  origQuoteOrderQty: string;
  stopPrice: string;
  icebergQty: string;
  trailingDelta?: string;
  selfTradePreventionMode: string;
  status: OrderStatus;
  time: number;
  updateTime: number;
  fills: FakeFill[];
  /** Which API key's account holds it. */
  apiKey: string;
  /** What the order holds back from the free balance while it rests. */
  locked: { asset: string; amount: string } | null;
}

export interface DirectOrder {
  /** Binance symbol, "BTCUSDT". */
  symbol: string;
  side: "BUY" | "SELL";
  quantity: string;
  /** The client order id it is held under (e.g. `venueClientOrderId` of a copy order). */
  clientOrderId: string;
  /** Default MARKET; LIMIT rests unless its price crosses the set price. */
  type?: "MARKET" | "LIMIT";
  price?: string;
}

export interface FakeBinanceTrading {
  /** "http://127.0.0.1:<port>" */
  url: string;
  requests: RecordedRequest[];
  unexpected: string[];
  /** Every order placed (test orders excluded), oldest first. */
  orders: FakeOrder[];
  /** For ccxt's `ex.fetchImplementation`: sends a request for any Binance URL here, keeping its path and query. */
  fetchImplementation: (url: string, init?: RequestInit) => Promise<Response>;
  setPrice(symbol: string, price: string | undefined): void;
  balances(apiKey: string): Record<string, { free: string; locked: string }>;
  /**
   * Test hook: an order the account holds as if it had arrived over the API (filled at the set price, balances
   * moved), without a request: what the exchange holds when our process died before recording it, or when our row
   * was lost. Throws the exchange's refusal (`code: msg`) like the API would answer it.
   */
  placeDirect(apiKey: string, order: DirectOrder): FakeOrder;
  /** Test hook: the account's free balance of an asset set behind the client's back (a deposit, a manual sale). */
  setBalance(apiKey: string, asset: string, free: string): void;
  fault(fault: Fault): void;
  reset(): void;
  close(): Promise<void>;
}

/** Real spot rules of these markets on api.binance.com (2024-2025). */
export const FAKE_TRADING_MARKETS: Record<string, { base: string; quote: string; rules: SpotRules }> = {
  BTCUSDT: { base: "BTC", quote: "USDT", rules: { tickSize: "0.01000000", stepSize: "0.00001000", minQty: "0.00001000", maxQty: "9000.00000000", marketMaxQty: "76.09731958" } },
  ETHUSDT: { base: "ETH", quote: "USDT", rules: { tickSize: "0.01000000", stepSize: "0.00010000", minQty: "0.00010000", maxQty: "9000.00000000", marketMaxQty: "2376.35135870" } },
  LTCUSDT: { base: "LTC", quote: "USDT", rules: { tickSize: "0.01000000", stepSize: "0.00100000", minQty: "0.00100000", maxQty: "900000.00000000", marketMaxQty: "16432.90416666" } },
  SOLUSDT: { base: "SOL", quote: "USDT", rules: { tickSize: "0.01000000", stepSize: "0.00100000", minQty: "0.00100000", maxQty: "9000000.00000000", marketMaxQty: "25302.04812500" } },
};

export const FAKE_TRADING_EXCHANGE_INFO = exchangeInfo(
  Object.entries(FAKE_TRADING_MARKETS).map(([symbol, m]) => spotSymbol(symbol, m.base, m.quote, m.rules)),
);

/** A trade-only, IP-restricted key with funds in every asset the markets use. */
export const FAKE_BINANCE_KEY: FakeApiKey = {
  apiKey: "fakeBinanceApiKey0000000000000000000000000000000000000000000000",
  secret: "fakeBinanceSecret000000000000000000000000000000000000000000000",
  balances: { USDT: "100000", BTC: "1", ETH: "10", LTC: "100", SOL: "100" },
};

const DEFAULT_PRICES: Record<string, string> = { BTCUSDT: "43361.11", ETHUSDT: "2300.00", LTCUSDT: "68.50", SOLUSDT: "95.00" };
const DEFAULT_RESTRICTIONS: ApiRestrictions = {
  ipRestrict: true,
  enableReading: true,
  enableWithdrawals: false,
  enableSpotAndMarginTrading: true,
  enableInternalTransfer: false,
  enableMargin: false,
  enableFutures: false,
  permitsUniversalTransfer: false,
  enableVanillaOptions: false,
  enablePortfolioMarginTrading: false,
};
/** The hosts of Binance's spot REST API (production and the spot testnet). */
const SPOT_HOSTS = new Set(["api.binance.com", "testnet.binance.vision"]);
const COMMISSION = new Decimal("0.001");
const MAX_RECV_WINDOW = 60_000;
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const OPEN: OrderStatus[] = ["NEW", "PARTIALLY_FILLED"];
const STOP_TYPES = new Set(["STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"]);
const ORDER_TYPES = new Map(FAKE_TRADING_EXCHANGE_INFO.symbols.map((s) => [s.symbol, new Set<string>(s.orderTypes)]));

class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

const mandatory = (name: string) => new BinanceError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
const fixed = (d: Decimal.Value) => new Decimal(d).toFixed(8);

interface Account {
  key: FakeApiKey;
  restrictions: ApiRestrictions;
  free: Map<string, Decimal>;
  locked: Map<string, Decimal>;
}

interface Reply {
  status: number;
  body: unknown;
}

type Handler = (params: Record<string, string>, account: Account | undefined, fault: Fault | undefined) => Reply;

export async function startFakeBinanceTrading(options: FakeTradingOptions = {}): Promise<FakeBinanceTrading> {
  const now = options.now ?? Date.now;
  const keys = options.keys ?? [FAKE_BINANCE_KEY];
  const initialPrices = { ...DEFAULT_PRICES, ...options.prices };

  const newAccounts = () =>
    new Map(
      keys.map((key) => [
        key.apiKey,
        {
          key,
          restrictions: { ...DEFAULT_RESTRICTIONS, ...key.restrictions },
          free: new Map(Object.entries(key.balances ?? {}).map(([asset, amount]) => [asset, new Decimal(amount)])),
          locked: new Map<string, Decimal>(),
        } satisfies Account,
      ]),
    );

  const state = {
    requests: [] as RecordedRequest[],
    unexpected: [] as string[],
    orders: [] as FakeOrder[],
    faults: [] as (Fault & { left: number })[],
    prices: new Map(Object.entries(initialPrices)),
    accounts: newAccounts(),
    nextOrderId: 1,
    nextTradeId: 1,
    timers: new Set<ReturnType<typeof setTimeout>>(),
  };

  const balanceOf = (map: Map<string, Decimal>, asset: string) => map.get(asset) ?? new Decimal(0);
  const move = (account: Account, asset: string, delta: { free?: Decimal; locked?: Decimal }) => {
    if (delta.free) account.free.set(asset, balanceOf(account.free, asset).plus(delta.free));
    if (delta.locked) account.locked.set(asset, balanceOf(account.locked, asset).plus(delta.locked));
  };

  function marketOf(params: Record<string, string>) {
    if (!params.symbol) throw mandatory("symbol");
    const market = Object.hasOwn(FAKE_TRADING_MARKETS, params.symbol) ? FAKE_TRADING_MARKETS[params.symbol] : undefined;
    if (!market) throw new BinanceError(400, -1121, "Invalid symbol.");
    return { symbol: params.symbol, ...market };
  }

  function decimalParam(params: Record<string, string>, name: string, required: boolean): Decimal | undefined {
    const raw = params[name];
    if (raw === undefined || raw === "") {
      if (required) throw mandatory(name);
      return undefined;
    }
    if (!DECIMAL.test(raw)) {
      throw new BinanceError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
    }
    return new Decimal(raw);
  }

  /** LOT_SIZE and PRICE_FILTER, as Binance applies them: within min/max and a whole number of steps. */
  function checkFilters(rules: SpotRules, quantity: Decimal | undefined, prices: (Decimal | undefined)[]) {
    const step = new Decimal(rules.stepSize ?? "0.00001");
    const minQty = new Decimal(rules.minQty ?? step);
    if (quantity && (quantity.lt(minQty) || quantity.gt(rules.maxQty ?? "9000") || !quantity.minus(minQty).mod(step).isZero())) {
      throw new BinanceError(400, -1013, "Filter failure: LOT_SIZE");
    }
    const tick = new Decimal(rules.tickSize);
    for (const p of prices) {
      if (p && (p.lt(tick) || p.gt("1000000") || !p.mod(tick).isZero())) throw new BinanceError(400, -1013, "Filter failure: PRICE_FILTER");
    }
  }

  function placeOrder(params: Record<string, string>, account: Account, test: boolean, fault?: Fault): Reply {
    const market = marketOf(params);
    const side = params.side;
    if (!side) throw mandatory("side");
    if (side !== "BUY" && side !== "SELL") throw new BinanceError(400, -1117, "Invalid side.");
    const type = params.type;
    if (!type) throw mandatory("type");
    if (!ORDER_TYPES.get(market.symbol)?.has(type)) {
      throw new BinanceError(400, -1116, "Invalid orderType.");
    }
    const clientOrderId = params.newClientOrderId || `fake${state.nextOrderId}x${now().toString(36)}`;
    if (!CLIENT_ORDER_ID.test(clientOrderId)) {
      throw new BinanceError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    }

    const isLimit = type === "LIMIT" || type === "LIMIT_MAKER" || type === "STOP_LOSS_LIMIT" || type === "TAKE_PROFIT_LIMIT";
    const isStop = STOP_TYPES.has(type);
    const quoteOrderQty = type === "MARKET" ? decimalParam(params, "quoteOrderQty", false) : undefined;
    if (quoteOrderQty && params.quantity) throw new BinanceError(400, -1106, "Parameter 'quoteOrderQty' sent when not required.");
    const quantity = decimalParam(params, "quantity", !quoteOrderQty);
    const price = decimalParam(params, "price", isLimit);
    if (!isLimit && price) throw new BinanceError(400, -1106, "Parameter 'price' sent when not required.");
    if (isStop && !params.stopPrice && !params.trailingDelta) throw mandatory("stopPrice");
    const stopPrice = decimalParam(params, "stopPrice", false);
    const icebergQty = decimalParam(params, "icebergQty", false);
    const timeInForce = params.timeInForce ?? "";
    if ((type === "LIMIT" || type === "STOP_LOSS_LIMIT" || type === "TAKE_PROFIT_LIMIT") && !timeInForce) throw mandatory("timeInForce");
    if (timeInForce && !["GTC", "IOC", "FOK"].includes(timeInForce)) throw new BinanceError(400, -1115, "Invalid timeInForce.");
    checkFilters(market.rules, quantity, [price, stopPrice]);

    const last = state.prices.get(market.symbol);
    const lastPrice = last === undefined ? undefined : new Decimal(last);
    // NOTIONAL (applyMinToMarket): price × quantity, at the last price for orders that carry none.
    const notional = quoteOrderQty ?? (quantity && (price ?? lastPrice)?.times(quantity));
    if (notional?.lt(market.rules.minNotional ?? "5")) throw new BinanceError(400, -1013, "Filter failure: NOTIONAL");

    // Binance refuses a client order id only while an order holding it is open; once closed the id can be reused.
    if (state.orders.some((o) => o.apiKey === account.key.apiKey && o.clientOrderId === clientOrderId && OPEN.includes(o.status))) {
      throw new BinanceError(400, -2010, "Duplicate order sent.");
    }
    const crosses = lastPrice !== undefined && price !== undefined && (side === "BUY" ? price.gte(lastPrice) : price.lte(lastPrice));
    if (type === "LIMIT_MAKER" && crosses) throw new BinanceError(400, -2010, "Order would immediately match and take.");

    // Fill now: market orders at the last price; limit orders that cross it, at it (the book's best price).
    const fillsNow = lastPrice !== undefined && (type === "MARKET" || (type === "LIMIT" && crosses));
    const step = new Decimal(market.rules.stepSize ?? "0.00001");
    const wholeQty = fillsNow ? (quantity ?? quoteOrderQty!.div(lastPrice).div(step).floor().times(step)) : undefined;
    // The book runs out part-way (fault "partial"): what is left of a market order expires.
    const partial = fault?.mode === "partial" && type === "MARKET" && wholeQty !== undefined;
    const fillQty = partial ? wholeQty.times(fault.fraction ?? "0.5").div(step).floor().times(step) : wholeQty;
    // What the order needs from the free balance: the base asset to sell, or the quote (with commission) to buy.
    // Unknown (so not checked) for a market sell by quote amount with no price set, or a price-less stop buy.
    let needed: { asset: string; amount: Decimal } | undefined;
    if (side === "SELL") {
      const baseQty = fillQty ?? quantity;
      if (baseQty) needed = { asset: market.base, amount: baseQty };
    } else {
      const cost = fillsNow ? fillQty!.times(lastPrice) : (quoteOrderQty ?? (quantity && (price ?? stopPrice ?? lastPrice)?.times(quantity)));
      if (cost) needed = { asset: market.quote, amount: cost.times(COMMISSION.plus(1)) };
    }
    if (needed && balanceOf(account.free, needed.asset).lt(needed.amount)) {
      throw new BinanceError(400, -2010, "Account has insufficient balance for requested action.");
    }
    if (test) return { status: 200, body: {} };

    const at = now();
    const order: FakeOrder = {
      symbol: market.symbol,
      orderId: state.nextOrderId++,
      clientOrderId,
      side,
      type,
      timeInForce: timeInForce || "GTC",
      price: fixed(price ?? 0),
      origQty: fixed(quantity ?? fillQty ?? 0),
      executedQty: fixed(0),
      cummulativeQuoteQty: fixed(0),
      origQuoteOrderQty: fixed(quoteOrderQty ?? 0),
      stopPrice: fixed(stopPrice ?? 0),
      icebergQty: fixed(icebergQty ?? 0),
      ...(params.trailingDelta ? { trailingDelta: params.trailingDelta } : {}),
      selfTradePreventionMode: params.selfTradePreventionMode ?? "EXPIRE_MAKER",
      status: "NEW",
      time: at,
      updateTime: at,
      fills: [],
      apiKey: account.key.apiKey,
      locked: null,
    };
    if (fillsNow && fillQty!.gt(0)) {
      const cost = fillQty!.times(lastPrice);
      const commission = cost.times(COMMISSION).toDecimalPlaces(8, Decimal.ROUND_UP);
      order.fills.push({ price: fixed(lastPrice), qty: fixed(fillQty!), commission: fixed(commission), commissionAsset: market.quote, tradeId: state.nextTradeId++ });
      order.executedQty = fixed(fillQty!);
      order.cummulativeQuoteQty = fixed(cost);
      order.status = partial && fillQty!.lt(wholeQty!) ? "EXPIRED" : "FILLED";
      const sign = side === "BUY" ? 1 : -1;
      move(account, market.base, { free: fillQty!.times(sign) });
      move(account, market.quote, { free: cost.times(-sign).minus(commission) });
    } else if (type === "MARKET" || timeInForce === "IOC" || timeInForce === "FOK") {
      // Nothing to trade against (no price set) or a limit that does not cross: Binance expires it unfilled.
      order.status = "EXPIRED";
    } else if (needed) {
      order.locked = { asset: needed.asset, amount: needed.amount.toString() };
      move(account, needed.asset, { free: needed.amount.neg(), locked: needed.amount });
    }
    state.orders.push(order);
    return { status: 200, body: orderResponse(order, params.newOrderRespType ?? (type === "MARKET" || type === "LIMIT" ? "FULL" : "ACK")) };
  }

  function orderResponse(o: FakeOrder, respType: string) {
    const ack = { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.updateTime };
    if (respType === "ACK") return ack;
    const result = {
      ...ack,
      price: o.price,
      origQty: o.origQty,
      executedQty: o.executedQty,
      origQuoteOrderQty: o.origQuoteOrderQty,
      cummulativeQuoteQty: o.cummulativeQuoteQty,
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      ...(STOP_TYPES.has(o.type) ? { stopPrice: o.stopPrice } : {}),
      ...(o.trailingDelta ? { trailingDelta: Number(o.trailingDelta) } : {}),
      workingTime: o.time,
      selfTradePreventionMode: o.selfTradePreventionMode,
    };
    if (respType === "RESULT") return result;
    return { ...result, fills: o.fills.map((f) => ({ ...f })) };
  }

  /** GET /api/v3/order and /openOrders shape. */
  function orderQuery(o: FakeOrder) {
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: o.price,
      origQty: o.origQty,
      executedQty: o.executedQty,
      cummulativeQuoteQty: o.cummulativeQuoteQty,
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      stopPrice: o.stopPrice,
      icebergQty: o.icebergQty,
      ...(o.trailingDelta ? { trailingDelta: Number(o.trailingDelta) } : {}),
      time: o.time,
      updateTime: o.updateTime,
      isWorking: !STOP_TYPES.has(o.type),
      workingTime: o.time,
      origQuoteOrderQty: o.origQuoteOrderQty,
      selfTradePreventionMode: o.selfTradePreventionMode,
    };
  }

  /** By orderId, else the latest order with that client id (Binance reuses a client id once its order closed). */
  function findOrder(params: Record<string, string>, account: Account): FakeOrder | undefined {
    const { symbol } = marketOf(params);
    const mine = state.orders.filter((o) => o.apiKey === account.key.apiKey && o.symbol === symbol);
    if (params.orderId) return mine.find((o) => String(o.orderId) === params.orderId);
    if (params.origClientOrderId) return mine.findLast((o) => o.clientOrderId === params.origClientOrderId);
    throw new BinanceError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  }

  const routes: Record<string, { signed: boolean; handle: Handler }> = {
    "GET /api/v3/ping": { signed: false, handle: () => ({ status: 200, body: {} }) },
    "GET /api/v3/time": { signed: false, handle: () => ({ status: 200, body: { serverTime: now() } }) },
    "GET /api/v3/exchangeInfo": { signed: false, handle: () => ({ status: 200, body: { ...FAKE_TRADING_EXCHANGE_INFO, serverTime: now() } }) },
    "POST /api/v3/order": { signed: true, handle: (params, account, fault) => placeOrder(params, account!, false, fault) },
    "POST /api/v3/order/test": { signed: true, handle: (params, account) => placeOrder(params, account!, true) },
    "GET /api/v3/order": {
      signed: true,
      handle: (params, account) => {
        const order = findOrder(params, account!);
        if (!order) throw new BinanceError(400, -2013, "Order does not exist.");
        return { status: 200, body: orderQuery(order) };
      },
    },
    "DELETE /api/v3/order": {
      signed: true,
      handle: (params, account) => {
        const order = findOrder(params, account!);
        if (!order || !OPEN.includes(order.status)) throw new BinanceError(400, -2011, "Unknown order sent.");
        order.status = "CANCELED";
        order.updateTime = now();
        if (order.locked) {
          const amount = new Decimal(order.locked.amount);
          move(account!, order.locked.asset, { free: amount, locked: amount.neg() });
          order.locked = null;
        }
        const { clientOrderId, ...rest } = orderResponse(order, "RESULT");
        return { status: 200, body: { ...rest, origClientOrderId: clientOrderId, clientOrderId: params.newClientOrderId ?? `cancel${order.orderId}` } };
      },
    },
    // The last price (what ccxt's fetchTicker reads; the venue checks the minimum order value at it).
    "GET /api/v3/ticker/24hr": {
      signed: false,
      handle: (params) => {
        const { symbol } = marketOf(params);
        const last = state.prices.get(symbol);
        const at = now();
        return { status: 200, body: { symbol, ...(last ? { lastPrice: fixed(last) } : {}), openTime: at - 86_400_000, closeTime: at, count: last ? 1 : 0 } };
      },
    },
    // The account's fills, per order (GET order carries none: a venue reads the fees of an order it looked up here).
    "GET /api/v3/myTrades": {
      signed: true,
      handle: (params, account) => {
        const { symbol } = marketOf(params);
        const trades = state.orders
          .filter((o) => o.apiKey === account!.key.apiKey && o.symbol === symbol && (!params.orderId || String(o.orderId) === params.orderId))
          .flatMap((o) =>
            o.fills.map((f) => ({
              symbol,
              id: f.tradeId,
              orderId: o.orderId,
              orderListId: -1,
              price: f.price,
              qty: f.qty,
              quoteQty: fixed(new Decimal(f.price).times(f.qty)),
              commission: f.commission,
              commissionAsset: f.commissionAsset,
              time: o.updateTime,
              isBuyer: o.side === "BUY",
              isMaker: false,
              isBestMatch: true,
            })),
          );
        return { status: 200, body: trades };
      },
    },
    "GET /api/v3/openOrders": {
      signed: true,
      handle: (params, account) => {
        const symbol = params.symbol ? marketOf(params).symbol : undefined;
        const open = state.orders.filter((o) => o.apiKey === account!.key.apiKey && OPEN.includes(o.status) && (!symbol || o.symbol === symbol));
        return { status: 200, body: open.map(orderQuery) };
      },
    },
    // Every order of the account on a symbol (ccxt's fetchOrders / fetchClosedOrders), oldest first: from `orderId`
    // on when given, else the most recent `limit` (default 500, at most 1,000), as Binance answers.
    "GET /api/v3/allOrders": {
      signed: true,
      handle: (params, account) => {
        const { symbol } = marketOf(params);
        const limit = Math.min(Number(params.limit ?? 500) || 500, 1_000);
        let mine = state.orders.filter((o) => o.apiKey === account!.key.apiKey && o.symbol === symbol);
        if (params.orderId) mine = mine.filter((o) => o.orderId >= Number(params.orderId)).slice(0, limit);
        else {
          if (params.startTime) mine = mine.filter((o) => o.time >= Number(params.startTime));
          if (params.endTime) mine = mine.filter((o) => o.time <= Number(params.endTime));
          mine = mine.slice(-limit);
        }
        return { status: 200, body: mine.map(orderQuery) };
      },
    },
    "GET /api/v3/account": {
      signed: true,
      handle: (_params, account) => {
        const assets = [...new Set([...account!.free.keys(), ...account!.locked.keys()])].sort();
        return {
          status: 200,
          body: {
            makerCommission: 10,
            takerCommission: 10,
            buyerCommission: 0,
            sellerCommission: 0,
            commissionRates: { maker: "0.00100000", taker: "0.00100000", buyer: "0.00000000", seller: "0.00000000" },
            canTrade: account!.restrictions.enableSpotAndMarginTrading,
            canWithdraw: account!.restrictions.enableWithdrawals,
            canDeposit: true,
            brokered: false,
            requireSelfTradePrevention: false,
            preventSor: false,
            updateTime: now(),
            accountType: "SPOT",
            balances: assets.map((asset) => ({ asset, free: fixed(balanceOf(account!.free, asset)), locked: fixed(balanceOf(account!.locked, asset)) })),
            permissions: ["SPOT"],
            uid: 354937868,
          },
        };
      },
    },
    "GET /sapi/v1/account/apiRestrictions": {
      signed: true,
      handle: (_params, account) => ({ status: 200, body: { createTime: 1623840271000, enableFixApiTrade: false, enableFixReadOnly: false, ...account!.restrictions } }),
    },
  };

  /** Binance signs `query + body` (the signature itself left out) with HMAC-SHA256, hex. */
  function authenticate(req: http.IncomingMessage, query: string, body: string, params: Record<string, string>): Account {
    const apiKey = req.headers["x-mbx-apikey"];
    if (typeof apiKey !== "string" || apiKey === "") throw new BinanceError(401, -2014, "API-key format invalid.");
    const account = state.accounts.get(apiKey);
    if (!account) throw new BinanceError(401, -2015, "Invalid API-key, IP, or permissions for action.");
    const strip = (s: string) => s.replace(/(^|&)signature=[^&]*/, "");
    const signature = params.signature;
    if (!signature) throw mandatory("signature");
    const expected = createHmac("sha256", account.key.secret).update(strip(query) + strip(body)).digest("hex");
    const given = Buffer.from(signature, "utf8");
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, "utf8"))) {
      throw new BinanceError(400, -1022, "Signature for this request is not valid.");
    }
    const timestamp = Number(params.timestamp);
    if (!params.timestamp || !Number.isFinite(timestamp)) throw mandatory("timestamp");
    const recvWindow = params.recvWindow === undefined ? 5_000 : Number(params.recvWindow);
    if (!(recvWindow > 0 && recvWindow <= MAX_RECV_WINDOW)) throw new BinanceError(400, -1131, "recvWindow must be less than 60000");
    const serverTime = now();
    if (timestamp > serverTime + 1_000) throw new BinanceError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    if (serverTime - timestamp > recvWindow) throw new BinanceError(400, -1021, "Timestamp for this request is outside of the recvWindow.");
    return account;
  }

  function takeFault(method: string, path: string, account: Account | undefined) {
    const fault = state.faults.find(
      (f) => f.left > 0 && f.path === path && (f.method ?? method) === method && (f.apiKey === undefined || f.apiKey === account?.key.apiKey),
    );
    if (fault) fault.left--;
    return fault;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      const body = Buffer.concat(chunks).toString("utf8");
      const query = u.search.replace(/^\?/, "");
      const params = { ...Object.fromEntries(u.searchParams), ...Object.fromEntries(new URLSearchParams(body)) };
      const forwardedHost = req.headers["x-forwarded-host"];
      const headers = Object.fromEntries(
        Object.entries(req.headers)
          .filter(([name]) => name !== "x-mbx-apikey")
          .map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : String(value)]),
      );
      const recorded: RecordedRequest = { method, host: typeof forwardedHost === "string" ? forwardedHost : undefined, path: u.pathname, params, body, headers, verified: false };
      state.requests.push(recorded);

      const route = Object.hasOwn(routes, `${method} ${u.pathname}`) ? routes[`${method} ${u.pathname}`] : undefined;
      if (!route || (recorded.host !== undefined && !SPOT_HOSTS.has(recorded.host))) {
        state.unexpected.push(`${method} ${recorded.host ?? ""}${req.url}`);
        return sendJson(res, 404, { code: -1000, msg: `Unexpected request to the fake exchange: ${method} ${u.pathname}` });
      }
      try {
        const account = route.signed ? authenticate(req, query, body, params) : undefined;
        recorded.verified = route.signed;
        const fault = takeFault(method, u.pathname, account);
        if (fault?.mode === "5xx") {
          return sendJson(res, 500, { code: -1001, msg: "Internal error; unable to process your request. Please try your request again." });
        }
        if (fault?.mode === "duplicate") return sendJson(res, 400, { code: -2010, msg: "Duplicate order sent." });
        if (fault?.mode === "not-found") return sendJson(res, 400, { code: -2013, msg: "Order does not exist." });
        const reply = route.handle(params, account, fault);
        if (fault?.mode === "accept-then-timeout") {
          // The exchange did the work; the answer never arrives.
          const timer = setTimeout(() => {
            state.timers.delete(timer);
            req.socket.destroy();
          }, fault.afterMs ?? 1_000);
          state.timers.add(timer);
          return;
        }
        return sendJson(res, reply.status, reply.body);
      } catch (err) {
        if (err instanceof BinanceError) return sendJson(res, err.status, { code: err.code, msg: err.message });
        return sendJson(res, 500, { code: -1000, msg: `An unknown error occurred while processing the request: ${String(err)}` });
      }
    });
  });
  const url = await listenLocal(server);

  return {
    url,
    get requests() {
      return state.requests;
    },
    get unexpected() {
      return state.unexpected;
    },
    get orders() {
      return state.orders;
    },
    fetchImplementation: (target: string, init?: RequestInit) => {
      const original = new URL(target);
      const headers = new Headers(init?.headers);
      headers.set("x-forwarded-host", original.host);
      return fetch(`${url}${original.pathname}${original.search}`, { method: init?.method, headers, body: init?.body, signal: init?.signal });
    },
    setPrice(symbol: string, price: string | undefined) {
      if (price === undefined) state.prices.delete(symbol);
      else state.prices.set(symbol, price);
    },
    balances(apiKey: string) {
      const account = state.accounts.get(apiKey);
      if (!account) throw new Error(`no fake account for that API key`);
      const assets = [...new Set([...account.free.keys(), ...account.locked.keys()])].sort();
      return Object.fromEntries(assets.map((a) => [a, { free: balanceOf(account.free, a).toString(), locked: balanceOf(account.locked, a).toString() }]));
    },
    placeDirect(apiKey: string, order: DirectOrder) {
      const account = state.accounts.get(apiKey);
      if (!account) throw new Error(`no fake account for that API key`);
      const type = order.type ?? "MARKET";
      const params: Record<string, string> = {
        symbol: order.symbol,
        side: order.side,
        type,
        quantity: order.quantity,
        newClientOrderId: order.clientOrderId,
        ...(type === "LIMIT" ? { price: order.price ?? "", timeInForce: "GTC" } : {}),
      };
      try {
        placeOrder(params, account, false);
      } catch (err) {
        if (err instanceof BinanceError) throw new Error(`${err.code}: ${err.message}`);
        throw err;
      }
      return state.orders[state.orders.length - 1]!;
    },
    setBalance(apiKey: string, asset: string, free: string) {
      const account = state.accounts.get(apiKey);
      if (!account) throw new Error(`no fake account for that API key`);
      account.free.set(asset, new Decimal(free));
    },
    fault(fault: Fault) {
      state.faults.push({ ...fault, left: fault.times ?? 1 });
    },
    reset() {
      state.requests = [];
      state.unexpected = [];
      state.orders = [];
      state.faults = [];
      state.prices = new Map(Object.entries(initialPrices));
      state.accounts = newAccounts();
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
    },
    close: () => {
      for (const timer of state.timers) clearTimeout(timer);
      return closeServer(server);
    },
  };
}

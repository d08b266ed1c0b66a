/**
 * A local HTTP server speaking Alpaca's Trading REST API (v2) for what the venue and the connection check call, so
 * the official SDK (`@alpacahq/alpaca-trade-api`) runs end to end against it and only the broker is fake. For tests
 * and for the dev demo's "Local test broker (Alpaca)" connection: no keys, no network.
 *
 * What it models, in Alpaca's shapes (snake_case JSON, decimals as strings, errors as `{code, message}`):
 * - keys: `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY` headers checked on every route (401 40110000 otherwise);
 * - GET /v2/account (status, trading_blocked, cash and buying power of a cash account), GET /v2/clock (settable: open
 *   or closed, next open and close), GET /v2/positions and /v2/positions/{symbol};
 * - POST /v2/orders: market and limit orders, `client_order_id` unique per account for ever (422 40010001 "client_order_id
 *   must be unique", also after the order was cancelled or filled), fractional quantities (at most 9 decimals) only on
 *   fractionable assets, as market or limit DAY orders, and worth at least $1; buying power and the position checked
 *   (403 40310000). A market order fills at once at the symbol's price (`setPrice`) while the clock is open; outside
 *   hours it is `accepted` and fills when the clock is next set open (what Alpaca does with it at the open);
 * - GET /v2/orders (status open|closed|all), GET /v2/orders/{id}, GET /v2/orders:by_client_order_id, DELETE /v2/orders/{id}.
 *
 * Fills carry no commission: Alpaca charges none on US stocks (its regulatory pass-through fees are account activities).
 * Every request is recorded with the key headers left out; an unknown route answers 404 and is listed in `unexpected`.
 * `fault()` makes the next matching requests fail the way a broker does (per key, so one account among many can fail).
 */
import "server-only";
import { randomUUID } from "node:crypto";
import http from "node:http";
import Decimal from "decimal.js";
import { closeServer, listenLocal, sendJson } from "@/server/integrations/market-data/fake-binance";

export interface FakeAlpacaKey {
  keyId: string;
  secret: string;
  /** Cash at start (default "100000"): a cash account, buying power = cash. */
  cash?: string;
  /** GET /v2/account `status` (default ACTIVE). */
  status?: string;
  /** GET /v2/account `trading_blocked` (default false); a blocked account's orders are refused. */
  tradingBlocked?: boolean;
  /** Shares held at start ("GOOG": "2"). */
  positions?: Record<string, string>;
}

export interface FakeClock {
  isOpen: boolean;
  nextOpen: Date;
  nextClose: Date;
}

export interface FakeAlpacaOptions {
  keys?: FakeAlpacaKey[];
  /** Last trade price per symbol ("GOOG": "800.00"); a symbol not listed is an unknown asset. */
  prices?: Record<string, string>;
  /** Symbols that take whole shares only (every other listed symbol is fractionable). */
  notFractionable?: string[];
  /** The market clock at start (default: open, closing in 6 hours). */
  clock?: Partial<FakeClock>;
  now?: () => number;
}

/**
 * - `5xx`: answered 500 before the request is handled (nothing placed);
 * - `accept-then-timeout`: handled (the order exists), then the socket is destroyed `afterMs` later with no answer;
 * - `drop`: handled, then the connection is reset at once (the answer is lost);
 * - `partial`: a market order fills only `fraction` of its quantity (to 9 decimals) and the rest is cancelled;
 * - `pending`: a market order is accepted as `new` and fills only after it has been read `reads` times (default 1),
 *   as a just-accepted order does.
 */
export type FakeAlpacaFaultMode = "5xx" | "accept-then-timeout" | "drop" | "partial" | "pending";

export interface FakeAlpacaFault {
  method?: string;
  /** The request path: "/v2/orders", "/v2/orders:by_client_order_id", "/v2/account"... */
  path: string;
  mode: FakeAlpacaFaultMode;
  /** How many matching requests it hits (default 1). */
  times?: number;
  afterMs?: number;
  /** Only requests made with this key id; default: any. */
  keyId?: string;
  /** partial: the share of the quantity that fills (default "0.5"). */
  fraction?: string;
  /** pending: reads of the order before it fills (default 1). */
  reads?: number;
}

export type FakeAlpacaOrderStatus = "new" | "accepted" | "partially_filled" | "filled" | "canceled" | "expired" | "rejected";

export interface FakeAlpacaOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  type: string;
  timeInForce: string;
  qty: string;
  limitPrice: string | null;
  filledQty: string;
  filledAvgPrice: string | null;
  status: FakeAlpacaOrderStatus;
  createdAt: number;
  updatedAt: number;
  filledAt: number | null;
  canceledAt: number | null;
  keyId: string;
  /** pending fault: reads left before the order fills. */
  readsLeft?: number;
  /** partial fault: the share that fills. */
  fraction?: string;
}

export interface FakeAlpacaRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body (POST), else null. */
  body: unknown;
  /** Lower-cased headers without the key id and secret. */
  headers: Record<string, string>;
  /** Which key made it (the key id is not secret; the secret never appears here). */
  keyId: string | undefined;
}

export interface FakeAlpaca {
  /** "http://127.0.0.1:<port>": the SDK's base path for a local connection. */
  url: string;
  requests: FakeAlpacaRequest[];
  unexpected: string[];
  /** Every order accepted, oldest first. */
  orders: FakeAlpacaOrder[];
  setPrice(symbol: string, price: string | undefined): void;
  /** Sets the clock; opening it fills the market orders queued while it was closed. */
  setClock(clock: Partial<FakeClock>): void;
  clock(): FakeClock;
  /** Cancels an open order as the account holder would (its client order id stays used). */
  cancel(orderId: string): void;
  account(keyId: string): { cash: string; positions: Record<string, string> };
  fault(fault: FakeAlpacaFault): void;
  reset(): void;
  close(): Promise<void>;
}

/** A paper-like account with $100,000 and no positions (key id 20 characters, secret 40, as Alpaca's are). */
export const FAKE_ALPACA_KEY: FakeAlpacaKey = {
  keyId: "PKFAKEALPACA00000001",
  secret: "fakeAlpacaSecret000000000000000000000001",
  cash: "100000",
};

/** GOOG near its 2013 close (the recorded daily data ends 2013-03-01), and a few others. */
const DEFAULT_PRICES: Record<string, string> = { GOOG: "806.19", AAPL: "430.47", MSFT: "27.95", "BRK.A": "152000.00" };
const DEFAULT_NOT_FRACTIONABLE = ["BRK.A"];
const HOUR = 3_600_000;
const QTY = /^[0-9]{1,12}(\.[0-9]{1,9})?$/;
const OPEN: FakeAlpacaOrderStatus[] = ["new", "accepted", "partially_filled"];

class AlpacaError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const invalid = (message: string) => new AlpacaError(422, 40010001, message);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

interface Account {
  key: FakeAlpacaKey;
  cash: Decimal;
  positions: Map<string, { qty: Decimal; cost: Decimal }>;
  /** Every client order id this account ever used (Alpaca never frees one). */
  clientIds: Set<string>;
}

interface Reply {
  status: number;
  body: unknown;
}

export async function startFakeAlpaca(options: FakeAlpacaOptions = {}): Promise<FakeAlpaca> {
  const now = options.now ?? Date.now;
  const keys = options.keys ?? [FAKE_ALPACA_KEY];
  const initialPrices = { ...DEFAULT_PRICES, ...options.prices };
  const notFractionable = new Set(options.notFractionable ?? DEFAULT_NOT_FRACTIONABLE);
  const initialClock = (): FakeClock => ({
    isOpen: options.clock?.isOpen ?? true,
    nextOpen: options.clock?.nextOpen ?? new Date(now() + 18 * HOUR),
    nextClose: options.clock?.nextClose ?? new Date(now() + 6 * HOUR),
  });

  const newAccounts = () =>
    new Map(
      keys.map((key) => [
        key.keyId,
        {
          key,
          cash: new Decimal(key.cash ?? "100000"),
          positions: new Map(Object.entries(key.positions ?? {}).map(([symbol, qty]) => [symbol, { qty: new Decimal(qty), cost: new Decimal(qty).times(initialPrices[symbol] ?? 0) }])),
          clientIds: new Set<string>(),
        } satisfies Account,
      ]),
    );

  const state = {
    requests: [] as FakeAlpacaRequest[],
    unexpected: [] as string[],
    orders: [] as FakeAlpacaOrder[],
    faults: [] as (FakeAlpacaFault & { left: number })[],
    prices: new Map(Object.entries(initialPrices)),
    accounts: newAccounts(),
    clock: initialClock(),
    timers: new Set<ReturnType<typeof setTimeout>>(),
  };

  function orderJson(o: FakeAlpacaOrder) {
    return {
      id: o.id,
      client_order_id: o.clientOrderId,
      created_at: iso(o.createdAt),
      updated_at: iso(o.updatedAt),
      submitted_at: iso(o.createdAt),
      filled_at: iso(o.filledAt),
      expired_at: null,
      canceled_at: iso(o.canceledAt),
      failed_at: null,
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      asset_id: `fake-asset-${o.symbol}`,
      symbol: o.symbol,
      asset_class: "us_equity",
      notional: null,
      qty: o.qty,
      filled_qty: o.filledQty,
      filled_avg_price: o.filledAvgPrice,
      order_class: "",
      order_type: o.type,
      type: o.type,
      side: o.side,
      position_intent: o.side === "buy" ? "buy_to_open" : "sell_to_close",
      time_in_force: o.timeInForce,
      limit_price: o.limitPrice,
      stop_price: null,
      status: o.status,
      extended_hours: false,
      legs: null,
      trail_percent: null,
      trail_price: null,
      hwm: null,
    };
  }

  /** Fills `qty` of the order at the symbol's price now; false when there is no price to fill at. */
  function fill(o: FakeAlpacaOrder, qty: Decimal): boolean {
    const last = state.prices.get(o.symbol);
    if (last === undefined) return false;
    const price = new Decimal(last);
    const account = state.accounts.get(o.keyId)!;
    const cost = price.times(qty);
    const held = account.positions.get(o.symbol) ?? { qty: new Decimal(0), cost: new Decimal(0) };
    if (o.side === "buy") {
      account.cash = account.cash.minus(cost);
      account.positions.set(o.symbol, { qty: held.qty.plus(qty), cost: held.cost.plus(cost) });
    } else {
      account.cash = account.cash.plus(cost);
      const left = held.qty.minus(qty);
      if (left.isZero()) account.positions.delete(o.symbol);
      else account.positions.set(o.symbol, { qty: left, cost: held.qty.isZero() ? new Decimal(0) : held.cost.times(left).div(held.qty) });
    }
    const at = now();
    o.filledQty = qty.toFixed();
    o.filledAvgPrice = price.toFixed(2);
    o.filledAt = at;
    o.updatedAt = at;
    o.status = qty.lt(o.qty) ? "canceled" : "filled";
    if (o.status === "canceled") o.canceledAt = at;
    return true;
  }

  /** A market order (or a limit that crosses) trades now when the market is open and nothing holds it back. */
  function tryFill(o: FakeAlpacaOrder) {
    if (!OPEN.includes(o.status) || !state.clock.isOpen || o.readsLeft) return;
    const last = state.prices.get(o.symbol);
    if (last === undefined) return;
    if (o.type === "limit") {
      const limit = new Decimal(o.limitPrice!);
      if (o.side === "buy" ? limit.lt(last) : limit.gt(last)) return;
    }
    const qty = new Decimal(o.qty);
    const filled = o.fraction ? qty.times(o.fraction).toDecimalPlaces(9, Decimal.ROUND_DOWN) : qty;
    if (filled.isZero()) cancelOrder(o);
    else fill(o, filled);
  }

  function placeOrder(body: Record<string, unknown>, account: Account, fault: FakeAlpacaFault | undefined): Reply {
    if (account.key.tradingBlocked) throw new AlpacaError(403, 40310000, "account is not authorized to trade");
    const str = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : typeof body[name] === "number" ? String(body[name]) : undefined);
    const symbol = str("symbol");
    if (!symbol) throw invalid("symbol is required");
    const last = state.prices.get(symbol);
    if (last === undefined) throw invalid(`asset "${symbol}" not found`);
    const side = str("side");
    if (side !== "buy" && side !== "sell") throw invalid("side is invalid");
    const type = str("type");
    if (type !== "market" && type !== "limit") throw invalid(`order type "${type ?? ""}" is not supported by the fake broker`);
    const timeInForce = str("time_in_force");
    if (!timeInForce || !["day", "gtc", "opg", "cls", "ioc", "fok"].includes(timeInForce)) throw invalid("time_in_force is invalid");
    if (body.notional !== undefined && body.notional !== null) throw invalid("notional orders are not supported by the fake broker");
    const rawQty = str("qty");
    if (!rawQty || !QTY.test(rawQty) || new Decimal(rawQty).lte(0)) throw invalid("qty must be > 0 with at most 9 decimal places");
    const qty = new Decimal(rawQty);
    const limitPrice = type === "limit" ? str("limit_price") : undefined;
    if (type === "limit" && (!limitPrice || !/^[0-9]+(\.[0-9]{1,4})?$/.test(limitPrice))) throw invalid("limit_price is required");
    const clientOrderId = str("client_order_id") ?? randomUUID();
    if (clientOrderId.length > 128) throw invalid("client_order_id must be no more than 128 characters");
    // INVARIANT (Alpaca's): a client order id is taken for ever by the first order that used it, whatever became of it.
    if (account.clientIds.has(clientOrderId)) throw invalid("client_order_id must be unique");

    if (!qty.isInteger()) {
      if (notFractionable.has(symbol)) throw invalid(`requested asset ${symbol} is not fractionable`);
      if (timeInForce !== "day") throw invalid("fractional orders must be DAY orders");
      if (qty.times(last).lt(1)) throw new AlpacaError(403, 40310000, "cost basis must be >= 1");
    }
    const price = new Decimal(limitPrice ?? last);
    if (side === "buy") {
      const cost = price.times(qty);
      // Open buys hold buying power until they fill or are cancelled.
      const held = state.orders
        .filter((o) => o.keyId === account.key.keyId && o.side === "buy" && OPEN.includes(o.status))
        .reduce((sum, o) => sum.plus(new Decimal(o.limitPrice ?? state.prices.get(o.symbol) ?? 0).times(new Decimal(o.qty).minus(o.filledQty))), new Decimal(0));
      const buyingPower = account.cash.minus(held);
      if (cost.gt(buyingPower)) {
        throw new AlpacaError(403, 40310000, "insufficient buying power", { buying_power: buyingPower.toFixed(2), cost_basis: cost.toFixed(2) });
      }
    } else {
      const available = (account.positions.get(symbol)?.qty ?? new Decimal(0)).minus(
        state.orders
          .filter((o) => o.keyId === account.key.keyId && o.symbol === symbol && o.side === "sell" && OPEN.includes(o.status))
          .reduce((sum, o) => sum.plus(new Decimal(o.qty).minus(o.filledQty)), new Decimal(0)),
      );
      // A cash account cannot sell short: a sell is capped at the shares held and not already offered.
      if (qty.gt(available)) {
        throw new AlpacaError(403, 40310000, `insufficient qty available for order (requested: ${qty.toFixed()}, available: ${available.toFixed()})`, {
          symbol,
          requested: qty.toFixed(),
          available: available.toFixed(),
        });
      }
    }

    account.clientIds.add(clientOrderId);
    const at = now();
    const order: FakeAlpacaOrder = {
      id: randomUUID(),
      clientOrderId,
      symbol,
      side,
      type,
      timeInForce,
      qty: qty.toFixed(),
      limitPrice: limitPrice ?? null,
      filledQty: "0",
      filledAvgPrice: null,
      status: state.clock.isOpen ? "new" : "accepted",
      createdAt: at,
      updatedAt: at,
      filledAt: null,
      canceledAt: null,
      keyId: account.key.keyId,
      ...(fault?.mode === "pending" ? { readsLeft: fault.reads ?? 1 } : {}),
      ...(fault?.mode === "partial" ? { fraction: fault.fraction ?? "0.5" } : {}),
    };
    state.orders.push(order);
    tryFill(order);
    // What Alpaca answers to a POST: the order as accepted (a market order is usually still `new` or `pending_new`
    // in the answer, filled a moment later). Answering its state after the instant fill keeps paper-like speed visible.
    return { status: 200, body: orderJson(order) };
  }

  /** A read of the order: a pending order counts the read and fills once it has been read enough. */
  function read(o: FakeAlpacaOrder) {
    if (o.readsLeft) {
      o.readsLeft--;
      if (o.readsLeft === 0) tryFill(o);
    }
    return orderJson(o);
  }

  const mine = (account: Account) => state.orders.filter((o) => o.keyId === account.key.keyId);

  function positionJson(symbol: string, p: { qty: Decimal; cost: Decimal }) {
    const price = new Decimal(state.prices.get(symbol) ?? 0);
    const value = price.times(p.qty);
    const avg = p.qty.isZero() ? new Decimal(0) : p.cost.div(p.qty);
    return {
      asset_id: `fake-asset-${symbol}`,
      symbol,
      exchange: "NASDAQ",
      asset_class: "us_equity",
      asset_marginable: true,
      qty: p.qty.toFixed(),
      qty_available: p.qty.toFixed(),
      avg_entry_price: avg.toFixed(4),
      side: "long",
      market_value: value.toFixed(2),
      cost_basis: p.cost.toFixed(2),
      unrealized_pl: value.minus(p.cost).toFixed(2),
      unrealized_plpc: p.cost.isZero() ? "0" : value.minus(p.cost).div(p.cost).toFixed(6),
      unrealized_intraday_pl: "0",
      unrealized_intraday_plpc: "0",
      current_price: price.toFixed(2),
      lastday_price: price.toFixed(2),
      change_today: "0",
    };
  }

  type Route = (account: Account, query: Record<string, string>, body: Record<string, unknown>, fault: FakeAlpacaFault | undefined, param: string | undefined) => Reply;

  const routes: { method: string; pattern: RegExp; name: string; handle: Route }[] = [
    {
      method: "GET",
      pattern: /^\/v2\/account$/,
      name: "/v2/account",
      handle: (account) => ({
        status: 200,
        body: {
          id: `fake-account-${account.key.keyId}`,
          account_number: `PA${account.key.keyId.slice(-8)}`,
          status: account.key.status ?? "ACTIVE",
          crypto_status: "INACTIVE",
          currency: "USD",
          cash: account.cash.toFixed(2),
          buying_power: account.cash.toFixed(2),
          regt_buying_power: account.cash.toFixed(2),
          non_marginable_buying_power: account.cash.toFixed(2),
          portfolio_value: [...account.positions.entries()].reduce((v, [s, p]) => v.plus(p.qty.times(state.prices.get(s) ?? 0)), account.cash).toFixed(2),
          equity: account.cash.toFixed(2),
          multiplier: "1",
          shorting_enabled: false,
          pattern_day_trader: false,
          trading_blocked: account.key.tradingBlocked ?? false,
          transfers_blocked: false,
          account_blocked: false,
          trade_suspended_by_user: false,
          created_at: "2024-01-02T15:00:00Z",
        },
      }),
    },
    {
      method: "GET",
      pattern: /^\/v2\/clock$/,
      name: "/v2/clock",
      handle: () => ({
        status: 200,
        body: { timestamp: new Date(now()).toISOString(), is_open: state.clock.isOpen, next_open: state.clock.nextOpen.toISOString(), next_close: state.clock.nextClose.toISOString() },
      }),
    },
    { method: "POST", pattern: /^\/v2\/orders$/, name: "/v2/orders", handle: (account, _q, body, fault) => placeOrder(body, account, fault) },
    {
      method: "GET",
      pattern: /^\/v2\/orders$/,
      name: "/v2/orders",
      handle: (account, query) => {
        const status = query.status ?? "open";
        const symbols = query.symbols ? new Set(query.symbols.split(",")) : undefined;
        const limit = Math.min(Number(query.limit ?? 50), 500);
        const list = mine(account)
          .filter((o) => (status === "all" ? true : status === "open" ? OPEN.includes(o.status) : !OPEN.includes(o.status)))
          .filter((o) => !symbols || symbols.has(o.symbol))
          .slice(-limit)
          .reverse();
        return { status: 200, body: list.map(orderJson) };
      },
    },
    {
      method: "GET",
      pattern: /^\/v2\/orders:by_client_order_id$/,
      name: "/v2/orders:by_client_order_id",
      handle: (account, query) => {
        if (!query.client_order_id) throw invalid("client_order_id is missing");
        const order = mine(account).find((o) => o.clientOrderId === query.client_order_id);
        if (!order) throw new AlpacaError(404, 40410000, "order not found");
        return { status: 200, body: read(order) };
      },
    },
    {
      method: "GET",
      pattern: /^\/v2\/orders\/([^/]+)$/,
      name: "/v2/orders/{id}",
      handle: (account, _q, _b, _f, id) => {
        const order = mine(account).find((o) => o.id === id);
        if (!order) throw new AlpacaError(404, 40410000, "order not found");
        return { status: 200, body: read(order) };
      },
    },
    {
      method: "DELETE",
      pattern: /^\/v2\/orders\/([^/]+)$/,
      name: "/v2/orders/{id}",
      handle: (account, _q, _b, _f, id) => {
        const order = mine(account).find((o) => o.id === id);
        if (!order) throw new AlpacaError(404, 40410000, "order not found");
        if (!OPEN.includes(order.status)) throw new AlpacaError(422, 42210000, "order is not cancelable");
        cancelOrder(order);
        return { status: 204, body: null };
      },
    },
    {
      method: "GET",
      pattern: /^\/v2\/positions$/,
      name: "/v2/positions",
      handle: (account) => ({ status: 200, body: [...account.positions.entries()].map(([s, p]) => positionJson(s, p)) }),
    },
    {
      method: "GET",
      pattern: /^\/v2\/positions\/([^/]+)$/,
      name: "/v2/positions/{symbol}",
      handle: (account, _q, _b, _f, symbol) => {
        const p = account.positions.get(symbol!);
        if (!p) throw new AlpacaError(404, 40410000, "position does not exist");
        return { status: 200, body: positionJson(symbol!, p) };
      },
    },
  ];

  function cancelOrder(order: FakeAlpacaOrder) {
    const at = now();
    order.status = "canceled";
    order.canceledAt = at;
    order.updatedAt = at;
    order.readsLeft = undefined;
  }

  function authenticate(req: http.IncomingMessage): Account {
    const keyId = req.headers["apca-api-key-id"];
    const secret = req.headers["apca-api-secret-key"];
    const account = typeof keyId === "string" ? state.accounts.get(keyId) : undefined;
    if (!account || typeof secret !== "string" || secret !== account.key.secret) throw new AlpacaError(401, 40110000, "request is not authorized");
    return account;
  }

  function takeFault(method: string, path: string, account: Account) {
    const fault = state.faults.find((f) => f.left > 0 && f.path === path && (f.method ?? method) === method && (f.keyId === undefined || f.keyId === account.key.keyId));
    if (fault) fault.left--;
    return fault;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      const raw = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(
        Object.entries(req.headers)
          .filter(([name]) => name !== "apca-api-key-id" && name !== "apca-api-secret-key")
          .map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : String(value)]),
      );
      const keyHeader = req.headers["apca-api-key-id"];
      let body: unknown = null;
      try {
        body = raw === "" ? null : JSON.parse(raw);
      } catch {
        body = raw;
      }
      const query = Object.fromEntries(u.searchParams);
      state.requests.push({ method, path: u.pathname, query, body, headers, keyId: typeof keyHeader === "string" && state.accounts.has(keyHeader) ? keyHeader : undefined });

      // Alpaca's colon route (/v2/orders:by_client_order_id) arrives as is; percent-encoded it would be %3A.
      const path = decodeURIComponent(u.pathname);
      let match: RegExpExecArray | null = null;
      const route = routes.find((r) => r.method === method && (match = r.pattern.exec(path)) !== null);
      if (!route) {
        state.unexpected.push(`${method} ${req.url}`);
        return sendJson(res, 404, { code: 40410000, message: `unexpected request to the fake broker: ${method} ${u.pathname}` });
      }
      try {
        const account = authenticate(req);
        if (raw !== "" && (typeof body !== "object" || body === null || Array.isArray(body))) throw new AlpacaError(400, 40010000, "request body format is invalid");
        const fault = takeFault(method, route.name === "/v2/orders/{id}" ? path : route.name, account) ?? takeFault(method, route.name, account);
        if (fault?.mode === "5xx") return sendJson(res, 500, { code: 50010000, message: "internal server error occurred" });
        const param = (match as RegExpExecArray | null)?.[1];
        const reply = route.handle(account, query, (body ?? {}) as Record<string, unknown>, fault, param === undefined ? undefined : decodeURIComponent(param));
        if (fault?.mode === "accept-then-timeout" || fault?.mode === "drop") {
          // The broker did the work; the answer never arrives.
          const timer = setTimeout(
            () => {
              state.timers.delete(timer);
              req.socket.destroy();
            },
            fault.mode === "drop" ? 0 : (fault.afterMs ?? 1_000),
          );
          state.timers.add(timer);
          return;
        }
        if (reply.status === 204) {
          res.writeHead(204);
          return res.end();
        }
        return sendJson(res, reply.status, reply.body);
      } catch (err) {
        if (err instanceof AlpacaError) return sendJson(res, err.status, { ...err.extra, code: err.code, message: err.message });
        return sendJson(res, 500, { code: 50010000, message: "internal server error occurred" });
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
    setPrice(symbol, price) {
      if (price === undefined) state.prices.delete(symbol);
      else state.prices.set(symbol, price);
    },
    setClock(clock) {
      state.clock = { ...state.clock, ...clock };
      if (state.clock.isOpen) for (const o of state.orders) if (o.status === "accepted") tryFill(o);
    },
    clock: () => ({ ...state.clock }),
    cancel(orderId) {
      const order = state.orders.find((o) => o.id === orderId);
      if (!order || !OPEN.includes(order.status)) throw new Error("no open order with that id on the fake broker");
      cancelOrder(order);
    },
    account(keyId) {
      const account = state.accounts.get(keyId);
      if (!account) throw new Error("no fake account for that key id");
      return { cash: account.cash.toFixed(), positions: Object.fromEntries([...account.positions.entries()].map(([s, p]) => [s, p.qty.toFixed()])) };
    },
    fault(fault) {
      state.faults.push({ ...fault, left: fault.times ?? 1 });
    },
    reset() {
      state.requests = [];
      state.unexpected = [];
      state.orders = [];
      state.faults = [];
      state.prices = new Map(Object.entries(initialPrices));
      state.accounts = newAccounts();
      state.clock = initialClock();
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
    },
    close: () => {
      for (const timer of state.timers) clearTimeout(timer);
      return closeServer(server);
    },
  };
}

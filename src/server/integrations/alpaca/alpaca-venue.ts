/**
 * An Alpaca brokerage account (US stocks) as a serial venue, beside the ccxt one (../exchanges/ccxt-venue.ts) and with
 * the same contract: market DAY orders through the official SDK (`@alpacahq/alpaca-trade-api`, REST entry point),
 * one at a time, under the copy order's venue client order id (../exchanges/venue-id.ts: 32 hex characters, well
 * within Alpaca's 128), so an order is placed at most once however often the connection's job re-drives it.
 *
 * The caller builds the client once per connection (`createAlpacaClient`: paper, live or a local fake broker's URL)
 * and keeps it: the SDK's rate limiter (Alpaca allows ~200 requests a minute per account) lives on it. The SDK
 * retries GETs on 5xx/429/network errors and never retries an order POST on its own (which is why placing is safe
 * here: only this venue and the engine's lookup-first retry decide whether to send again).
 *
 * Market hours. `placeOrder` reads the market clock (GET /v2/clock) before sending. While the market is closed:
 * - an entry on a connection whose follower chose `outsideHours: "skip"` is rejected `market_closed: ...` (with the
 *   next open), nothing sent;
 * - any other order (an entry with `"queue"`, and every exit whatever was chosen: an exit is never skipped) is not
 *   sent either: the answer is a third result, `{ status: "waiting", until, reason }`, and the engine must leave the
 *   order planned and run it again at `until` (the next open). Not sending it to Alpaca's own queue is deliberate: at
 *   the open the engine decides again with what it knows then (the provider may have closed the signal overnight,
 *   the follower may have paused), and a queued market order would fill at whatever the opening auction prints.
 * During market hours a market order normally fills at once; its answer may still say `new`/`accepted`, so the order
 * is read again a few times, briefly. Still not final: `VenueRetryError`, and the retry finds it by its client id.
 * An order found placed but not final while the market is closed (the market closed between the clock read and the
 * order) answers `waiting` until the next open.
 *
 * What can go wrong and what happens:
 * - a quantity that truncates to nothing at 9 decimals, or a fractional one worth less than $1 at the reference
 *   price (Alpaca's floor for fractional orders): rejected `below_minimum` before anything is sent;
 * - Alpaca refuses the order (insufficient buying power, not fractionable, unknown symbol, key refused, account
 *   blocked): rejected with Alpaca's code and message, never retried;
 * - the answer is lost (timeout, dropped connection, 5xx, 429) or Alpaca says the client order id is already used
 *   (422 with code 40010001 and "client_order_id must be unique": Alpaca keeps an id for ever, even after the order
 *   was cancelled): the order is looked up by its client id (GET /v2/orders:by_client_order_id); found, it is the
 *   result (a cancelled one with nothing filled reads as rejected); not found, `VenueRetryError` and the job retries.
 *
 * Fractional quantities: sent as they are (up to 9 decimals, truncated) on market DAY orders, the one kind Alpaca
 * takes them on for every fractionable stock; an asset that is not fractionable refuses them and the order is
 * rejected with Alpaca's message (the follower's sizing must use whole shares there). This venue sends no other order
 * type; were it to send a GTC or stop order, a fractional quantity would be refused by Alpaca the same way.
 *
 * Fees: Alpaca charges no commission on US stocks. The regulatory fees on sells (SEC fee, FINRA TAF) are not on the
 * order: Alpaca books them as account activities (FEE) afterwards. The fill's fee is recorded as 0; reconciliation
 * can read the activities if the ledger is ever to carry them.
 *
 * Symbols: ours for a stock is its ticker ("GOOG"), sometimes with a USD quote ("GOOG/USD"); Alpaca's is the ticker.
 * Any other quote is not a US stock and is rejected `invalid_symbol` (crypto is copied through ccxt exchanges). The
 * symbol alone cannot tell a stock from a USD forex pair ("EUR/USD" reads as "EUR", which Alpaca then refuses as an
 * unknown asset): routing only instruments of market "stocks" to an Alpaca connection is the planner's job.
 */
import "server-only";
import { ApiError, FetchError, trading } from "@alpacahq/alpaca-trade-api/rest";
import Decimal from "decimal.js";
import type { OrderSide } from "@/lib/copy/types";
import { VenueRetryError } from "../exchanges/ccxt-venue";
import type { VenueError } from "../exchanges/errors";
import { venueClientOrderId } from "../exchanges/venue-id";

export const ALPACA_PAPER_URL = "https://paper-api.alpaca.markets";
export const ALPACA_LIVE_URL = "https://api.alpaca.markets";

export type AlpacaEnvironment = "paper" | "live" | "local";
/** What the follower chose for an entry that arrives while the market is closed. */
export type OutsideHoursPolicy = "skip" | "queue";

/**
 * The copy engine's serial venue contract (services/copy/venues.ts), restated as ../exchanges/ccxt-venue.ts does
 * (an integration imports no services), plus what Alpaca needs: the order's leg, and the `waiting` result.
 */
export interface AlpacaOrderRequest {
  /** The copy order's client order id; Alpaca gets `venueClientOrderId` of it. */
  clientOrderId: string;
  /** Our symbol: "GOOG" (or "GOOG/USD"). */
  symbol: string;
  side: OrderSide;
  /** Shares, a decimal string (fractions allowed). */
  quantity: string;
  /** A recent price for the $1 fractional minimum; never sent as the order's price. */
  referencePrice?: string;
  /**
   * The copy order's leg ("entry", "tp", "stop", "close", "manual"). Only "entry" may be skipped outside market
   * hours; any other leg, or none given, waits for the open (an exit must always happen).
   */
  leg?: string;
}

export type AlpacaOrderResult =
  | { status: "filled"; venueOrderId: string; fillPrice: string; fee: string; filledAt: Date; quantity?: string }
  | { status: "rejected"; venueOrderId: string | null; reason: string }
  /** Nothing final yet and nothing to do before `until` (the next market open): run the order again then. */
  | { status: "waiting"; until: Date; reason: string };

export interface AlpacaClientOptions {
  keyId: string;
  secret: string;
  environment: AlpacaEnvironment;
  /** The trading API's base URL: required for "local" (the fake broker's URL); paper and live default to Alpaca's. */
  baseUrl?: string;
  /** Per request (default 10 s): a stalled order POST is then an ambiguous answer, looked up by client id. */
  timeoutMs?: number;
  /** The SDK's backoff base for retried GETs (default 250 ms; tests shorten it). */
  retryDelayMs?: number;
}

/** The SDK's trading APIs one connection uses, sharing one configuration (credentials, limiter, retry). */
export interface AlpacaClient {
  environment: AlpacaEnvironment;
  baseUrl: string;
  orders: trading.OrdersApi;
  clock: trading.ClockApi;
  account: trading.AccountsApi;
  positions: trading.PositionsApi;
}

export function alpacaBaseUrl(environment: AlpacaEnvironment, baseUrl?: string): string {
  if (baseUrl) return baseUrl.replace(/\/+$/, "");
  if (environment === "local") throw new Error("a local Alpaca connection needs the fake broker's base URL");
  return environment === "live" ? ALPACA_LIVE_URL : ALPACA_PAPER_URL;
}

/**
 * One SDK configuration per connection. The raw Api classes (not the `Alpaca` facade) because only they take a
 * `basePath`, which the local fake broker needs; the facade's defaults are restated: retry of safe verbs on, the
 * client-side rate limit on. Credentials are passed explicitly, so the APCA_* environment variables are never read.
 */
export function createAlpacaClient(options: AlpacaClientOptions): AlpacaClient {
  const baseUrl = alpacaBaseUrl(options.environment, options.baseUrl);
  const config = new trading.Configuration({
    basePath: baseUrl,
    keyId: options.keyId,
    secret: options.secret,
    timeoutMs: options.timeoutMs ?? 10_000,
    // GET/HEAD only (the SDK never replays a POST); a 5xx on a lookup is tried 3 times before it reaches us.
    retry: { maxRetries: 2, retryDelayMs: options.retryDelayMs ?? 250, maxDelayMs: 2_000 },
    rateLimit: { maxRequests: 200, intervalMs: 60_000 },
    userAgent: "tradsy",
  });
  return {
    environment: options.environment,
    baseUrl,
    orders: new trading.OrdersApi(config),
    clock: new trading.ClockApi(config),
    account: new trading.AccountsApi(config),
    positions: new trading.PositionsApi(config),
  };
}

/** Alpaca's symbol for ours ("GOOG", "GOOG/USD" → "GOOG"), or null when it cannot be a US stock ticker ("BTC/USDT"). */
export function alpacaSymbol(symbol: string): string | null {
  const s = symbol.trim().toUpperCase();
  const [base, quote, ...rest] = s.split("/");
  if (rest.length || !base || (quote !== undefined && quote !== "USD")) return null;
  // Tickers: letters, with a class after a dot ("BRK.B").
  return /^[A-Z]{1,6}(\.[A-Z]{1,2})?$/.test(base) ? base : null;
}

/** Alpaca keeps every client order id for ever; a second order under one is refused with this code and text. */
const DUPLICATE_CODE = "40010001";
const DUPLICATE_TEXT = /client_order_id must be unique/i;

/**
 * What an SDK error means for an order (../exchanges/errors.ts's kinds). 40010001 is Alpaca's catch-all 422
 * ("us_equity orders not allowed for account" shares it), so only the text makes it a duplicate. The message is
 * Alpaca's own text, cleaned so nothing that looks like a URL, a key id or a long token can reach a row or a log.
 */
export function classifyAlpacaError(err: unknown): VenueError {
  if (err instanceof ApiError) {
    const code = err.code === undefined || err.code === null ? null : String(err.code);
    const message = cleanMessage(err.message) ?? `HTTP ${err.status}`;
    if (err.status === 422 && code === DUPLICATE_CODE && DUPLICATE_TEXT.test(err.message)) return { kind: "duplicate", code, message };
    if (err.status === 404) return { kind: "not_found", code, message };
    if (err.status >= 500 || err.status === 408 || err.status === 429) return { kind: "ambiguous", code: code ?? `HTTP ${err.status}`, message };
    return { kind: "rejected", code: code ?? `HTTP ${err.status}`, message };
  }
  if (err instanceof FetchError) {
    // Never the error's own text: a fetch failure can name the URL. Its cause says timeout or network.
    const cause = err.cause as (Error & { cause?: { code?: unknown } }) | undefined;
    const timedOut = cause?.name === "TimeoutError" || cause?.name === "AbortError";
    const netCode = typeof cause?.cause?.code === "string" ? cause.cause.code : undefined;
    return { kind: "ambiguous", code: null, message: timedOut ? "no answer in time" : `network error${netCode ? ` (${netCode})` : ""}` };
  }
  // Not an SDK error (a bug, an abort outside the SDK): whether the order went out is unknown.
  return { kind: "ambiguous", code: null, message: err instanceof Error ? err.name : "error" };
}

function cleanMessage(message: string): string | null {
  const text = message.trim();
  if (text === "" || /^Response returned an error code/.test(text)) return null;
  // An HTML error page from a proxy, a URL, a key id (PK…/AK…) or anything token-like: not Alpaca's own words.
  if (/<[a-z!]|https?:\/\/|\b[PAC]K[A-Z0-9]{14,}\b|[A-Za-z0-9+/=_-]{40,}/i.test(text)) return null;
  return text.slice(0, 300);
}

const reasonOf = (e: VenueError) => (e.code ? `${e.code}: ${e.message}` : e.message);
const rejected = (reason: string, venueOrderId: string | null = null): AlpacaOrderResult => ({ status: "rejected", venueOrderId, reason });

/**
 * Order statuses after which nothing more fills. `done_for_day` stops for the day, and a DAY order ends with it;
 * `stopped` is not final (a trade is guaranteed but has not happened yet).
 */
const FINAL = new Set(["filled", "canceled", "expired", "rejected", "done_for_day", "replaced"]);

export interface AlpacaVenueOptions {
  client: AlpacaClient;
  outsideHours: OutsideHoursPolicy;
  /** Reads of a just-placed order that is not final yet (default 3). */
  pollAttempts?: number;
  /** Between those reads (default 300 ms). */
  pollDelayMs?: number;
  now?: () => Date;
}

export class AlpacaVenue {
  private readonly client: AlpacaClient;
  private readonly outsideHours: OutsideHoursPolicy;
  private readonly pollAttempts: number;
  private readonly pollDelayMs: number;
  private readonly now: () => Date;

  constructor(options: AlpacaVenueOptions) {
    this.client = options.client;
    this.outsideHours = options.outsideHours;
    this.pollAttempts = options.pollAttempts ?? 3;
    this.pollDelayMs = options.pollDelayMs ?? 300;
    this.now = options.now ?? (() => new Date());
  }

  async placeOrder(request: AlpacaOrderRequest): Promise<AlpacaOrderResult> {
    const venueId = venueClientOrderId(request.clientOrderId);
    const symbol = alpacaSymbol(request.symbol);
    if (!symbol) return rejected(`invalid_symbol: ${request.symbol} is not a US stock ticker Alpaca trades`);
    const qty = sized(request.quantity, request.referencePrice, symbol);
    if (qty.status === "rejected") return qty;

    let clock: trading.LegacyClock;
    try {
      clock = await this.client.clock.legacyClock();
    } catch (err) {
      // Nothing sent yet: a refusal (the key) is final, anything else is retried by the job.
      const e = classifyAlpacaError(err);
      if (e.kind === "rejected") return rejected(reasonOf(e));
      throw new VenueRetryError(e, "reading the market clock");
    }
    if (!clock.isOpen) {
      const opens = clock.nextOpen.toISOString();
      if (request.leg === "entry" && this.outsideHours === "skip") {
        return rejected(`market_closed: the market is closed until ${opens}; this connection skips entries outside market hours`);
      }
      return { status: "waiting", until: clock.nextOpen, reason: `market_closed: the market opens at ${opens}; the order is sent then` };
    }

    let order: trading.Order;
    try {
      order = await this.client.orders.postOrder({
        postOrderRequest: { symbol, qty: qty.amount, side: request.side, type: "market", timeInForce: "day", clientOrderId: venueId },
      });
    } catch (err) {
      const e = classifyAlpacaError(err);
      if (e.kind === "duplicate" || e.kind === "ambiguous") {
        // Already placed, or perhaps placed: Alpaca's record is the answer.
        const found = await this.lookup(request.clientOrderId, request.quantity);
        if (found) return found;
        throw new VenueRetryError(e, `${request.side} ${qty.amount} ${symbol} not confirmed and not found under ${venueId}`);
      }
      return rejected(reasonOf(e));
    }

    for (let i = 0; i < this.pollAttempts && !FINAL.has(String(order.status)); i++) {
      await sleep(this.pollDelayMs);
      try {
        order = await this.client.orders.getOrderByOrderID({ orderId: order.id! });
      } catch (err) {
        // The order exists; reading it failed: the retry finds it by its client id.
        throw new VenueRetryError(classifyAlpacaError(err), `reading ${symbol} order ${order.id}`);
      }
    }
    return this.settle(order, symbol, request.quantity);
  }

  /** The order under this client order id, or null when Alpaca has none (the symbol is not needed: ids are per account). */
  async findOrder(clientOrderId: string, symbol?: string): Promise<AlpacaOrderResult | null> {
    return this.lookup(clientOrderId, undefined, symbol);
  }

  private async lookup(clientOrderId: string, requestedQuantity?: string, symbol?: string): Promise<AlpacaOrderResult | null> {
    const venueId = venueClientOrderId(clientOrderId);
    let order: trading.Order;
    try {
      order = await this.client.orders.getOrderByClientOrderId({ clientOrderId: venueId });
    } catch (err) {
      const e = classifyAlpacaError(err);
      if (e.kind === "not_found") return null;
      throw new VenueRetryError(e, `looking up ${venueId}`);
    }
    return this.settle(order, order.symbol ?? (symbol ? alpacaSymbol(symbol) : null) ?? "order", requestedQuantity);
  }

  /**
   * A placed or found order as the engine records it. Not final: while the market is open the job retries soon
   * (VenueRetryError); while it is closed the order waits for the open (Alpaca fills a queued market DAY order then).
   */
  private async settle(order: trading.Order, symbol: string, requestedQuantity?: string): Promise<AlpacaOrderResult> {
    const venueOrderId = order.id;
    if (!venueOrderId) throw new VenueRetryError({ kind: "ambiguous", code: null, message: "Alpaca answered without an order id" }, `${symbol} order`);
    const status = String(order.status ?? "unknown");
    if (!FINAL.has(status)) {
      let clock: trading.LegacyClock | null = null;
      try {
        clock = await this.client.clock.legacyClock();
      } catch {
        // Unknown whether the market is open: retry soon, as if it were.
      }
      if (clock && !clock.isOpen) {
        return { status: "waiting", until: clock.nextOpen, reason: `market_closed: order ${venueOrderId} is ${status} until the market opens at ${clock.nextOpen.toISOString()}` };
      }
      throw new VenueRetryError({ kind: "ambiguous", code: null, message: `order ${venueOrderId} is ${status}, not finished yet` }, `${symbol} order`);
    }
    const filled = new Decimal(order.filledQty ?? "0");
    if (filled.lte(0)) return rejected(`${status}: Alpaca ${status === "rejected" ? "rejected" : `ended (${status})`} the order with nothing filled`, venueOrderId);
    if (!order.filledAvgPrice) throw new VenueRetryError({ kind: "ambiguous", code: null, message: `order ${venueOrderId} has no fill price` }, `${symbol} order`);
    // Compared with what the engine asked for when known (a quantity truncated to 9 decimals filled less than that).
    const asked = requestedQuantity ?? order.qty;
    const requested = asked ? new Decimal(asked) : null;
    return {
      status: "filled",
      venueOrderId,
      fillPrice: new Decimal(order.filledAvgPrice).toString(),
      // No commission on US stocks; regulatory fees on sells are separate account activities (see the header).
      fee: "0",
      filledAt: order.filledAt ?? order.updatedAt ?? this.now(),
      // What filled when less than asked (cancelled or expired part-way, or truncated); else absent, as the engine expects.
      ...(requested && filled.lt(requested) ? { quantity: filled.toString() } : {}),
    };
  }
}

/**
 * The quantity as Alpaca takes it: at most 9 decimals (truncated, never rounded up: a copy never exceeds its size),
 * and a fractional order worth at least $1 at the reference price.
 */
function sized(quantity: string, referencePrice: string | undefined, symbol: string): { status: "ok"; amount: string } | Extract<AlpacaOrderResult, { status: "rejected" }> {
  let amount: Decimal;
  try {
    amount = new Decimal(quantity).toDecimalPlaces(9, Decimal.ROUND_DOWN);
  } catch {
    return { status: "rejected", venueOrderId: null, reason: `invalid_quantity: ${quantity} is not a number of shares` };
  }
  if (amount.lte(0)) return { status: "rejected", venueOrderId: null, reason: `below_minimum: ${quantity} shares of ${symbol} is less than Alpaca's smallest fraction (0.000000001)` };
  if (!amount.isInteger() && referencePrice) {
    const value = amount.times(referencePrice);
    if (value.lt(1)) {
      return { status: "rejected", venueOrderId: null, reason: `below_minimum: ${amount.toFixed()} shares of ${symbol} at ${referencePrice} is ${value.toFixed(2)} USD, below Alpaca's $1 minimum for fractional orders` };
    }
  }
  return { status: "ok", amount: amount.toFixed() };
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/**
 * What a connection row needs from an Alpaca key check (services/exchanges/connections.ts's CheckOutcome): one
 * private call, GET /v2/account. Alpaca API keys can trade and read but cannot withdraw or transfer money (moving
 * funds needs the account holder in Alpaca's dashboard), so there is no withdraw permission to refuse and no
 * trade-only key to ask for; keys are not IP-restricted on Alpaca.
 */
export interface AlpacaKeyCheck {
  status: "active" | "error";
  /** For people: why the connection cannot be used, or null when it can. Never holds the key or secret. */
  statusReason: string | null;
  permissions: { canTrade: boolean | null; canWithdraw: boolean | null; ipRestricted: boolean | null; checkedVia: string; warnings: string[] } | null;
  wipeCredentials: false;
  /** The account, when Alpaca answered: its number (not secret) and cash, for the connection page. */
  account: { accountNumber: string | null; status: string; currency: string | null; cash: string | null; buyingPower: string | null } | null;
}

export const ALPACA_KEYS_CANNOT_WITHDRAW = "Alpaca API keys can place and read orders but cannot withdraw or transfer funds.";

export async function checkAlpacaKey(client: AlpacaClient): Promise<AlpacaKeyCheck> {
  const where = client.environment === "live" ? "Alpaca (live)" : client.environment === "paper" ? "Alpaca (paper)" : "the local test broker";
  let account: trading.Account;
  try {
    account = await client.account.getAccount();
  } catch (err) {
    const e = classifyAlpacaError(err);
    const said = reasonOf(e);
    return {
      status: "error",
      statusReason:
        e.kind === "ambiguous"
          ? `${where} did not answer (${said}). Try again in a few minutes.`
          : `${where} refused the key (${said}). Check that the key ID and secret were copied whole and belong to the ${client.environment === "live" ? "live" : "paper"} account: paper keys work only on paper, live keys only on live.`,
      permissions: null,
      wipeCredentials: false,
      account: null,
    };
  }
  const status = String(account.status);
  const view = { accountNumber: account.accountNumber ?? null, status, currency: account.currency ?? null, cash: account.cash ?? null, buyingPower: account.buyingPower ?? null };
  const permissions = { canTrade: null as boolean | null, canWithdraw: false, ipRestricted: null, checkedVia: "alpaca:/v2/account", warnings: [] as string[] };
  let problem: string | null = null;
  if (status !== "ACTIVE") problem = `This Alpaca account is not active (status ${status}): finish its approval or funding on Alpaca, then check the connection again.`;
  else if (account.accountBlocked) problem = "This Alpaca account is blocked: contact Alpaca's support, then check the connection again.";
  else if (account.tradingBlocked || account.tradeSuspendedByUser) problem = "Trading is blocked on this Alpaca account (by Alpaca or in its settings): allow trading on Alpaca, then check the connection again.";
  permissions.canTrade = problem === null;
  return { status: problem ? "error" : "active", statusReason: problem, permissions, wipeCredentials: false, account: view };
}

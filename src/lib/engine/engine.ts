/**
 * The strategy engine: one event-driven core for backtests, paper and live. Market events (closed candles) go to the
 * strategy; its order intents pass a risk gate and become orders; orders fill against the following candles; fills
 * open and close trades; trades make positions, P&L and the equity curve. A backtest is a loop over `run()`; a live
 * runner calls `onCandle()` as each candle closes. Both go through the same `step`.
 *
 * Fill semantics (all prices are bar prices; "bar i" is the candle that has just closed):
 * - A strategy decides at the close of bar i, seeing bars 0 … i only (`BarView` throws on a later index).
 * - Market orders fill at the open of bar i + 1 (backtesting.py), plus adverse slippage (`slippageBps`).
 * - Stop orders trigger when the bar trades through the stop (buy: high ≥ stop; sell: low ≤ stop) and fill at the
 *   stop, or at the open when the bar opens beyond it (a gap through the level fills at the open), plus slippage.
 * - Limit orders fill when the bar trades through the limit (buy: low ≤ limit) at the limit, or at the open when it
 *   opens better; no slippage. A stop-limit becomes a limit once its stop trades; when stop and limit are both
 *   reached in one bar and the limit lies beyond the stop, the limit is taken to have traded first (not filled).
 * - A trade's stop-loss and take-profit are contingent orders. Stop before target: when one bar reaches both, the
 *   stop wins (our lifecycle rule, src/lib/lifecycle; backtesting.py queues stop-losses first, with the same effect).
 *   In an entry's own bar see `intrabarEntryExits`.
 * - Each bar processes pending orders in queue order: exits placed by `closePosition` and stop-losses first (they
 *   go to the front), then take-profits and entries in the order placed.
 * - Commission per side: `fixed + |quantity| × price × relative` on every fill, entry and exit.
 * - Sizing: fraction of available margin, fixed quantity, or risk-based (see `SizeSpec`); rounded down to
 *   `quantityStep`. An entry the account cannot pay for is cancelled (recorded as a rejection), as brokers do.
 * - `exclusiveOrders`: a new entry cancels pending entries and closes every open trade at the next open first.
 *   `hedging: false`: an entry against open trades first closes them FIFO, the remainder opens a trade.
 * - Equity at bar i = cash + open trades marked at close i. An account at or below zero closes everything at that
 *   close and stops (every later bar's equity is 0).
 * - Gaps: the engine never invents candles. An order pending across a hole in the data fills at the first bar after
 *   it (at that bar's open for a market order; `gapPolicy: "cancel-entries"` cancels pending entries instead); with
 *   `intervalMs` set each hole is reported in `gaps` and such fills are counted and flagged on their trades.
 * - End of data: `endOfData`.
 *
 * backtesting.py parity: `backtestingPy({...})` (or the `BACKTESTING_PY` preset) reproduces backtesting.py's
 * `Backtest(data, Strategy, cash, commission, margin, hedging, exclusive_orders, finalize_trades)` with
 * `spread=0` and `trade_on_close=False`: whole units, its sizing formula (all available margin by default, in
 * whole units after commission, floor-divided as Python does), commission at entry and again at exit, trades left
 * open at the end, the broker marking open trades at the fill bar's close when sizing. Not reproduced: its
 * list-while-iterating quirks (with several orders pending, `exclusive_orders` cancels every other one; an account
 * out of money closes every other trade), `next()` never being called on the first bar, and a close order whose
 * trade was closed by something else staying listed until its bar comes (here it goes with the trade; either way it
 * does nothing). Its `spread` (applied to entries only) is not modelled: `slippageBps` applies to entries and exits.
 *
 * Speed: a million-bar SmaCross backtest runs in ~36 ms, about 2.6× a hand-written loop (bench/engine.ts). The per-bar
 * path allocates nothing and calls no #private methods (V8 brand-checks them and would not inline them); orders and
 * trades are recycled; the trade log is typed arrays. See the comments where each of these is done.
 */
import { BarStore, BarView } from "./series";
import { REASON_CODE, TradeLog } from "./trade-log";
import type {
  AccountSnapshot,
  Bar,
  BarSeries,
  ClosedTrade,
  EngineConfig,
  EngineResult,
  Gap,
  OpenTrade,
  OrderOptions,
  Rejection,
  SizeSpec,
} from "./types";

/** What a strategy module implements. Instances keep state (indicators): build a fresh one per run. */
export interface Strategy {
  readonly name: string;
  /**
   * Index of the first bar at which all the strategy's indicators have values (SMA(20): 19). Statistics start the
   * buy & hold comparison there, as backtesting.py does. Default 0.
   */
  readonly warmupBars?: number;
  /** Called once per closed bar, after that bar's fills. */
  onBar(ctx: StrategyContext): void;
}

export type OrderTicket = { accepted: true; orderId: number } | { accepted: false; reason: string };

/** Everything a strategy can see and do. Bars are the closed ones only. */
export interface StrategyContext {
  readonly bars: BarView;
  /** Signed units held over all open trades; 0 when flat. */
  readonly positionSize: number;
  /** Cash plus open trades marked at the current close. */
  readonly equity: number;
  readonly openTrades: readonly OpenTrade[];
  readonly pendingOrders: number;
  buy(options?: OrderOptions): OrderTicket;
  sell(options?: OrderOptions): OrderTicket;
  /** Closes `portion` (0 < portion ≤ 1) of every open trade at the next open. */
  closePosition(portion?: number): void;
  /** Cancels pending entries and exits (not stop-losses or take-profits). */
  cancelOrders(): void;
  /** Moves (or with null removes) the stop-loss of every open trade. */
  setStopLoss(price: number | null): void;
  setTakeProfit(price: number | null): void;
}

/** backtesting.py's `_FULL_EQUITY`: `1 − sys.float_info.epsilon`, its default order size. */
export const FULL_EQUITY = 1 - 2 ** -52;

export const DEFAULT_CONFIG: Readonly<EngineConfig> = Object.freeze({
  cash: 10_000,
  commission: { relative: 0, fixed: 0 },
  slippageBps: 0,
  margin: 1,
  quantityStep: 0,
  defaultSize: { fraction: 1 },
  exclusiveOrders: false,
  hedging: false,
  maxOpenTrades: Infinity,
  endOfData: "close-at-last-close",
  sizingMark: "fill",
  intrabarEntryExits: "stop-first",
  intervalMs: null,
  gapPolicy: "fill-after",
  riskGate: null,
});

/** The options that make the engine behave as backtesting.py's `Backtest` (see the module header). */
export const BACKTESTING_PY: Readonly<Partial<EngineConfig>> = Object.freeze({
  quantityStep: 1,
  defaultSize: { fraction: FULL_EQUITY },
  slippageBps: 0,
  margin: 1,
  hedging: false,
  exclusiveOrders: false,
  maxOpenTrades: Infinity,
  endOfData: "leave-open",
  sizingMark: "close",
  intrabarEntryExits: "next-bar",
  intervalMs: null,
  gapPolicy: "fill-after",
  riskGate: null,
});

/** `Backtest(data, S, cash=…, commission=…, margin=…, hedging=…, exclusive_orders=…, finalize_trades=…)`. */
export function backtestingPy(args: {
  cash?: number;
  /** A rate (`.002`) or `[fixed, relative]` as backtesting.py takes it. */
  commission?: number | readonly [number, number];
  margin?: number;
  hedging?: boolean;
  exclusiveOrders?: boolean;
  finalizeTrades?: boolean;
}): EngineConfig {
  const c = args.commission ?? 0;
  return {
    ...DEFAULT_CONFIG,
    ...BACKTESTING_PY,
    cash: args.cash ?? 10_000,
    commission: typeof c === "number" ? { fixed: 0, relative: c } : { fixed: c[0], relative: c[1] },
    margin: args.margin ?? 1,
    hedging: args.hedging ?? false,
    exclusiveOrders: args.exclusiveOrders ?? false,
    endOfData: args.finalizeTrades ? "close-at-last-open" : "leave-open",
  };
}

/** Python's float `a // b` (CPython's float_floor_div), which differs from Math.floor(a / b) when a / b rounds up. */
export function pyFloorDiv(a: number, b: number): number {
  let mod = a % b; // ECMAScript's % on doubles is C's fmod: exact
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) {
    mod += b;
    div -= 1;
  }
  if (div === 0) return 0;
  let floordiv = Math.floor(div);
  if (div - floordiv > 0.5) floordiv += 1;
  return floordiv;
}

/** Python's round() to an integer: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

type OrderKind = "entry" | "close" | "sl" | "tp";

/**
 * A class, not object literals: one hidden class for every order keeps the fill loop monomorphic. Orders are
 * recycled (see `Engine.recycle`): `reset` gives a used one a new identity.
 */
class Order {
  id = 0;
  dir: 1 | -1 = 1;
  kind: OrderKind = "entry";
  placedBar = 0;
  /** Entries: how much. */
  size: SizeSpec | null = null;
  /** Close orders: units to close, and why ("end": the data ended). */
  qty = NaN;
  closeReason: "close" | "end" = "close";
  /** NaN when absent. `stop` is cleared to NaN once it has traded. */
  limit = NaN;
  stop = NaN;
  /** Stop-loss and take-profit orders: their price (kept when `stop` is cleared). */
  level = NaN;
  sl = NaN;
  tp = NaN;
  trade: Trade | null = null;
  tag: string | null = null;
  live = true;

  reset(id: number, dir: 1 | -1, kind: OrderKind, placedBar: number): this {
    this.id = id;
    this.dir = dir;
    this.kind = kind;
    this.placedBar = placedBar;
    this.size = null;
    this.qty = NaN;
    this.closeReason = "close";
    this.limit = NaN;
    this.stop = NaN;
    this.level = NaN;
    this.sl = NaN;
    this.tp = NaN;
    this.trade = null;
    this.tag = null;
    this.live = true;
    return this;
  }
}

/**
 * An open trade. A class whose number fields start as NaN, like Order's: V8 then stores them as doubles from the
 * first trade on, instead of as small integers that turn into doubles at the first fractional size (each such
 * change deoptimises every function that has seen the old layout, on every new run).
 */
class Trade {
  id = 0;
  entryBar = 0;
  /** Signed units. */
  size = NaN;
  entryPrice = NaN;
  /** The price the entry order filled at before slippage: where the bar was when the trade began. */
  entryRef = NaN;
  /** The stop-loss the trade opened with (NaN: none), whatever became of it. */
  initialSl = NaN;
  slOrder: Order | null = null;
  tpOrder: Order | null = null;
  tag: string | null = null;
  /** How the entry filled: at the open (market) or inside the bar (stop, limit). */
  entryIntrabar = false;
  entryWasStopMarket = false;
  acrossGap = false;
  open = true;

  reset(
    id: number,
    entryBar: number,
    size: number,
    entryPrice: number,
    entryRef: number,
    initialSl: number,
    tag: string | null,
    entryIntrabar: boolean,
    entryWasStopMarket: boolean,
    acrossGap: boolean,
  ): this {
    this.id = id;
    this.entryBar = entryBar;
    this.size = size;
    this.entryPrice = entryPrice;
    this.entryRef = entryRef;
    this.initialSl = initialSl;
    this.slOrder = null;
    this.tpOrder = null;
    this.tag = tag;
    this.entryIntrabar = entryIntrabar;
    this.entryWasStopMarket = entryWasStopMarket;
    this.acrossGap = acrossGap;
    this.open = true;
    return this;
  }
}

const isSet = (x: number) => x === x; // not NaN

const { close: CLOSE, stop: STOP, target: TARGET, reversal: REVERSAL, end: END, "out-of-money": OUT_OF_MONEY } = REASON_CODE;

const NO_OPTIONS: OrderOptions = Object.freeze({});

/** Why a size cannot be used, or null. */
function sizeProblem(size: SizeSpec, hasStopLoss: boolean): string | null {
  if ("fraction" in size) {
    if (!(size.fraction > 0 && size.fraction <= 1)) return `size fraction must be in (0, 1], got ${size.fraction}`;
  } else if ("quantity" in size) {
    if (!(size.quantity > 0 && Number.isFinite(size.quantity))) return `size quantity must be positive, got ${size.quantity}`;
  } else {
    if (!(size.risk > 0 && size.risk < 1)) return `risk must be a fraction of equity in (0, 1), got ${size.risk}`;
    if (!hasStopLoss) return "a risk-based size needs a stop-loss (sl) to measure the risk to";
  }
  return null;
}

function badPrice(name: string, v: number | undefined): string | null {
  return v === undefined || (Number.isFinite(v) && v > 0) ? null : `${name} must be a positive price, got ${v}`;
}

/** Array#unshift, without the builtin's slow path: the queue is a handful of orders. */
function toFront(orders: Order[], o: Order): void {
  orders.push(o);
  for (let k = orders.length - 1; k > 0; k--) orders[k] = orders[k - 1]!;
  orders[0] = o;
}

/**
 * Copies the queue into a reused buffer and returns how many it holds (the buffer keeps its capacity: setting an
 * array's length to 0 can free its storage, and every bar with an order would allocate it again).
 */
function snapshot(from: readonly Order[], into: Order[]): number {
  const n = from.length;
  for (let k = 0; k < n; k++) into[k] = from[k]!;
  return n;
}

/** Removes `x` from a short array in place, keeping the order (faster than indexOf + splice for a few elements). */
function remove<T>(a: T[], x: T): boolean {
  const n = a.length;
  let k = 0;
  while (k < n && a[k] !== x) k++;
  if (k === n) return false;
  for (; k < n - 1; k++) a[k] = a[k + 1]!;
  a.pop();
  return true;
}

export class Engine {
  private readonly strategy: Strategy;
  private readonly cfg: EngineConfig;
  private readonly store: BarStore;
  private readonly ctx: Context;
  private readonly leverage: number = NaN;
  private readonly slip: number = NaN;
  /** `cfg.commission`, flattened: read on every fill. */
  private readonly commissionFixed: number = NaN;
  private readonly commissionRel: number = NaN;
  /** A bare buy()/sell() needs no checks: the default size is valid on its own (a risk size needs a stop-loss). */
  private readonly bareOrderValid: boolean = false;
  /** `intervalMs`, 0 for none (read every bar). */
  private readonly intervalMs: number;
  private equity: Float64Array;
  // Money and positions start as NaN so V8 keeps them as doubles from the start (see Trade).
  private cash = NaN;
  private orders: Order[] = [];
  /** Reused copies of the order queue for one bar's pass (orders leave the queue while it is walked). */
  private readonly queue: Order[] = [];
  private readonly queue2: Order[] = [];
  private trades: Trade[] = [];
  private readonly retiredOrders: Order[] = [];
  private readonly freeOrders: Order[] = [];
  private readonly retiredTrades: Trade[] = [];
  private readonly freeTrades: Trade[] = [];
  private readonly log: TradeLog;
  private readonly rejections: Rejection[] = [];
  private readonly gaps: Gap[] = [];
  private filledAcrossGaps = 0;
  private lastGapBar = -1;
  private commissionsPaid = NaN;
  private posSize = NaN;
  private posCost = NaN;
  private nextId = 1;
  private nextTradeId = 1;
  private stoppedAt: number | null = null;
  /** `stoppedAt !== null`. */
  private stopped = false;
  /** Stopped, or gap detection on: the step's rare branches. */
  private unusual = false;
  /**
   * The result once finished, as the array's only element: assigning an object to a field that held null changes
   * the field's type in V8's map, which throws away the optimised code of every engine method at the next run.
   */
  private readonly finished: EngineResult[] = [];

  /**
   * `series` given: a backtest over it (`run()`); omitted: a live engine fed by `onCandle()`.
   * Options not given take `DEFAULT_CONFIG`.
   */
  constructor(strategy: Strategy, config: Partial<EngineConfig> = {}, series?: BarSeries) {
    const cfg: EngineConfig = { ...DEFAULT_CONFIG, ...config };
    if (!(cfg.cash > 0)) throw new RangeError("cash must be above 0");
    if (!(cfg.margin > 0 && cfg.margin <= 1)) throw new RangeError("margin must be in (0, 1]");
    if (!(cfg.quantityStep >= 0)) throw new RangeError("quantityStep must be 0 (any fraction) or positive");
    if (!(cfg.commission.fixed >= 0) || !(cfg.commission.relative > -0.1 && cfg.commission.relative < 0.1)) {
      throw new RangeError("commission: fixed must be ≥ 0 and relative in (−10%, 10%)");
    }
    if (!(cfg.slippageBps >= 0)) throw new RangeError("slippageBps must be ≥ 0");
    if (cfg.intervalMs !== null && !(cfg.intervalMs > 0)) throw new RangeError("intervalMs must be positive or null");
    this.strategy = strategy;
    this.cfg = cfg;
    this.store = new BarStore(series);
    this.log = new TradeLog(series ? Math.min(1 << 16, Math.max(4096, series.length / 16)) : 4096);
    this.leverage = 1 / cfg.margin;
    this.slip = cfg.slippageBps / 10_000;
    this.commissionFixed = cfg.commission.fixed;
    this.commissionRel = cfg.commission.relative;
    const badSize = sizeProblem(cfg.defaultSize, true);
    if (badSize) throw new RangeError(`defaultSize: ${badSize}`);
    this.bareOrderValid = !("risk" in cfg.defaultSize);
    this.intervalMs = cfg.intervalMs ?? 0;
    this.unusual = this.intervalMs !== 0;
    this.cash = cfg.cash;
    this.commissionsPaid = 0;
    this.posSize = 0;
    this.posCost = 0;
    this.equity = new Float64Array(series ? series.length : 256);
    this.ctx = new Context(this, new BarView(this.store));
  }

  /** Runs the whole series (backtest) and returns the result. */
  run(): EngineResult {
    const store = this.store;
    if (!store.fixed) throw new Error("run() needs a series: construct the engine with one, or feed it with onCandle()");
    const n = this.equity.length;
    while (store.length < n) {
      store.length++;
      this.step();
    }
    return this.finish();
  }

  /** Live: one more closed candle. */
  onCandle(bar: Bar): void {
    if (this.finished.length) throw new Error("This engine has finished");
    this.store.append(bar);
    const i = this.store.length - 1;
    if (i >= this.equity.length) {
      const grown = new Float64Array(this.equity.length * 2);
      grown.set(this.equity);
      this.equity = grown;
    }
    this.step();
  }

  /** Applies `endOfData` and returns the result; later calls return the same result. */
  finish(): EngineResult {
    if (this.finished.length) return this.finished[0]!;
    const last = this.store.length - 1;
    if (last >= 0 && this.stoppedAt === null) {
      const mode = this.cfg.endOfData;
      if (mode === "close-at-last-close" && this.trades.length) {
        const price = this.store.close[last]!;
        for (const t of this.trades.slice()) this.closeTrade(t, -t.size, price, last, END, false);
        this.equity[last] = this.markEquity(price);
      } else if (mode === "close-at-last-open" && (this.trades.length || this.orders.length)) {
        // backtesting.py's finalize_trades: close orders for every trade (first trade first in the queue), then its
        // broker runs once more on the last bar, so they and any pending orders fill at that bar's open.
        for (let k = this.trades.length - 1; k >= 0; k--) this.queueClose(this.trades[k]!, 1, last, "end");
        this.processOrders(last);
        const eq = this.markEquity(this.store.close[last]!);
        this.equity[last] = eq;
        if (eq <= 0) this.outOfMoney(last);
      }
    }
    const n = this.store.length;
    const log = this.log;
    const time = this.store.time;
    let trades: ClosedTrade[] | null = null;
    const result = {
      equity: this.equity.length === n ? this.equity : this.equity.slice(0, n),
      trades: [] as ClosedTrade[],
      tradeCount: log.length,
      openTrades: this.trades.map((t) => this.openTrade(t)),
      rejections: this.rejections,
      gaps: this.gaps,
      filledAcrossGaps: this.filledAcrossGaps,
      commissionsPaid: this.commissionsPaid,
      cash: this.cash,
      outOfMoney: this.stoppedAt !== null,
      stoppedAt: this.stoppedAt,
      bars: n,
    };
    // Built from the typed-array log when first read (see trade-log.ts), then kept.
    Object.defineProperty(result, "trades", { enumerable: true, get: () => (trades ??= log.toArray(time)) });
    this.finished.push(result);
    return result;
  }

  // ---- the per-bar step: the hot path ----

  private step(): void {
    const s = this.store;
    const i = s.length - 1;
    // One flag for the rare cases (stopped, gap detection on) keeps the common bar to a single test.
    if (this.unusual) {
      if (this.stopped) {
        this.equity[i] = 0;
        return;
      }
      if (this.intervalMs !== 0 && i > 0) this.checkGap(i);
    }
    if (this.orders.length !== 0) this.processOrders(i);
    const eq = this.cash + (s.close[i]! * this.posSize - this.posCost);
    this.equity[i] = eq;
    if (eq <= 0) {
      this.outOfMoney(i);
      return;
    }
    this.strategy.onBar(this.ctx);
  }

  /**
   * Orders and trades that left the books go back to the free lists, to be reused instead of allocated: a backtest
   * with tens of thousands of trades otherwise spends a good part of its time allocating and collecting them (each
   * number field is a heap box in V8). While a bar's orders are being walked (`inPass`) a removed order may still
   * sit in the queue snapshot ahead, so removals wait in the retired lists until the pass ends; outside a pass they
   * go straight back. No reference to either escapes the engine (strategies see ids and copies).
   */
  private inPass = false;

  private retireOrder(o: Order): void {
    (this.inPass ? this.retiredOrders : this.freeOrders).push(o);
  }

  private retireTrade(t: Trade): void {
    (this.inPass ? this.retiredTrades : this.freeTrades).push(t);
  }

  private recycle(): void {
    const ro = this.retiredOrders;
    while (ro.length !== 0) this.freeOrders.push(ro.pop()!);
    const rt = this.retiredTrades;
    while (rt.length !== 0) this.freeTrades.push(rt.pop()!);
  }

  private newOrder(dir: 1 | -1, kind: OrderKind, bar: number): Order {
    return (this.freeOrders.pop() ?? new Order()).reset(this.nextId++, dir, kind, bar);
  }

  private checkGap(i: number): void {
    const s = this.store;
    const interval = this.intervalMs;
    const dt = s.time[i]! - s.time[i - 1]!;
    if (dt <= interval) return;
    this.gaps.push({ index: i, from: s.time[i - 1]!, to: s.time[i]!, missingBars: Math.max(1, Math.ceil(dt / interval) - 1) });
    this.lastGapBar = i;
    if (this.cfg.gapPolicy === "cancel-entries") {
      for (const o of this.orders.slice()) {
        if (o.kind !== "entry") continue;
        this.removeOrder(o);
        this.rejections.push({ bar: i, side: o.dir > 0 ? "long" : "short", reason: "cancelled: a gap in the data" });
      }
    }
  }

  private outOfMoney(i: number): void {
    const price = this.store.close[i]!;
    for (const t of this.trades.slice()) this.closeTrade(t, -t.size, price, i, OUT_OF_MONEY, false);
    for (const o of this.orders) o.live = false;
    this.orders = [];
    this.cash = 0;
    this.equity.fill(0, i);
    this.stoppedAt = i;
    this.stopped = true;
    this.unusual = true;
  }

  // ---- orders ----

  private processOrders(i: number): void {
    this.inPass = true;
    let opened: Trade[] | null = null;
    const queue = this.queue;
    const count = snapshot(this.orders, queue);
    for (let k = 0; k < count; k++) {
      const order = queue[k]!;
      if (!order.live) continue;
      const trade = this.fill(order, i, null);
      if (trade && (trade.slOrder || trade.tpOrder)) (opened ??= []).push(trade);
    }
    if (opened) this.sameBarExits(opened, i);
    this.inPass = false;
    this.recycle();
  }

  /**
   * A new trade's stop-loss and take-profit in its entry bar. After a market entry (at the open) the whole bar
   * follows the fill: both count, the stop first. After an intrabar entry only the stop can (policy "stop-first"),
   * measured from the entry price; a take-profit only after a stop-market entry whose stop-loss the bar did not
   * touch (price went up through the entry stop, so a high beyond the target came after the entry).
   */
  private sameBarExits(opened: Trade[], i: number): void {
    const high = this.store.high[i]!;
    const low = this.store.low[i]!;
    const queue = this.queue2;
    const count = snapshot(this.orders, queue);
    for (let k = 0; k < count; k++) {
      const order = queue[k]!;
      if (!order.live || (order.kind !== "sl" && order.kind !== "tp")) continue;
      const t = order.trade!;
      if (t.entryBar !== i || !opened.includes(t)) continue;
      if (t.entryIntrabar) {
        const long = t.size > 0;
        const sl = t.slOrder ? t.slOrder.level : NaN;
        const slTouched = isSet(sl) && (long ? low <= sl : high >= sl);
        if (order.kind === "sl" && this.cfg.intrabarEntryExits !== "stop-first") continue;
        if (order.kind === "tp" && (!t.entryWasStopMarket || slTouched)) continue;
      }
      this.fill(order, i, t);
    }
  }

  /**
   * Tries one order against bar i; returns the trade it opened, if any. In the entry bar of `justOpened` the
   * reference price is that trade's entry, not the open. (Bar prices are read here rather than passed in: doubles
   * passed to a call that is not inlined are boxed, and this runs for every pending order on every bar.)
   */
  private fill(order: Order, i: number, justOpened: Trade | null): Trade | null {
    const s = this.store;
    const open = justOpened ? justOpened.entryRef : s.open[i]!;
    const long = order.dir > 0;
    const stop = order.stop;
    const hasStop = isSet(stop);
    const hasLimit = isSet(order.limit);
    // A market order needs only the open; the high and low live in other arrays (other cache lines).
    const high = hasStop || hasLimit ? s.high[i]! : NaN;
    const low = hasStop || hasLimit ? s.low[i]! : NaN;
    if (hasStop) {
      if (!(long ? high >= stop : low <= stop)) return null;
      order.stop = NaN; // a triggered stop-limit is a limit from now on
    }
    let price: number;
    const limit = order.limit;
    if (hasLimit) {
      const limitHit = long ? low <= limit : high >= limit;
      // Stop and limit reached in one bar with the limit beyond the stop: assume the limit traded first, so no fill.
      const limitBeforeStop = limitHit && hasStop && (long ? limit <= stop : limit >= stop);
      if (!limitHit || limitBeforeStop) return null;
      price = long ? Math.min(hasStop ? stop : open, limit) : Math.max(hasStop ? stop : open, limit);
    } else {
      price = open;
      if (hasStop) price = long ? Math.max(price, stop) : Math.min(price, stop);
    }
    const raw = price;
    if (!hasLimit && this.slip !== 0) price *= 1 + order.dir * this.slip;
    const acrossGap = order.placedBar < this.lastGapBar && this.lastGapBar <= i;
    if (acrossGap) this.filledAcrossGaps++;

    if (order.trade) {
      const t = order.trade;
      if (t.open) {
        const units = order.kind === "close" ? Math.min(Math.abs(t.size), order.qty) : Math.abs(t.size);
        const reason = order.kind === "sl" ? STOP : order.kind === "tp" ? TARGET : order.closeReason === "end" ? END : CLOSE;
        this.closeTrade(t, -Math.sign(t.size) * units, price, i, reason, acrossGap);
      }
      this.removeOrder(order);
      return null;
    }
    return this.fillEntry(order, i, price, raw, hasStop || hasLimit, hasStop && !hasLimit, acrossGap);
  }

  private fillEntry(order: Order, i: number, price: number, raw: number, intrabar: boolean, stopMarket: boolean, acrossGap: boolean): Trade | null {
    this.removeOrder(order);
    const cfg = this.cfg;
    const mark = cfg.sizingMark === "close" ? this.store.close[i]! : raw;
    const spec = order.size!;
    const side = order.dir > 0 ? "long" : "short";
    let units: number;
    let unitCost: number;
    let available = this.marginAvailable(mark);
    if ("fraction" in spec) {
      // backtesting.py: int((margin_available * leverage * |size|) // (price + commission(size, price) / |size|))
      unitCost = price + this.commission(spec.fraction, price) / spec.fraction;
      units = this.floorUnits(available * this.leverage * spec.fraction, unitCost);
    } else if ("quantity" in spec) {
      units = this.roundUnits(spec.quantity);
      unitCost = units > 0 ? price + this.commission(units, price) / units : Infinity;
    } else {
      // Units that lose `risk` of equity at the stop-loss, capped at what the margin pays for (fee included).
      const atRisk = this.floorUnits(this.markEquity(mark) * spec.risk, Math.abs(price - order.sl));
      const budget = available * this.leverage - this.commissionFixed;
      const affordable = budget > 0 ? this.floorUnits(budget, price + price * this.commissionRel) : 0;
      units = Math.min(atRisk, affordable);
      unitCost = units > 0 ? price + this.commission(units, price) / units : Infinity;
    }
    if (!(units > 0)) {
      this.rejections.push({ bar: i, side, reason: "insufficient margin for the smallest quantity" });
      return null;
    }
    let need = order.dir * units;
    if (!cfg.hedging && this.trades.length !== 0) {
      // FIFO: close (or reduce) opposite trades first; the rest opens a new trade.
      for (const t of this.trades.slice()) {
        if (t.size > 0 === order.dir > 0) continue;
        if (Math.abs(need) >= Math.abs(t.size)) {
          this.closeTrade(t, -t.size, price, i, REVERSAL, acrossGap);
          need += t.size;
        } else {
          this.closeTrade(t, need, price, i, REVERSAL, acrossGap);
          need = 0;
        }
        if (need === 0) break;
      }
      available = this.marginAvailable(mark); // trades closed: margin freed
    }
    const budget = available * this.leverage;
    // In whole units (backtesting.py) the comparison is exact; with fractional units "everything" is budget / unitCost,
    // whose cost can come out an ulp above the budget, so allow for rounding there.
    const cost = Math.abs(need) * unitCost;
    if (cost > budget && (cfg.quantityStep === 1 || cost > budget * (1 + 1e-12))) {
      this.rejections.push({ bar: i, side, reason: "insufficient margin" });
      return null;
    }
    if (need === 0) return null;
    const trade = (this.freeTrades.pop() ?? new Trade()).reset(this.nextTradeId++, i, need, price, raw, order.sl, order.tag, intrabar, stopMarket, acrossGap);
    this.trades.push(trade);
    this.positionChanged();
    const fee = this.commission(need, price);
    this.cash -= fee;
    this.commissionsPaid += fee;
    if (isSet(order.tp)) this.setContingent(trade, "tp", order.tp);
    if (isSet(order.sl)) this.setContingent(trade, "sl", order.sl);
    return trade;
  }

  /** Closes `size` units (signed against the trade) of `t` at `price`; the whole trade when it is all of it. */
  /** `reason` is a REASON_CODE (a number: a string key would cost a hash lookup per trade). */
  private closeTrade(t: Trade, size: number, price: number, i: number, reason: number, acrossGap: boolean): void {
    const left = t.size + size;
    const closedSize = -size;
    // A part closed off a trade carries no stop-loss or take-profit (backtesting.py's reduced copy); a whole trade does.
    const sl = left === 0 && t.slOrder ? t.slOrder.level : NaN;
    const tp = left === 0 && t.tpOrder ? t.tpOrder.level : NaN;
    if (left === 0) {
      t.open = false;
      remove(this.trades, t);
      this.retireTrade(t);
      // Its stop-loss, take-profit and any close still pending go with it (backtesting.py drops such a close when it
      // comes up; dropping it now matters because the trade object is reused).
      const orders = this.orders;
      for (let k = orders.length - 1; k >= 0; k--) if (orders[k]!.trade === t) this.removeOrder(orders[k]!);
    } else {
      t.size = left; // its stop-loss and take-profit close whatever remains
    }
    this.positionChanged();
    const exitFee = this.commission(closedSize, price);
    const gross = closedSize * (price - t.entryPrice);
    this.cash += gross - exitFee;
    this.commissionsPaid += exitFee;
    // backtesting.py recomputes the entry commission on the closed size (a part of a trade carries its share).
    const commission = exitFee + this.commission(closedSize, t.entryPrice);
    const log = this.log;
    const k = log.append(t.id, t.entryBar, i, reason, acrossGap || t.acrossGap, t.tag);
    log.size[k] = closedSize;
    log.entryPrice[k] = t.entryPrice;
    log.exitPrice[k] = price;
    log.commission[k] = commission; // P&L and return follow from these (TradeLog.toArray)
    if (isSet(sl)) log.sl.set(k, sl);
    if (isSet(tp)) log.tp.set(k, tp);
    if (isSet(t.initialSl)) log.initialSl.set(k, t.initialSl);
  }

  /** Keeps the position sums in backtesting.py's summation order (over open trades, oldest first). */
  private positionChanged(): void {
    let size = 0;
    let cost = 0;
    for (const t of this.trades) {
      size += t.size;
      cost += t.size * t.entryPrice;
    }
    this.posSize = size;
    this.posCost = cost;
  }

  private commission(size: number, price: number): number {
    return this.commissionFixed + Math.abs(size) * price * this.commissionRel;
  }

  private markEquity(mark: number): number {
    return this.cash + (mark * this.posSize - this.posCost);
  }

  /** Equity minus the margin open trades use (backtesting.py's margin_available, after QuantConnect Lean). */
  private marginAvailable(mark: number): number {
    let used = 0;
    for (const t of this.trades) used += (Math.abs(t.size) * mark) / this.leverage;
    return Math.max(0, this.markEquity(mark) - used);
  }

  /** Whole `quantityStep`s of `unitCost` that `budget` buys. */
  private floorUnits(budget: number, unitCost: number): number {
    const step = this.cfg.quantityStep;
    if (step === 1) return pyFloorDiv(budget, unitCost);
    if (step === 0) return budget / unitCost;
    return Math.floor(budget / unitCost / step) * step;
  }

  private roundUnits(q: number): number {
    const step = this.cfg.quantityStep;
    return step === 0 ? q : Math.floor(q / step) * step;
  }

  private removeOrder(o: Order): void {
    if (!o.live) return;
    o.live = false;
    remove(this.orders, o);
    this.retireOrder(o);
    const t = o.trade;
    if (t && t.slOrder === o) t.slOrder = null;
    if (t && t.tpOrder === o) t.tpOrder = null;
  }

  /** An exit order for trade `t`. */
  private exitOrder(t: Trade, kind: OrderKind, bar: number): Order {
    const o = this.newOrder(t.size > 0 ? -1 : 1, kind, bar);
    o.trade = t;
    o.tag = t.tag;
    return o;
  }

  /** A market order closing `portion` of a trade at the next open, queued first (backtesting.py's Trade.close). */
  private queueClose(t: Trade, portion: number, bar: number, why: "close" | "end"): void {
    const step = this.cfg.quantityStep;
    const abs = Math.abs(t.size) * portion;
    const qty = step === 1 ? Math.max(1, roundHalfEven(abs)) : step === 0 ? abs : Math.max(step, Math.round(abs / step) * step);
    const o = this.exitOrder(t, "close", bar);
    o.qty = qty;
    o.closeReason = why;
    toFront(this.orders, o);
  }

  private setContingent(t: Trade, kind: "sl" | "tp", price: number | null): void {
    const existing = kind === "sl" ? t.slOrder : t.tpOrder;
    if (existing) this.removeOrder(existing);
    if (price === null) return;
    const bar = this.store.length - 1;
    const o = this.exitOrder(t, kind, bar);
    o.level = price;
    if (kind === "sl") {
      o.stop = price;
      t.slOrder = o;
      toFront(this.orders, o); // stop-losses go first: stop before target
    } else {
      o.limit = price;
      t.tpOrder = o;
      this.orders.push(o);
    }
  }

  private openTrade(t: Trade): OpenTrade {
    return {
      id: t.id,
      side: t.size > 0 ? "long" : "short",
      size: t.size,
      entryBar: t.entryBar,
      entryTime: this.store.time[t.entryBar]!,
      entryPrice: t.entryPrice,
      sl: t.slOrder ? t.slOrder.level : null,
      tp: t.tpOrder ? t.tpOrder.level : null,
      tag: t.tag,
    };
  }

  // ---- what the strategy context calls (module-internal: Context holds the engine in a private field) ----

  /** @internal */
  _snapshot(): AccountSnapshot {
    const i = this.store.length - 1;
    return {
      bar: i,
      equity: this.markEquity(this.store.close[i]!),
      cash: this.cash,
      positionSize: this.posSize,
      openTrades: this.trades.length,
      pendingOrders: this.orders.length,
    };
  }

  /** @internal */
  _positionSize(): number {
    return this.posSize;
  }

  /** @internal */
  _equity(): number {
    return this.markEquity(this.store.close[this.store.length - 1]!);
  }

  /** @internal */
  _openTrades(): OpenTrade[] {
    return this.trades.map((t) => this.openTrade(t));
  }

  /** @internal */
  _pendingOrders(): number {
    return this.orders.length;
  }

  /** @internal Why the last `_place` refused its order. */
  _refusal = "";

  /**
   * @internal The intent → risk gate → order path of `buy`/`sell`: the new order's id, or 0 when refused (the reason
   * in `_refusal`). A number rather than the ticket: `Context.buy` builds the ticket where V8 inlines it into the
   * strategy, so a strategy that ignores it (most do) allocates nothing per order.
   */
  _place(side: "long" | "short", options: OrderOptions | undefined): number {
    const i = this.store.length - 1;
    let o: OrderOptions = options ?? NO_OPTIONS;
    const invalid = options === undefined && this.bareOrderValid ? null : this.validate(side, o);
    if (invalid !== null) return this.reject(i, side, invalid);
    const cfg = this.cfg;
    if (this.trades.length >= cfg.maxOpenTrades && !cfg.exclusiveOrders) return this.reject(i, side, `at most ${cfg.maxOpenTrades} open trades`);
    if (cfg.riskGate) {
      const decision = cfg.riskGate({ ...o, side, bar: i }, this._snapshot());
      if (!decision.accept) return this.reject(i, side, decision.reason);
      if (decision.intent) {
        o = decision.intent;
        const amended = this.validate(side, o);
        if (amended !== null) return this.reject(i, side, `risk gate amendment: ${amended}`);
      }
    }
    if (cfg.exclusiveOrders) {
      // backtesting.py cancels every pending entry and exit, then queues a full close of each trade at the front. In
      // this mode at most one trade is ever open, so a full close already at the front of the queue (the usual
      // `closePosition(); buy()`) is kept as it is: the same queue, one order fewer.
      const orders = this.orders;
      for (let k = orders.length - 1; k >= 0; k--) {
        const o = orders[k]!;
        if (o.kind === "entry" || (o.kind === "close" && !(k === 0 && this.trades.length === 1 && o.trade === this.trades[0] && o.qty >= Math.abs(o.trade.size)))) {
          this.removeOrder(o);
        }
      }
      for (const t of this.trades) {
        const front = orders[0];
        if (!(front && front.kind === "close" && front.trade === t && this.trades.length === 1)) this.queueClose(t, 1, i, "close");
      }
    }
    const order = this.newOrder(side === "long" ? 1 : -1, "entry", i);
    order.size = o.size ?? cfg.defaultSize;
    order.limit = o.limit ?? NaN;
    order.stop = o.stop ?? NaN;
    order.sl = o.sl ?? NaN;
    order.tp = o.tp ?? NaN;
    order.tag = o.tag ?? null;
    this.orders.push(order);
    return order.id;
  }

  private reject(bar: number, side: "long" | "short", reason: string): 0 {
    this.rejections.push({ bar, side, reason });
    this._refusal = reason;
    return 0;
  }

  /** A person-readable reason the order cannot be placed, or null. */
  private validate(side: "long" | "short", o: OrderOptions): string | null {
    const bad = badPrice("limit", o.limit) ?? badPrice("stop", o.stop) ?? badPrice("sl", o.sl) ?? badPrice("tp", o.tp);
    if (bad !== null) return bad;
    const badSize = sizeProblem(o.size ?? this.cfg.defaultSize, o.sl !== undefined);
    if (badSize !== null) return badSize;
    const ref = o.limit ?? o.stop ?? this.store.close[this.store.length - 1]!;
    if (side === "long" && !((o.sl ?? -Infinity) < ref && ref < (o.tp ?? Infinity))) {
      return `a long needs stop-loss < entry < take-profit (sl ${o.sl ?? "none"}, entry ${ref}, tp ${o.tp ?? "none"})`;
    }
    if (side === "short" && !((o.tp ?? -Infinity) < ref && ref < (o.sl ?? Infinity))) {
      return `a short needs take-profit < entry < stop-loss (tp ${o.tp ?? "none"}, entry ${ref}, sl ${o.sl ?? "none"})`;
    }
    return null;
  }

  /** @internal */
  _closePosition(portion: number): void {
    if (!(portion > 0 && portion <= 1)) throw new RangeError(`portion must be in (0, 1], got ${portion}`);
    const i = this.store.length - 1;
    for (const t of this.trades) this.queueClose(t, portion, i, "close");
  }

  /** @internal */
  _cancelOrders(): void {
    const orders = this.orders;
    for (let k = orders.length - 1; k >= 0; k--) {
      const o = orders[k]!;
      if (o.kind === "entry" || o.kind === "close") this.removeOrder(o);
    }
  }

  /** @internal */
  _setContingentAll(kind: "sl" | "tp", price: number | null): void {
    if (price !== null && !(Number.isFinite(price) && price > 0)) throw new RangeError(`${kind} must be a positive price`);
    for (const t of this.trades) this.setContingent(t, kind, price);
  }
}

/** The strategy's handle: the engine sits in a true private field, so a strategy cannot reach its bars or books. */
class Context implements StrategyContext {
  readonly #engine: Engine;
  readonly bars: BarView;

  constructor(engine: Engine, bars: BarView) {
    this.#engine = engine;
    this.bars = bars;
  }

  get positionSize(): number {
    return this.#engine._positionSize();
  }
  get equity(): number {
    return this.#engine._equity();
  }
  get openTrades(): readonly OpenTrade[] {
    return this.#engine._openTrades();
  }
  get pendingOrders(): number {
    return this.#engine._pendingOrders();
  }
  buy(options?: OrderOptions): OrderTicket {
    const id = this.#engine._place("long", options);
    return id !== 0 ? { accepted: true, orderId: id } : { accepted: false, reason: this.#engine._refusal };
  }
  sell(options?: OrderOptions): OrderTicket {
    const id = this.#engine._place("short", options);
    return id !== 0 ? { accepted: true, orderId: id } : { accepted: false, reason: this.#engine._refusal };
  }
  closePosition(portion = 1): void {
    this.#engine._closePosition(portion);
  }
  cancelOrders(): void {
    this.#engine._cancelOrders();
  }
  setStopLoss(price: number | null): void {
    this.#engine._setContingentAll("sl", price);
  }
  setTakeProfit(price: number | null): void {
    this.#engine._setContingentAll("tp", price);
  }
}

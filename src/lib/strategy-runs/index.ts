/**
 * Running a strategy live (issue 19, "run live as an automated provider"): the pure parts shared by the live loop,
 * its tests and the pages. The live loop drives the same Engine as a backtest; this module wraps the strategy so the
 * loop learns what it asked for at each closed candle (its intents), names each intent for idempotency, and turns
 * the entries of one bar into the fields of one signal.
 */
import type { OpenTrade, OrderOptions, OrderTicket, Strategy, StrategyContext } from "@/lib/engine";
import type { Timeframe } from "@/lib/market-data/types";

/** Length of a candle of each timeframe the market data offers, in ms. */
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = { "1m": 60_000, "1h": 3_600_000, "1d": 86_400_000 };

/** Default incubation: the run publishes live and builds its record, unlisted and closed to subscribers. */
export const INCUBATION_DAYS = 30;

/**
 * The first instant a run's candles count as live: the candle that had closed last when the run started is its first
 * live one (its decision is made at the start, at the start's prices: a run acts at once instead of waiting up to a
 * whole candle), and everything before it only warms the indicators. With candles every `tf` ms, the open times
 * after `startedAt - 2·tf` and at or before `startedAt - tf` hold exactly that one candle.
 */
export function liveFrom(startedAt: Date, tf: number): number {
  return startedAt.getTime() - 2 * tf + 1;
}

/** History before the run's start given to the strategy to warm its indicators (never to publish), in bars. */
export function warmupBarsFor(strategy: Pick<Strategy, "warmupBars">): number {
  return Math.max(250, 2 * (strategy.warmupBars ?? 0) + 50);
}

export interface EntryIntent {
  side: "long" | "short";
  sl: number | null;
  tp: number | null;
}

/** What the strategy asked for at the close of one bar. */
export interface BarIntents {
  /** It closed (all or part of) its position. */
  exit: boolean;
  /** Entries the engine accepted, in the order placed (several legs for rules with targets). */
  entries: EntryIntent[];
  /** Entries refused, with the reason (the live loop's gate: warm-up, not published, a limit). */
  refused: { side: "long" | "short"; reason: string }[];
  /** The stop-loss it moved its open trades to (the last move of the bar), if it moved one. */
  stop: number | null;
}

const emptyIntents = (): BarIntents => ({ exit: false, entries: [], refused: [], stop: null });

/** Forwards everything to the engine's context and notes the intents (the strategy still sees only closed bars). */
class RecordingContext implements StrategyContext {
  constructor(
    private readonly inner: StrategyContext,
    private readonly out: BarIntents,
  ) {}
  get bars() {
    return this.inner.bars;
  }
  get positionSize(): number {
    return this.inner.positionSize;
  }
  get equity(): number {
    return this.inner.equity;
  }
  get openTrades(): readonly OpenTrade[] {
    return this.inner.openTrades;
  }
  get pendingOrders(): number {
    return this.inner.pendingOrders;
  }
  private note(side: "long" | "short", o: OrderOptions | undefined, ticket: OrderTicket): OrderTicket {
    if (ticket.accepted) this.out.entries.push({ side, sl: o?.sl ?? null, tp: o?.tp ?? null });
    else this.out.refused.push({ side, reason: ticket.reason });
    return ticket;
  }
  buy(options?: OrderOptions): OrderTicket {
    return this.note("long", options, this.inner.buy(options));
  }
  sell(options?: OrderOptions): OrderTicket {
    return this.note("short", options, this.inner.sell(options));
  }
  closePosition(portion?: number): void {
    this.inner.closePosition(portion);
    this.out.exit = true;
  }
  cancelOrders(): void {
    this.inner.cancelOrders();
  }
  setStopLoss(price: number | null): void {
    this.inner.setStopLoss(price);
    if (price !== null && this.inner.openTrades.length) this.out.stop = price;
  }
  setTakeProfit(price: number | null): void {
    this.inner.setTakeProfit(price);
  }
}

/**
 * Wraps a strategy so each bar's intents can be read after `engine.onCandle` (`take()` returns and resets them).
 * The wrapped strategy is the one a backtest runs: same decisions, same engine.
 */
export function recordIntents(inner: Strategy): { strategy: Strategy; take(): BarIntents } {
  let current = emptyIntents();
  const strategy: Strategy = {
    name: inner.name,
    warmupBars: inner.warmupBars ?? 0,
    onBar(ctx) {
      inner.onBar(new RecordingContext(ctx, current));
    },
  };
  return {
    strategy,
    take() {
      const out = current;
      current = emptyIntents();
      return out;
    },
  };
}

/** The idempotency key of a run's entry on one side at one candle: a retried tick finds it and publishes nothing. */
export function intentKey(runId: string, candleOpenTime: number, side: "long" | "short"): string {
  return `${runId}:${candleOpenTime}:${side}`;
}

/** A price as the publish schema takes it (at most 12 decimals and 12 integer digits), or null when it is none. */
export function priceText(x: number | null): string | null {
  if (x === null || !Number.isFinite(x) || !(x > 0) || x >= 1e12) return null;
  const fixed = x.toFixed(x >= 1 ? 8 : 12).replace(/0+$/, "").replace(/\.$/, "");
  return /^\d{1,12}(\.\d{1,12})?$/.test(fixed) && Number(fixed) > 0 ? fixed : null;
}

export interface SignalLevels {
  side: "long" | "short";
  stopLoss?: string;
  takeProfits: { price: string; share: string }[];
}

/**
 * The signal one bar's entries on one side make: the first stop-loss given, and each leg's take-profit with its
 * share of the position (`shares`, from the rules' targets in order; equal parts when unknown). At most 3 targets
 * (the publish schema's limit), shares rounded down to 4 decimals so they never add up to more than 1.
 */
export function signalLevels(entries: readonly EntryIntent[], shares: readonly number[] = []): SignalLevels | null {
  if (!entries.length) return null;
  const side = entries[0]!.side;
  const same = entries.filter((e) => e.side === side);
  const sl = priceText(same.find((e) => e.sl !== null)?.sl ?? null);
  const legs = same.filter((e) => priceText(e.tp) !== null);
  const takeProfits: { price: string; share: string }[] = [];
  const seen = new Set<string>();
  legs.slice(0, 3).forEach((leg, i) => {
    const price = priceText(leg.tp)!;
    if (seen.has(price)) return;
    seen.add(price);
    const share = shares[i] ?? 1 / same.length;
    const rounded = Math.floor(share * 10_000) / 10_000;
    if (rounded > 0) takeProfits.push({ price, share: String(rounded) });
  });
  return { side, ...(sl ? { stopLoss: sl } : {}), takeProfits };
}

/** The start of the UTC day of `at`. */
export function utcDayStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** Whether a provider is still incubating (hidden from the marketplace, closed to subscribers) at `now`. */
export function isIncubating(provider: { listedFrom: Date | null }, now: Date): boolean {
  return provider.listedFrom !== null && provider.listedFrom.getTime() > now.getTime();
}

/** Why an incubating provider takes no subscriber or follower yet. */
export function incubatingMessage(name: string, until: Date): string {
  return `${name} is an automated strategy still incubating until ${until.toISOString().slice(0, 10)}: it builds its live record first and takes no subscribers before then`;
}

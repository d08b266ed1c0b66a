/**
 * The copy planner's inputs and outputs. Pure data: prices, quantities and shares are decimal strings; times are
 * ms since epoch. The server loads these from the database and the market-data adapter; the planner decides.
 */

export type SizingMode = "fixed" | "allocation" | "risk" | "mirror";
export type CopyLeg = "entry" | "tp" | "stop" | "close" | "manual";
export type OrderSide = "buy" | "sell";

/** The signal as the planner sees it (its state when the leg's event was recorded). */
export interface PlanSignal {
  id: string;
  symbol: string;
  side: "long" | "short";
  entryType: "market" | "limit";
  /** The provider's entry (limit price, or the market price it was checked against). */
  entryPrice: string;
  stopLoss: string | null;
  /** ms: publication time; an entry's age counts from it. */
  publishedAt: number;
  status: "pending" | "open" | "closed" | "cancelled" | "expired";
}

/**
 * What the signal event asks of a follower: enter, or close a share of the position's first-filled quantity
 * ("share" of the original size, as the signal's partial closes are), or all that remains.
 */
export type PlanLeg =
  | { kind: "entry"; seq: number; at: number }
  | { kind: "exit"; leg: Exclude<CopyLeg, "entry">; seq: number; at: number; price: string; share: string | "all" };

export interface PlanSettings {
  enabled: boolean;
  /** A risk pause or kill switch on this following: "copy_stop", "kill_switch", "provider_stopped", "paused". */
  pausedReason: string | null;
  allocationPct: string;
  /** Amount set aside when copying started; null: equity × allocationPct now. */
  allocatedAmount: string | null;
  sizingMode: SizingMode;
  fixedAmount: string;
  allocationShare: string;
  riskPct: string;
  scale: string;
  maxPositionPct: string;
  maxOpenPositions: number;
  dailyLossPct: string | null;
  copyStopPct: string | null;
  maxSlippagePct: string;
  maxSignalAgeSec: number;
  symbolsAllow: string[];
  symbolsDeny: string[];
  copyOpenSignals: boolean;
  /** ms: when copying was last turned on (signals published before are entered only with copyOpenSignals). */
  startedAt: number | null;
}

export interface PlanAccount {
  /** Cash + open P&L, in the quote currency. */
  equity: string;
  /** Equity at 00:00 UTC today (the daily loss limit's base). */
  dayStartEquity: string;
  /** This following's open positions. */
  openPositions: number;
  /** This following's realised + open P&L since copying started (the copy stop-loss's measure). */
  providerPnl: string;
  /** The follower may still get entries from this provider: entitled subscription, free claim, or owner. */
  entitled: boolean;
  /** Platform or provider kill switch: no new entries. */
  killSwitch: "platform" | "provider" | null;
  /** The follower's position in this signal, if any (exits close a share of `initialQuantity`). */
  position: { quantity: string; initialQuantity: string; side: "long" | "short" } | null;
}

export interface PlanMarket {
  /** The price a market order would be filled at before slippage (the current price for entries). */
  price: string;
  /** Modelled slippage in basis points for this symbol (a few bps). */
  slippageBps: string;
  /** Quantity step (0.00001) and minimums. */
  quantityStep: string;
  minQuantity: string;
  minNotional: string;
  /** ms: now. */
  now: number;
}

export type SkipReason =
  | "copying_off"
  | "paused"
  | "kill_switch"
  | "not_entitled"
  | "signal_finished"
  | "signal_too_old"
  | "opened_before_following"
  | "symbol_not_allowed"
  | "symbol_denied"
  | "max_open_positions"
  | "daily_loss_limit"
  | "copy_stop_loss"
  | "slippage_exceeded"
  | "no_stop_for_risk_sizing"
  | "stop_on_wrong_side"
  | "below_minimum"
  | "no_position"
  | "already_applied";

export type PlanDecision =
  | { action: "skip"; reason: SkipReason; detail: string }
  | {
      action: "order";
      leg: CopyLeg;
      side: OrderSide;
      quantity: string;
      orderType: "market" | "limit";
      limitPrice?: string;
      /** The provider's price for this leg. */
      requestedPrice: string;
      /** The modelled fill (market orders): price moved against the follower by the slippage. */
      expectedPrice: string;
      /** For entries, the notional and the loss if the signal's stop is hit (null without a stop). */
      notional: string;
      riskAmount: string | null;
    };

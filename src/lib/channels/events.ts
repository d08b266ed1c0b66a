/**
 * The events notification channels carry (Discord, Telegram, outbound webhooks), in one shape every formatter reads,
 * with the event types' names and labels the settings forms offer. Pure types and constants: the server builds
 * events (services/channels), integrations format them, pages list the choices.
 *
 * INVARIANT: an open signal's market, side and levels are in an event only when the destination is entitled to them
 * (`signalEvent` is the one place that decides, from `entitled`); a finished signal's market, side and result are
 * public (the track record), its prices still only for entitled destinations, as email does. Formatters print what
 * the event holds and never look anything up, so nothing they do can leak a level.
 */

export const SIGNAL_EVENT_TYPES = ["signal.published", "signal.updated", "signal.closed"] as const;
export const COPY_EVENT_TYPES = ["copy.filled", "copy.skipped", "copy.rejected", "copy.risk_paused"] as const;
export const CHANNEL_EVENT_TYPES = [...SIGNAL_EVENT_TYPES, ...COPY_EVENT_TYPES] as const;
export type SignalEventType = (typeof SIGNAL_EVENT_TYPES)[number];
export type CopyEventType = (typeof COPY_EVENT_TYPES)[number];
export type ChannelEventType = (typeof CHANNEL_EVENT_TYPES)[number];

/** What each event type is called on pages. */
export const CHANNEL_EVENT_LABEL: Record<ChannelEventType, string> = {
  "signal.published": "New signals",
  "signal.updated": "Signal changes (stop moved, target hit, partial close)",
  "signal.closed": "Signals closed, with the result",
  "copy.filled": "Your copied orders filled",
  "copy.skipped": "Your copies skipped",
  "copy.rejected": "Your copied orders refused",
  "copy.risk_paused": "Copying paused by your risk limits",
};

/** Events a new destination receives unless its owner chooses otherwise. */
export const DEFAULT_CHANNEL_EVENTS: readonly ChannelEventType[] = ["signal.published", "signal.closed", "copy.rejected", "copy.risk_paused"];

export interface ProviderRef {
  id: string;
  slug: string;
  name: string;
}

/** Prices are decimal strings exactly as stored (never floats). */
export interface SignalLevels {
  entryType: "market" | "limit";
  entryPrice: string;
  stopLoss: string | null;
  takeProfits: { price: string; share: string }[];
  /** Set once filled. */
  fillPrice: string | null;
  /** Set once closed (size-weighted over every leg). */
  exitPrice: string | null;
}

export interface SignalEventData {
  provider: ProviderRef;
  /** Whether the destination may see the open levels (an entitled subscriber, or a community channel that chose to). */
  entitled: boolean;
  signal: {
    id: string;
    /** The provider's signal number (#12). */
    number: number;
    status: "pending" | "open" | "closed" | "cancelled" | "expired";
    publishedAt: string;
    closedAt: string | null;
    /** Present when entitled, or once the signal has ended (public track record). */
    symbol?: string;
    side?: "long" | "short";
    /** Present only when entitled. */
    levels?: SignalLevels;
    /** signal.updated: the chain entry kind that changed it (stop_moved, target_hit, …). */
    change?: string;
    /** signal.closed: how it ended, and the track record's result after fees (decimal strings: 0.0123 = +1.23%). */
    exitReason?: string | null;
    resultPct?: string | null;
    resultR?: string | null;
  };
  /** The provider's page, where the signal is listed (the link back). */
  url: string;
}

export interface CopyOrderData {
  id: string;
  /** "paper" or the follower's exchange connection id, and its name for people. */
  venue: string;
  venueName: string;
  symbol: string;
  side: "buy" | "sell";
  /** entry, tp, stop, close, manual. */
  leg: string;
  quantity: string;
  fillPrice: string | null;
  fee: string | null;
  /** Skipped or refused: why, in words. */
  reason: string | null;
}

export interface CopyEventData {
  provider: ProviderRef | null;
  signalNumber: number | null;
  order: CopyOrderData;
  url: string;
}

export interface RiskPausedData {
  provider: ProviderRef;
  reason: "daily_loss_limit" | "copy_stop_loss";
  url: string;
}

interface EventBase<T extends string, D> {
  /** evt_…: the same for every destination and redelivery of this event. */
  id: string;
  type: T;
  /** ISO-8601 UTC. */
  occurredAt: string;
  data: D;
}

export type ChannelEvent =
  | EventBase<SignalEventType, SignalEventData>
  | EventBase<"copy.filled" | "copy.skipped" | "copy.rejected", CopyEventData>
  | EventBase<"copy.risk_paused", RiskPausedData>
  /** "Send a test message" from the destination's page. */
  | EventBase<"test", { message: string; url: string }>;

/** Events a community channel may carry: the provider's own signals (copies are private to each follower). */
export const COMMUNITY_EVENT_TYPES: readonly ChannelEventType[] = SIGNAL_EVENT_TYPES;

import "server-only";
import { boolean, index, integer, jsonb, numeric, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { providers } from "./providers";

export const signalSide = pgEnum("signal_side", ["long", "short"]);
export const entryType = pgEnum("entry_type", ["market", "limit"]);
export const signalStatus = pgEnum("signal_status", ["pending", "open", "closed", "cancelled", "expired"]);
/** A finished signal: its levels and instrument are public; before that only entitled viewers see them. */
export const FINISHED_SIGNAL_STATUSES = ["closed", "cancelled", "expired"] as const;
export const signalSource = pgEnum("signal_source", ["ui", "api", "tradingview", "demo", "strategy"]);
export const signalEventKind = pgEnum("signal_event_kind", [
  "published",
  "filled",
  "stop_moved",
  "partial_close",
  "closed",
  "cancelled",
  "expired",
]);

export type SignalSide = (typeof signalSide.enumValues)[number];
export type SignalStatus = (typeof signalStatus.enumValues)[number];
export type SignalEventKind = (typeof signalEventKind.enumValues)[number];

/** A take-profit level: price as a decimal string, share of the original size closed there (0..1, decimal string). */
export interface TakeProfitLevel {
  price: string;
  share: string;
}

/**
 * Current state of each signal: a projection of its events (which are the record). Immutable fields are set at
 * publication; the lifecycle fields move only by appending an event in the same transaction.
 */
export const signals = pgTable(
  "signals",
  {
    id: prefixedId("sig"),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    /** Per-provider signal number, 1, 2, 3… */
    number: integer().notNull(),
    symbol: text().notNull(),
    side: signalSide().notNull(),
    entryType: entryType().notNull(),
    /** Limit price, or the market price the entry was checked against. */
    entryPrice: numeric().notNull(),
    /** Initial stop (for R); the current one is `stopLoss`. */
    initialStop: numeric(),
    stopLoss: numeric(),
    takeProfits: jsonb().$type<TakeProfitLevel[]>().notNull().default([]),
    note: text().notNull().default(""),
    source: signalSource().notNull(),
    status: signalStatus().notNull(),
    idempotencyKey: text(),
    publishedAt: tstz().notNull(),
    expiresAt: tstz(),
    filledAt: tstz(),
    fillPrice: numeric(),
    /** Share of the original size still open (1 → 0). */
    remaining: numeric().notNull().default("1"),
    /** Levels already hit, by index into takeProfits. */
    targetsHit: integer().array().notNull().default([]),
    closedAt: tstz(),
    /**
     * Candles opening before this instant have been applied (or predate a manual change) and are never applied
     * again, so re-running the monitor cannot repeat an event or judge a moved stop by older prices.
     */
    checkedUntil: tstz(),
    /** Size-weighted average exit price over all legs. */
    exitPrice: numeric(),
    exitReason: text(),
    /** Signal return r after fees (decimal string, 0.0123 = +1.23%) and R multiple, set on close. */
    resultPct: numeric(),
    resultR: numeric(),
    /** Hash of the `published` chain entry. */
    prevHash: text().notNull(),
    hash: text().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("signals_provider_id_number_idx").on(t.providerId, t.number),
    uniqueIndex("signals_provider_id_idempotency_key_idx").on(t.providerId, t.idempotencyKey),
    index("signals_provider_id_status_idx").on(t.providerId, t.status),
    index("signals_status_idx").on(t.status),
    index("signals_provider_id_closed_at_idx").on(t.providerId, t.closedAt),
    // The marketplace search by instrument: the distinct symbols by a loose index scan, then one probe per provider.
    index("signals_symbol_provider_id_idx").on(t.symbol, t.providerId),
  ],
);

/**
 * The append-only, hash-chained record. One chain per provider over all its signals' events, ordered by `seq`.
 * `hash = sha256hex(JCS({ seq, kind, signalId, at, data, nonce, prevHash }))`.
 */
export const signalEvents = pgTable(
  "signal_events",
  {
    id: prefixedId("sev"),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    signalId: text()
      .notNull()
      .references(() => signals.id, { onDelete: "cascade" }),
    seq: integer().notNull(),
    kind: signalEventKind().notNull(),
    /** ISO-8601 UTC exactly as hashed. */
    at: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    nonce: text().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // INVARIANT: one entry per position in a provider's chain: concurrent appends cannot fork it.
    uniqueIndex("signal_events_provider_id_seq_idx").on(t.providerId, t.seq),
    index("signal_events_signal_id_idx").on(t.signalId),
  ],
);

export interface StoredCurve {
  equity: { time: string; value: string }[];
  drawdown: { time: string; value: string }[];
  finalEquity: string;
  maxDrawdown: string;
}

export const statsWindow = pgEnum("stats_window", ["30d", "90d", "1y", "all"]);
export type StatsWindow = (typeof statsWindow.enumValues)[number];

/** Track-record figures per provider and window, recomputed when a signal closes (src/lib/stats). */
export const providerStats = pgTable(
  "provider_stats",
  {
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    window: statsWindow().notNull(),
    closedSignals: integer().notNull(),
    wins: integer().notNull(),
    roi: numeric().notNull(),
    winRate: numeric().notNull(),
    profitFactor: numeric(),
    maxDrawdown: numeric().notNull(),
    sharpe: numeric(),
    sortino: numeric(),
    expectancy: numeric().notNull(),
    avgR: numeric(),
    avgHoldHours: numeric().notNull(),
    /** Risk-adjusted ranking score; null until ranked. */
    score: numeric(),
    ranked: boolean().notNull(),
    firstSignalAt: tstz(),
    /** The window's equity and drawdown curve at roll-up time (day-end points), so profile pages never recompute. */
    curve: jsonb().$type<StoredCurve>(),
    computedAt: tstz().notNull(),
  },
  (t) => [
    uniqueIndex("provider_stats_provider_id_window_idx").on(t.providerId, t.window),
    index("provider_stats_window_score_idx").on(t.window, t.score),
  ],
);

/**
 * Webhook deliveries already handled, per provider and idempotency key (TradingView re-sends on errors and users
 * fire the same alert twice): a repeat answers with the stored result and changes nothing.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    key: text().notNull(),
    status: integer().notNull(),
    response: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("webhook_deliveries_provider_id_key_idx").on(t.providerId, t.key), index("webhook_deliveries_created_at_idx").on(t.createdAt)],
);

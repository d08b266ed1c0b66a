import "server-only";
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, numeric, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { providers } from "./providers";
import { signalEventKind, signals } from "./signals";
import { subscriptions } from "./subscriptions";
import { users } from "./users";

/**
 * Copy trading: a follower's settings per provider, the paper account, the fan-out outbox, copy orders (one per
 * signal event, follower and leg, by a deterministic client order id) and the positions they open and close.
 * Quantities and money are numeric (decimal strings in TypeScript), never floats.
 */

export const sizingMode = pgEnum("copy_sizing_mode", ["fixed", "allocation", "risk", "mirror"]);
export type SizingMode = (typeof sizingMode.enumValues)[number];

/** How a following stands: active, paused by the follower, or paused by a risk rule / kill switch (with the reason). */
export const copySettings = pgTable(
  "copy_settings",
  {
    id: prefixedId("cps"),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    /** The subscription this following copies under; null for the free tier (claimPaperCopy counts those). */
    subscriptionId: text().references(() => subscriptions.id, { onDelete: "set null" }),
    enabled: boolean().notNull().default(false),
    /** "paper", or (next issue) an exchange connection id. */
    venue: text().notNull().default("paper"),
    /** Share of the account's equity set aside for this provider (0.10 = 10%). */
    allocationPct: numeric().notNull().default("0.1"),
    /** The amount allocated when copying was turned on (equity × allocationPct then): the copy stop-loss's base. */
    allocatedAmount: numeric(),
    sizingMode: sizingMode().notNull().default("allocation"),
    /** Quote amount per entry for "fixed". */
    fixedAmount: numeric().notNull().default("100"),
    /** Share of the allocation per entry for "allocation" (0.2 = 20%). */
    allocationShare: numeric().notNull().default("0.2"),
    /** Share of equity lost if the stop is hit, for "risk" (0.01 = 1%). */
    riskPct: numeric().notNull().default("0.01"),
    scale: numeric().notNull().default("1"),
    maxPositionPct: numeric().notNull().default("0.1"),
    maxOpenPositions: integer().notNull().default(5),
    /** Share of start-of-day equity (0.05 = 5%); null: no limit. */
    dailyLossPct: numeric().default("0.05"),
    /** Provider equity floor as a share of the allocated amount (0.05–0.95); null: no copy stop-loss. */
    copyStopPct: numeric(),
    maxSlippagePct: numeric().notNull().default("0.005"),
    maxSignalAgeSec: integer().notNull().default(120),
    symbolsAllow: text().array().notNull().default([]),
    symbolsDeny: text().array().notNull().default([]),
    copyOpenSignals: boolean().notNull().default(false),
    /** Set when a risk rule or a kill switch paused this following: "copy_stop", "kill_switch", "provider_stopped". */
    pausedReason: text(),
    pausedAt: tstz(),
    /** When copying was last turned on: signals published before it are not entered unless copyOpenSignals. */
    startedAt: tstz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("copy_settings_user_id_provider_id_idx").on(t.userId, t.providerId),
    // The fan-out's page query: a provider's enabled followers, keyset by id.
    index("copy_settings_provider_id_enabled_id_idx").on(t.providerId, t.id).where(sql`enabled`),
    index("copy_settings_subscription_id_idx").on(t.subscriptionId),
  ],
);

/** One paper account per user. `balance` is cash: start + realised P&L − fees; equity adds open positions' P&L. */
export const paperAccounts = pgTable("paper_accounts", {
  id: prefixedId("ppa"),
  userId: text()
    .notNull()
    .unique("paper_accounts_user_id_idx")
    .references(() => users.id, { onDelete: "cascade" }),
  currency: text().notNull().default("USDT"),
  startingBalance: numeric().notNull().default("10000"),
  balance: numeric().notNull().default("10000"),
  /** The UTC day `dayStartEquity` belongs to (YYYY-MM-DD), for the daily loss limit. */
  day: text(),
  dayStartEquity: numeric(),
  resets: integer().notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Every reset of a paper account, so returns stay honest: what the account held before and after. */
export const paperAccountResets = pgTable(
  "paper_account_resets",
  {
    id: prefixedId("ppr"),
    accountId: text()
      .notNull()
      .references(() => paperAccounts.id, { onDelete: "cascade" }),
    balanceBefore: numeric().notNull(),
    equityBefore: numeric().notNull(),
    balanceAfter: numeric().notNull(),
    positionsClosed: integer().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("paper_account_resets_account_id_idx").on(t.accountId)],
);

export const fanoutStatus = pgEnum("copy_fanout_status", ["pending", "done", "held"]);

/**
 * The copy fan-out's outbox: one row per signal event that moves money, written in the transaction that records
 * the event, so a lost job event or a crash loses no copy. The job marks it done; the sweeper re-drives the rest.
 */
export const copyFanouts = pgTable(
  "copy_fanouts",
  {
    id: prefixedId("cfo"),
    signalEventId: text().notNull(),
    signalId: text()
      .notNull()
      .references(() => signals.id, { onDelete: "cascade" }),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    /** The signal event's position in the provider's chain: a follower's legs apply in this order. */
    seq: integer().notNull(),
    kind: signalEventKind().notNull(),
    /** The event's time (ISO, as chained): entries' age and latency count from it. */
    at: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    status: fanoutStatus().notNull().default("pending"),
    /**
     * Times it was re-driven: re-sent by the sweeper (the job event id carries the count, so a re-drive is never
     * deduplicated away) or released after a restore. A re-driven fan-out's live orders look themselves up first.
     */
    redrives: integer().notNull().default(0),
    /** Followers handled and orders written, for the admin and the bench. */
    followers: integer().notNull().default(0),
    orders: integer().notNull().default(0),
    createdAt: createdAt(),
    finishedAt: tstz(),
  },
  (t) => [
    uniqueIndex("copy_fanouts_signal_event_id_idx").on(t.signalEventId),
    index("copy_fanouts_signal_id_seq_idx").on(t.signalId, t.seq),
    index("copy_fanouts_provider_id_idx").on(t.providerId),
    index("copy_fanouts_pending_idx").on(t.createdAt).where(sql`status = 'pending'`),
  ],
);

export const copyLeg = pgEnum("copy_leg", ["entry", "tp", "stop", "close", "manual"]);
export type CopyLeg = (typeof copyLeg.enumValues)[number];
export const copyOrderStatus = pgEnum("copy_order_status", ["planned", "skipped", "submitted", "filled", "rejected", "cancelled", "held"]);
export type CopyOrderStatus = (typeof copyOrderStatus.enumValues)[number];
export const orderSide = pgEnum("order_side", ["buy", "sell"]);

/**
 * Every copy decision: an order (filled, resting or rejected) or a skip with its reason. INVARIANT: one row per
 * (signal event, follower, leg): the client order id is derived from them and unique.
 */
export const copyOrders = pgTable(
  "copy_orders",
  {
    id: prefixedId("cpo"),
    clientOrderId: text().notNull(),
    /**
     * No foreign keys on this table or on positions: a key check per copy (a lookup and a row lock on the user, and
     * again on the provider every follower shares) was a fifth of the fan-out's write. Every row is written by the
     * copy engine from a following it holds locked (FOR SHARE: a user's or provider's delete, which cascades to
     * copy_settings, waits for the page), and the deletes cascade here through statement triggers on users and
     * providers (migration 0012, `copy_rows_cascade`).
     */
    userId: text().notNull(),
    /** The following (no foreign key: copy_settings rows go only with their user or provider, see userId). */
    copySettingId: text(),
    providerId: text().notNull(),
    /** No foreign key: signals are never deleted but with their provider (see userId). */
    signalId: text(),
    signalEventId: text(),
    seq: integer(),
    positionId: text(),
    venue: text().notNull(),
    symbol: text().notNull(),
    side: orderSide().notNull(),
    leg: copyLeg().notNull(),
    orderType: text().$type<"market" | "limit">().notNull().default("market"),
    status: copyOrderStatus().notNull(),
    reason: text(),
    /** The provider's price for this leg (entry, or the exit the signal recorded). */
    requestedPrice: numeric(),
    limitPrice: numeric(),
    fillPrice: numeric(),
    quantity: numeric().notNull(),
    /**
     * An exit planned for a venue that places orders one at a time (an exchange connection): the share of the
     * position's first-filled size to close (null: all that remains), sized when it is placed.
     */
    share: numeric(),
    fee: numeric().notNull().default("0"),
    /** Signed: positive is worse for the follower than the requested price. */
    slippageBps: numeric(),
    latencyMs: bigint({ mode: "number" }),
    venueOrderId: text(),
    /** Serial venues: how many times placing this order was started (the first needs no lookup of its client id). */
    attempts: integer().notNull().default(0),
    /** The rest of a partly filled exit: the client order id of the order it completes (its quantity is sized). */
    remainderOf: text(),
    createdAt: createdAt(),
    filledAt: tstz(),
  },
  (t) => [
    uniqueIndex("copy_orders_client_order_id_idx").on(t.clientOrderId),
    index("copy_orders_user_id_created_at_idx").on(t.userId, t.createdAt),
    index("copy_orders_provider_id_leg_idx").on(t.providerId, t.leg),
    index("copy_orders_signal_id_idx").on(t.signalId),
    // A position's exits (its average exit is summed from them).
    index("copy_orders_position_id_idx").on(t.positionId),
    // A connection's queue: its planned orders, oldest first.
    index("copy_orders_planned_idx").on(t.venue, t.createdAt).where(sql`status = 'planned'`),
  ],
);

export const positionStatus = pgEnum("position_status", ["open", "closed"]);

/** A follower's copy of one signal (per following, so two providers' opposite signals on a symbol are two positions). */
export const positions = pgTable(
  "positions",
  {
    id: prefixedId("pos"),
    /** No foreign keys, as on copy_orders (the deletes of users and providers cascade by trigger). */
    userId: text().notNull(),
    /** The following (no foreign key, as on copy_orders). */
    copySettingId: text(),
    providerId: text().notNull(),
    /** No foreign key, as on copy_orders. */
    signalId: text(),
    venue: text().notNull(),
    symbol: text().notNull(),
    side: text().$type<"long" | "short">().notNull(),
    /** Still open, and as first filled. */
    quantity: numeric().notNull(),
    initialQuantity: numeric().notNull(),
    avgEntry: numeric().notNull(),
    /** Size-weighted average of the exits so far. */
    avgExit: numeric(),
    realizedPnl: numeric().notNull().default("0"),
    fees: numeric().notNull().default("0"),
    /** The last price seen for the symbol (fills, stop moves); open P&L is marked at it. */
    markPrice: numeric().notNull(),
    stopLoss: numeric(),
    status: positionStatus().notNull().default("open"),
    /** The last signal event applied to it. */
    lastSeq: integer().notNull(),
    openedAt: tstz().notNull(),
    closedAt: tstz(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("positions_user_id_signal_id_idx").on(t.userId, t.signalId),
    index("positions_user_id_status_idx").on(t.userId, t.status),
    index("positions_signal_id_open_idx").on(t.signalId).where(sql`status = 'open'`),
    index("positions_provider_id_idx").on(t.providerId),
    // The copy stop-loss's measure: a following's positions since it started copying (read per follower per page).
    index("positions_copy_setting_id_opened_at_idx").on(t.copySettingId, t.openedAt),
  ],
);

/** Admin kill switches: scope "platform" (no new entries anywhere) or "provider" (stop copying one provider). */
export const copyKillSwitches = pgTable(
  "copy_kill_switches",
  {
    scope: text().$type<"platform" | "provider">().notNull(),
    /** The provider id, or "" for the platform. */
    targetId: text().notNull().default(""),
    reason: text().notNull().default(""),
    actorId: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("copy_kill_switches_scope_target_idx").on(t.scope, t.targetId), index("copy_kill_switches_actor_id_idx").on(t.actorId)],
);

export type CopySettingsRow = typeof copySettings.$inferSelect;
export type PaperAccountRow = typeof paperAccounts.$inferSelect;
export type CopyOrderRow = typeof copyOrders.$inferSelect;
export type PositionRow = typeof positions.$inferSelect;
export type CopyFanoutRow = typeof copyFanouts.$inferSelect;

import "server-only";
import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { users } from "./users";

/**
 * A follower's exchange accounts: the ccxt exchange, sandbox or live, and the API credentials sealed at rest
 * (services/exchanges/connections.ts). `copy_settings.venue`, `copy_orders.venue` and `positions.venue` hold a
 * connection's id as text, without a key: orders and positions outlive the connection as history.
 */

/**
 * unverified: saved, the exchange has not answered yet; active: the key works and may trade; error: the exchange
 * refused it (or it may withdraw); removing: removed with open copies whose closing orders are still to be placed
 * on it; removed: gone (credentials wiped, the row kept for the history that names it).
 */
export const exchangeConnectionStatus = pgEnum("exchange_connection_status", ["unverified", "active", "error", "removing", "removed"]);
export type ExchangeConnectionStatus = (typeof exchangeConnectionStatus.enumValues)[number];

/** What the connection check learnt about the key; `checkedVia` names the call, or "none" when the exchange tells nothing. */
export interface ExchangeKeyPermissions {
  canTrade: boolean | null;
  canWithdraw: boolean | null;
  ipRestricted: boolean | null;
  checkedVia: string;
  /** What the follower should know about the key (not IP-restricted, permissions unknown). */
  warnings: string[];
}

export const exchangeConnections = pgTable(
  "exchange_connections",
  {
    id: prefixedId("exc"),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** A ccxt exchange id ("binance", "kraken"), or "local" for the in-process test exchange. */
    exchangeId: text().notNull(),
    label: text().notNull(),
    /** Spot only for now; margin and futures accounts come with their venues. */
    accountType: text().$type<"spot">().notNull().default("spot"),
    sandbox: boolean().notNull().default(true),
    /** When the follower confirmed a live account (required where the exchange has no sandbox). */
    liveConfirmedAt: tstz(),
    /**
     * `seal(JSON {connectionId, apiKey, secret, password?}, "exchange-credentials")`; the id inside is checked on
     * open, so a blob copied onto another row does not open there. Emptied when the connection is removed.
     */
    credentialsSealed: text().notNull(),
    /** The API key's first 4 characters: all a page ever shows of it. */
    keyHint: text().notNull(),
    status: exchangeConnectionStatus().notNull().default("unverified"),
    /** Why the status is what it is, in words for the follower (the exchange's code and message on a refusal). */
    statusReason: text(),
    permissions: jsonb().$type<ExchangeKeyPermissions>(),
    lastCheckedAt: tstz(),
    /** The last reconciliation of this account against the exchange (services/exchanges/reconcile.ts). */
    lastReconciledAt: tstz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("exchange_connections_user_id_idx").on(t.userId),
    // A removed connection's label is free again (its row stays for the history that names its id).
    uniqueIndex("exchange_connections_user_id_label_idx").on(t.userId, t.label).where(sql`status <> 'removed'`),
  ],
);

/**
 * What a reconciliation found that our ledger and the exchange disagree on:
 * - missed_fill: an order we hold as planned that the exchange filled (recorded from the exchange's answer);
 * - unrecorded_order: an order on the exchange under one of our client order ids that our ledger does not hold;
 * - orphan_exchange: a balance on the exchange that no open copy accounts for;
 * - orphan_ledger: an open copy whose quantity the exchange account does not hold;
 * - dust: what is left of a copy below the exchange's minimum order, recorded rather than retried.
 */
export const venueDiscrepancyKind = pgEnum("venue_discrepancy_kind", ["missed_fill", "unrecorded_order", "orphan_exchange", "orphan_ledger", "dust"]);
export type VenueDiscrepancyKind = (typeof venueDiscrepancyKind.enumValues)[number];

export const venueDiscrepancies = pgTable(
  "venue_discrepancies",
  {
    id: prefixedId("vdi"),
    connectionId: text()
      .notNull()
      .references(() => exchangeConnections.id, { onDelete: "cascade" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: venueDiscrepancyKind().notNull(),
    symbol: text(),
    /** What was found, in words for the follower and the admin. */
    detail: text().notNull(),
    /** The figures behind it (quantities, the exchange's order id, our copy order or position id). */
    data: jsonb().$type<Record<string, string | number | boolean | null>>().notNull().default({}),
    /** Identifies the same finding across runs (kind + what it is about), so a run does not record it twice. */
    dedupeKey: text().notNull(),
    status: text().$type<"open" | "resolved">().notNull().default("open"),
    /** How it was resolved: "recorded" (a missed fill), "closed" (an orphan closed), "gone" (no longer seen). */
    resolution: text(),
    foundAt: createdAt(),
    resolvedAt: tstz(),
  },
  (t) => [
    index("venue_discrepancies_user_id_found_at_idx").on(t.userId, t.foundAt),
    index("venue_discrepancies_open_idx").on(t.status, t.foundAt),
    uniqueIndex("venue_discrepancies_connection_id_dedupe_key_idx").on(t.connectionId, t.dedupeKey).where(sql`status = 'open'`),
  ],
);

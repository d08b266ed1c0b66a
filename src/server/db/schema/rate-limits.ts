import "server-only";
import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tstz } from "./_shared";

/**
 * Rate-limit counters shared by every replica and kept across restarts (see src/server/rate-limit.ts).
 * `key` is a hash of what is limited (an address, an email), so the table holds no personal data.
 * Rows past `expiresAt` are dead: the next attempt starts a fresh window, and a sweep deletes them.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    name: text().notNull(),
    key: text().notNull(),
    points: integer().notNull(),
    expiresAt: tstz().notNull(),
    /** Progressive delays (sign-in failures per account): no attempt is taken before this time. */
    blockedUntil: tstz(),
  },
  (t) => [primaryKey({ columns: [t.name, t.key] }), index("rate_limits_expires_at_idx").on(t.expiresAt)],
);

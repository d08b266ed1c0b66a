import "server-only";
import { bigint, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt } from "./_shared";
import { users } from "./users";

/** Append-only record of security- and money-relevant actions. Pruned after a year by the audit-retention job. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    actorId: text().references(() => users.id, { onDelete: "set null" }),
    action: text().notNull(),
    targetType: text(),
    targetId: text(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    ip: text(),
    /** The User-Agent header of the request that acted (trimmed to 512 characters), when there was one. */
    userAgent: text(),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_created_at_idx").on(t.createdAt), index("audit_log_actor_id_idx").on(t.actorId), index("audit_log_action_idx").on(t.action)],
);

/**
 * The audit log as CSV for admins (GET /api/admin/audit.csv): the entries the page's filters select, newest first,
 * streamed a page of rows at a time so a large export holds one page in memory; at most AUDIT_CSV_MAX_ROWS rows
 * (the answer says so in `X-Export-Capped`, and the page's link says the cap), enough for a year of a busy log
 * narrowed by any filter. Every cell that could hold someone's text is made spreadsheet-safe (src/lib/csv.ts).
 */
import "server-only";
import { and, count, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import { db } from "@/server/db";
import { auditLog, users } from "@/server/db/schema";
import { csvCell, csvLine } from "@/lib/csv";
import type { AuditFilters } from "@/lib/audit-filters";

export const AUDIT_CSV_MAX_ROWS = 100_000;
const BATCH = 1000;

const HEADER = ["time_utc", "actor_email", "action", "target_type", "target_id", "ip", "user_agent", "data"];

function whereOf(filters: AuditFilters): SQL | undefined {
  return and(
    filters.actor ? eq(users.email, filters.actor) : undefined,
    filters.action ? eq(auditLog.action, filters.action) : undefined,
    filters.from ? gte(auditLog.createdAt, filters.from) : undefined,
    filters.to ? lt(auditLog.createdAt, filters.to) : undefined,
  );
}

// The admin area's rule lives with two-factor sign-in (services/auth/two-factor.ts); re-exported for the CSV route,
// which imports it from here.
export { mayUseAdminArea } from "@/server/services/auth/two-factor";

/** The matching entries as a CSV stream, and how many match (more than the cap: only the newest cap are sent). */
export async function auditCsv(filters: AuditFilters): Promise<{ stream: ReadableStream<Uint8Array>; matching: number; capped: boolean }> {
  const where = whereOf(filters);
  const [total] = await db.select({ n: count() }).from(auditLog).leftJoin(users, eq(users.id, auditLog.actorId)).where(where);
  const matching = total?.n ?? 0;
  const encoder = new TextEncoder();
  let sent = 0;
  let before: number | null = null;
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(csvLine(HEADER)));
        return;
      }
      const limit = Math.min(BATCH, AUDIT_CSV_MAX_ROWS - sent);
      // Keyset by id (the insertion order): no offset to rescan, and rows written meanwhile do not shift pages.
      const rows =
        limit > 0
          ? await db
              .select({
                id: auditLog.id,
                createdAt: auditLog.createdAt,
                actorEmail: users.email,
                action: auditLog.action,
                targetType: auditLog.targetType,
                targetId: auditLog.targetId,
                ip: auditLog.ip,
                userAgent: auditLog.userAgent,
                data: auditLog.data,
              })
              .from(auditLog)
              .leftJoin(users, eq(users.id, auditLog.actorId))
              .where(and(where, before === null ? undefined : lt(auditLog.id, before)))
              .orderBy(desc(auditLog.id))
              .limit(limit)
          : [];
      if (rows.length === 0) {
        controller.close();
        return;
      }
      sent += rows.length;
      before = rows.at(-1)!.id;
      const text = rows
        .map((r) =>
          csvLine([
            csvCell(r.createdAt.toISOString(), false),
            csvCell(r.actorEmail),
            csvCell(r.action),
            csvCell(r.targetType),
            csvCell(r.targetId),
            csvCell(r.ip),
            csvCell(r.userAgent),
            csvCell(r.data && Object.keys(r.data).length ? JSON.stringify(r.data) : null),
          ]),
        )
        .join("");
      controller.enqueue(encoder.encode(text));
    },
  });
  return { stream, matching, capped: matching > AUDIT_CSV_MAX_ROWS };
}

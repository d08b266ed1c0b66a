/** Audit trail writes and the retention rule. Writers pass their transaction so the row commits with the change. */
import "server-only";
import { lt } from "drizzle-orm";
import type { Executor } from "@/server/db";
import { auditLog } from "@/server/db/schema";

export interface AuditEntry {
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  data?: Record<string, unknown>;
  ip?: string | null;
  /** The request's User-Agent (`ctx.userAgent`), when an action came from a request. */
  userAgent?: string | null;
}

export async function recordAudit(tx: Executor, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    data: entry.data ?? {},
    ip: entry.ip ?? null,
    userAgent: entry.userAgent?.slice(0, 512) ?? null,
  });
}

export const AUDIT_RETENTION_DAYS = 365;

/** Cut-off for retention: rows strictly older than one year before `now` go. */
export function auditCutoff(now: Date): Date {
  return new Date(now.getTime() - AUDIT_RETENTION_DAYS * 24 * 60 * 60 * 1000);
}

/** Deletes audit rows older than the retention window; returns how many went. */
export async function pruneAuditLog(db: Executor, now: Date = new Date()): Promise<number> {
  const deleted = await db
    .delete(auditLog)
    .where(lt(auditLog.createdAt, auditCutoff(now)))
    .returning({ id: auditLog.id });
  return deleted.length;
}


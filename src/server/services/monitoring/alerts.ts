/**
 * Alerts to admins (acceptance: one email per alert per 5 minutes). An alert is a metric and a level ("cpu" +
 * "critical"); its row in `ops_alerts` says when admins were last emailed about it.
 *
 * INVARIANT: the 5-minute rule is one conditional upsert (insert … on conflict (metric, level) do update … where
 * last_sent_at is null or last_sent_at <= now - 5 min returning …): only the caller whose statement inserted or
 * updated the row sends. A second caller (a retried tick, another replica, a failed backup verification at the same
 * moment) waits on the row lock, re-checks the condition against the committed row and gets nothing back. The emails
 * are queued in the same transaction (no row moves without its emails), each with a dedupe key of (metric, level,
 * sent time, admin) besides.
 */
import "server-only";
import { createElement } from "react";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import OpsAlert, { opsAlertSubject } from "@emails/ops-alert";
import type { Executor } from "@/server/db";
import { opsAlerts, users } from "@/server/db/schema";
import { queueEmail } from "@/server/services/email/outbox";
import { appBaseUrl } from "@/server/http/base-url";
import { formatUtcDateTime } from "@/lib/format/dates";
import { formatMetricValue } from "@/lib/ops/thresholds";

export interface AdminAlert {
  /** A monitoring metric ("cpu", "disk", "backup_verification"); see src/lib/ops/thresholds.ts. */
  metric: string;
  level: "warning" | "critical";
  value: number;
  threshold: number;
  /** One line: "CPU at 93% (critical at 90%)". The email's subject and title. */
  summary: string;
  detail?: string;
}

export const ALERT_RESEND_MS = 5 * 60 * 1000;

export interface RaiseAlertOptions {
  /** Base URL for the System page link (defaults to the app's, `appBaseUrl()`). */
  baseUrl?: string;
}

/**
 * Records the alert as open and emails every admin, unless admins heard about this metric at this level less than
 * 5 minutes ago. Returns whether this call sent it. Runs in its own transaction (a savepoint inside the caller's).
 */
export async function raiseAlert(db: Executor, alert: AdminAlert, now: Date, options: RaiseAlertOptions = {}): Promise<boolean> {
  const resendBefore = new Date(now.getTime() - ALERT_RESEND_MS);
  const reopen = {
    value: alert.value,
    threshold: alert.threshold,
    // A crossing after the alert was resolved starts a new episode.
    firstSeenAt: sql`case when ${opsAlerts.resolvedAt} is not null then ${now.toISOString()}::timestamptz else ${opsAlerts.firstSeenAt} end`,
    lastSeenAt: sql`greatest(${opsAlerts.lastSeenAt}, ${now.toISOString()}::timestamptz)`,
    resolvedAt: null,
    updatedAt: now,
  };
  return db.transaction(async (tx) => {
    const [sent] = await tx
      .insert(opsAlerts)
      .values({
        metric: alert.metric,
        level: alert.level,
        value: alert.value,
        threshold: alert.threshold,
        firstSeenAt: now,
        lastSeenAt: now,
        lastSentAt: now,
      })
      .onConflictDoUpdate({
        target: [opsAlerts.metric, opsAlerts.level],
        set: { ...reopen, lastSentAt: now },
        setWhere: sql`${opsAlerts.lastSentAt} is null or ${opsAlerts.lastSentAt} <= ${resendBefore.toISOString()}::timestamptz`,
      })
      .returning({ metric: opsAlerts.metric });
    if (!sent) {
      // Emailed less than 5 minutes ago: only keep the alert open with its latest reading.
      await tx
        .update(opsAlerts)
        .set(reopen)
        .where(and(eq(opsAlerts.metric, alert.metric), eq(opsAlerts.level, alert.level)));
      return false;
    }

    const admins = await tx
      .select({ id: users.id, email: users.email, name: users.name })
      .from(users)
      .where(and(eq(users.role, "admin"), isNull(users.deletedAt)));
    const baseUrl = options.baseUrl ?? appBaseUrl();
    const metricValue = formatMetricValue(alert.metric, alert.value);
    const threshold = formatMetricValue(alert.metric, alert.threshold);
    for (const admin of admins) {
      await queueEmail(tx, {
        to: admin.email,
        userId: admin.id,
        kind: `ops_alert_${alert.level}`,
        subject: opsAlertSubject(alert),
        template: createElement(OpsAlert, {
          name: admin.name ?? "there",
          level: alert.level,
          summary: alert.summary,
          value: metricValue,
          threshold,
          ...(alert.detail ? { detail: alert.detail } : {}),
          when: formatUtcDateTime(now),
          systemUrl: `${baseUrl}/admin/system`,
        }),
        dedupeKey: `ops-alert:${alert.metric}:${alert.level}:${now.toISOString()}:${admin.id}`,
      });
    }
    return true;
  });
}

/**
 * Marks the metric's open alerts resolved (all levels, or those given): its reading fell back under the line.
 * Leaves `last_sent_at` alone, so a crossing again within 5 minutes of the last email sends none. Returns how many.
 */
export async function resolveAlert(
  db: Executor,
  metric: string,
  now: Date,
  levels: readonly ("warning" | "critical")[] = ["warning", "critical"],
): Promise<number> {
  if (levels.length === 0) return 0;
  const rows = await db
    .update(opsAlerts)
    .set({ resolvedAt: now, updatedAt: now })
    .where(and(eq(opsAlerts.metric, metric), inArray(opsAlerts.level, [...levels]), isNull(opsAlerts.resolvedAt)))
    .returning({ level: opsAlerts.level });
  return rows.length;
}

import "server-only";
import { sql } from "drizzle-orm";
import { bigint, doublePrecision, index, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { users } from "./users";

/**
 * Operations (issue 18): backups, maintenance windows, monitoring readings and the alerts they raised.
 */

/** daily 02:00 UTC (keep 7), weekly Sunday 03:00 (keep 4), monthly 1st 04:00 (keep 12); manual: made on request. */
export const backupKind = pgEnum("backup_kind", ["daily", "weekly", "monthly", "manual"]);
export type BackupKind = (typeof backupKind.enumValues)[number];
/** running: being written; completed: the file and its manifest are stored; failed: gave up (`error`). */
export const backupStatus = pgEnum("backup_status", ["running", "completed", "failed"]);
export type BackupStatus = (typeof backupStatus.enumValues)[number];
export const backupVerification = pgEnum("backup_verification", ["passed", "failed"]);
export type BackupVerification = (typeof backupVerification.enumValues)[number];

/**
 * The database's index of the backups in storage (`.data/backups` or the S3 bucket). The storage is the truth: every
 * backup is stored with its manifest (`<id>.manifest.json`), so a restore, which brings back an older copy of this
 * table, is followed by re-reading the manifests (services/backups).
 */
export const backups = pgTable(
  "backups",
  {
    id: prefixedId("bkp"),
    kind: backupKind().notNull(),
    /**
     * The schedule slot it fills ("daily:2026-12-07", "weekly:2026-12-06", "monthly:2026-12"; a manual backup's own
     * id). UNIQUE: a cron tick retried or fired by two replicas makes one backup.
     */
    slot: text().notNull(),
    /** "postgres" | "pglite": which engine wrote it, and so how it is verified and restored. */
    engine: text().$type<"postgres" | "pglite">().notNull(),
    /** "pg_dump-custom" (PostgreSQL) | "pglite-datadir-gzip" (PGlite, with a portable SQL dump beside it). */
    format: text().notNull(),
    status: backupStatus().notNull().default("running"),
    /** "local" | "s3": where the files are. */
    storage: text().$type<"local" | "s3">().notNull(),
    /** The main file's name (local) or object key (S3). */
    location: text(),
    /** PGlite: the portable SQL dump that restores into PostgreSQL (the way off the embedded database). */
    sqlLocation: text(),
    sizeBytes: bigint({ mode: "number" }),
    sha256: text(),
    /** What verification compares against: per table, its row count and checksum (see services/backups). */
    manifest: jsonb().$type<Record<string, unknown>>(),
    error: text(),
    createdById: text().references(() => users.id, { onDelete: "set null" }),
    startedAt: tstz().notNull().defaultNow(),
    finishedAt: tstz(),
    /** The last verification: restored into a scratch database and compared with the manifest. */
    verifiedAt: tstz(),
    verification: backupVerification(),
    verificationError: text(),
    /** Removed from storage by retention (the row stays, for the history). */
    prunedAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("backups_slot_idx").on(t.slot),
    index("backups_kind_started_idx").on(t.kind, t.startedAt),
    index("backups_created_by_id_idx").on(t.createdById),
  ],
);

/**
 * A maintenance window: while one is open (`endedAt` null) the job runner claims nothing and the email and channel
 * drains send nothing. A restore opens one. Never part of a backup (excluded from dumps and manifests), so restoring
 * does not bring back an old window or close the one the restore holds.
 */
export const opsMaintenance = pgTable(
  "ops_maintenance",
  {
    id: prefixedId("mnt"),
    reason: text().notNull(),
    startedAt: tstz().notNull().defaultNow(),
    endedAt: tstz(),
  },
  (t) => [index("ops_maintenance_open_idx").on(t.startedAt).where(sql`ended_at is null`)],
);

/** One monitoring sample per metric per tick (the System page's charts); pruned after 7 days. */
export const opsReadings = pgTable(
  "ops_readings",
  {
    metric: text().notNull(),
    at: tstz().notNull(),
    value: doublePrecision().notNull(),
  },
  (t) => [primaryKey({ columns: [t.metric, t.at] }), index("ops_readings_at_idx").on(t.at)],
);

/**
 * An alert's state, per metric and level ("cpu" + "warning"): the last time admins were emailed about it. The
 * monitor's conditional upsert (only when `lastSentAt` is 5 minutes old or more) is what holds it to one email per
 * alert per 5 minutes, whatever the retries and replicas.
 */
export const opsAlerts = pgTable(
  "ops_alerts",
  {
    metric: text().notNull(),
    level: text().$type<"warning" | "critical">().notNull(),
    /** The reading that raised it last, and the threshold it crossed. */
    value: doublePrecision().notNull(),
    threshold: doublePrecision().notNull(),
    firstSeenAt: tstz().notNull().defaultNow(),
    lastSeenAt: tstz().notNull().defaultNow(),
    lastSentAt: tstz(),
    /** Set when a reading falls back under the threshold; a later crossing starts a new episode. */
    resolvedAt: tstz(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.metric, t.level] })],
);

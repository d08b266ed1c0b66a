import "server-only";
import type { BackupKind, TableFingerprints } from "@/lib/backups";
import type { backups } from "@/server/db/schema";

export type { BackupKind, TableFingerprints };
export type BackupRow = typeof backups.$inferSelect;
export type BackupEngine = "postgres" | "pglite";
export type BackupFormat = "pg_dump-custom" | "pglite-datadir-gzip";

/**
 * `<id>.manifest.json`, stored beside the backup's files and written last: everything needed to verify or restore the
 * backup, and to rebuild its `backups` row, without the database that made it.
 */
export interface BackupManifest {
  version: 1;
  id: string;
  kind: BackupKind;
  slot: string;
  engine: BackupEngine;
  format: BackupFormat;
  /** The main file's key: `<id>.dump` (pg_dump custom format) or `<id>.tar.gz` (PGlite data directory). */
  file: string;
  sha256: string;
  sizeBytes: number;
  /** PGlite: the portable SQL dump (`<id>.sql`) that loads into PostgreSQL with psql. */
  sqlFile?: string;
  sqlSha256?: string;
  sqlSizeBytes?: number;
  /** The server's version (`server_version`), e.g. "15.10" or "17.5" (PGlite). */
  serverVersion: string;
  createdById: string | null;
  startedAt: string;
  finishedAt: string;
  /** Per public table (ops_maintenance excepted): row count and checksum, as in the dumped snapshot. */
  tables: TableFingerprints;
}

export interface CreateBackupOptions {
  kind: BackupKind;
  /** The schedule slot ("daily:2026-12-07"); a manual backup's slot is its id. */
  slot?: string;
  actorId?: string | null;
  now?: Date;
}

export interface VerifyResult {
  backupId: string;
  ok: boolean;
  /** Why it failed, for people: "sha256 mismatch: …", pg_restore's own error, or the tables that differ. */
  error?: string;
  /** The fingerprints of the restored copy (absent when it could not be restored). */
  tables?: TableFingerprints;
  verifiedAt: Date;
}

/**
 * Backups, the pure parts: schedule slots, retention, manifest comparison, file names, and the filter that makes
 * PGlite's portable SQL dump load into an older PostgreSQL. The I/O (dumps, storage, verification) is in
 * src/server/services/backups.
 */

export type BackupKind = "daily" | "weekly" | "monthly" | "manual";
export type ScheduledKind = Exclude<BackupKind, "manual">;

/** When each scheduled kind runs (UTC) and how many of it are kept. Manual backups are kept until an admin deletes them. */
export const BACKUP_SCHEDULES: Record<ScheduledKind, { cron: string; keep: number; label: string }> = {
  daily: { cron: "0 2 * * *", keep: 7, label: "Daily at 02:00 UTC" },
  weekly: { cron: "0 3 * * 0", keep: 4, label: "Sundays at 03:00 UTC" },
  monthly: { cron: "0 4 1 * *", keep: 12, label: "The 1st of each month at 04:00 UTC" },
};

/** The newest completed backup is verified daily at 05:30 UTC, after the three schedules have run. */
export const BACKUP_VERIFY_CRON = "30 5 * * *";

const iso = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The schedule slot a backup made at `at` fills: "daily:2026-12-07", "weekly:2026-12-06" (that week's Sunday),
 * "monthly:2026-12". Unique in the table, so a tick retried or fired twice makes one backup.
 */
export function slotFor(kind: ScheduledKind, at: Date): string {
  if (kind === "daily") return `daily:${iso(at)}`;
  if (kind === "monthly") return `monthly:${iso(at).slice(0, 7)}`;
  const sunday = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - at.getUTCDay()));
  return `weekly:${iso(sunday)}`;
}

/** One table's fingerprint: its row count and an order-independent checksum of its rows' text. */
export interface TableFingerprint {
  rows: number;
  checksum: string;
}
export type TableFingerprints = Record<string, TableFingerprint>;

/**
 * The differences between what a backup's manifest recorded and what a restored copy holds, in words an operator
 * can act on; empty when they are equal.
 */
export function compareFingerprints(expected: TableFingerprints, actual: TableFingerprints): string[] {
  const problems: string[] = [];
  for (const [table, want] of Object.entries(expected).sort(([a], [b]) => a.localeCompare(b))) {
    const got = actual[table];
    if (!got) problems.push(`${table}: missing from the restored copy`);
    else if (got.rows !== want.rows) problems.push(`${table}: ${got.rows} rows restored, ${want.rows} recorded`);
    else if (got.checksum !== want.checksum) problems.push(`${table}: checksum differs (${want.rows} rows)`);
  }
  for (const table of Object.keys(actual).sort()) if (!expected[table]) problems.push(`${table}: in the restored copy but not in the manifest`);
  return problems;
}

export interface RetentionCandidate {
  id: string;
  kind: BackupKind;
  status: "running" | "completed" | "failed";
  startedAt: Date;
  prunedAt: Date | null;
}

/** A backup left 'running' or 'failed' this long is abandoned: its leftover files go with retention. */
export const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Which backups retention removes: of each scheduled kind, every completed backup but the newest `keep`; manual ones
 * never (an admin deletes them); running or failed ones once abandoned (a day old), to clear what they left behind.
 * Already-pruned rows are ignored. Returns ids, oldest first.
 */
export function planRetention(list: readonly RetentionCandidate[], now: Date): string[] {
  const prune: RetentionCandidate[] = [];
  const live = list.filter((b) => !b.prunedAt);
  for (const kind of Object.keys(BACKUP_SCHEDULES) as ScheduledKind[]) {
    const completed = live
      .filter((b) => b.kind === kind && b.status === "completed")
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1));
    prune.push(...completed.slice(BACKUP_SCHEDULES[kind].keep));
  }
  prune.push(...live.filter((b) => b.status !== "completed" && now.getTime() - b.startedAt.getTime() >= ABANDONED_AFTER_MS));
  return prune.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime()).map((b) => b.id);
}

/** Storage names of a backup's files, all beginning with its id. */
export const backupFiles = {
  manifest: (id: string) => `${id}.manifest.json`,
  pgDump: (id: string) => `${id}.dump`,
  pgliteDataDir: (id: string) => `${id}.tar.gz`,
  portableSql: (id: string) => `${id}.sql`,
};

/**
 * PGlite bundles a newer pg_dump (17) than the PostgreSQL it is most often moved to: its SQL sets parameters older
 * servers reject (`transaction_timeout`) and, from 17.6, wraps the script in psql's `\restrict` meta-commands, which
 * an older psql does not know. Drops those lines so `psql -v ON_ERROR_STOP=1 -f` loads the dump into PostgreSQL 13+.
 */
export function portableSqlFor(sqlText: string): string {
  return sqlText
    .split("\n")
    .filter((line) => !/^SET transaction_timeout\b/.test(line) && !/^\\(un)?restrict\b/.test(line))
    .join("\n");
}

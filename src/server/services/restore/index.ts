/**
 * Restoring a backup (services/backups made it) over the app's database, for operators (`npm run backup:restore`).
 *
 * - PostgreSQL (the app may be running): a maintenance window is opened first, so the runner claims nothing and the
 *   drains send nothing; the sha256 is checked; `pg_restore --clean --if-exists --no-owner` writes the restore as SQL
 *   and one `psql --single-transaction` runs it together with the hold statements (./holds.ts): the restored data and
 *   its holds commit together or not at all. `ops_maintenance` is not in the dump, so the window survives the restore.
 * - PGlite (the app must be stopped: the data directory is opened by one process only): the data directory archive is
 *   loaded into a new directory beside the live one, the holds are applied there, and the directories are swapped by
 *   rename (the old one is kept as `pglite.before-restore-<time>`).
 *
 * Then the `backups` table, which the restore brought back as it was in the copy, is re-read from the manifests in
 * storage (the truth), the window is closed and the restore audited. What was held waits for an admin on the Backups
 * page: a restored copy is older than what was lost, which may already have sent those emails or placed those orders.
 */
import "server-only";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq, isNull, notInArray, sql } from "drizzle-orm";
import type { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import { schema, type DatabaseHandle, type Db, type Executor } from "@/server/db";
import { backups, opsMaintenance } from "@/server/db/schema";
import { recordAudit } from "@/server/services/audit";
import { backupStorage, libpqEnv, runTool, sha256File, SHA256_MISMATCH, type BackupManifest, type BackupStorage } from "@/server/services/backups";
import { closeMaintenance, openMaintenance } from "@/server/services/maintenance";
import { heldCounts, HOLD_STATEMENTS, type HeldCounts } from "./holds";
import { HELD_KINDS } from "@/lib/restore";

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefusedError";
  }
}

/** Where to restore: the open PostgreSQL database, or a PGlite data directory no process has open. */
export type RestoreTarget = DatabaseHandle | { kind: "pglite"; dataDir: string };

export interface RestoreOptions {
  /** The caller asked the operator (the CLI makes them type the id): nothing happens without it. */
  confirmed: boolean;
  storage?: BackupStorage;
  /** Who restored (an admin's id), for the audit row; null for the CLI. */
  actorId?: string | null;
  now?: () => Date;
  /** Progress lines for the CLI. */
  log?: (line: string) => void;
}

export interface RestoreResult {
  backupId: string;
  engine: "postgres" | "pglite";
  held: HeldCounts;
  /** PGlite: where the replaced data directory was kept. */
  previousDataDir?: string;
  /** Backups rows re-read from storage after the restore. */
  backupsResynced: number;
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "tradsy-restore-"));
  try {
    return await work(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** The backup's manifest (storage is the truth) and its main file, downloaded and checked against its sha256. */
async function fetchChecked(storage: BackupStorage, backupId: string, dir: string): Promise<{ manifest: BackupManifest; file: string }> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(backupId)) throw new RestoreRefusedError(`"${backupId}" is not a backup id`);
  const manifest = await storage.readManifest(backupId);
  if (!manifest) throw new RestoreRefusedError(`Backup ${backupId} is not in ${storage.describe()} (no manifest): list them with npm run backup:list`);
  const file = path.join(dir, manifest.file);
  await storage.get(manifest.file, file);
  if ((await sha256File(file)) !== manifest.sha256) throw new RestoreRefusedError(`${SHA256_MISMATCH}: backup ${backupId} is not restored`);
  return { manifest, file };
}

/** The hold statements as one script (qualified: pg_restore's script empties the search path). */
function holdScript(): string {
  return ["SET search_path TO public, pg_catalog;", ...HELD_KINDS.map((k) => `${HOLD_STATEMENTS[k]};`), ""].join("\n");
}

/**
 * Rebuilds the `backups` index from the manifests in storage: a restore brought back the table as the copy knew it
 * (the restored backup itself still 'running', later backups missing). Rows whose files are gone are marked pruned.
 */
export async function resyncBackupsFromStorage(db: Executor, storage: BackupStorage, now: Date = new Date()): Promise<number> {
  const ids = [...new Set((await storage.list()).map((o) => /^(.+)\.manifest\.json$/.exec(o.key)?.[1]).filter((id): id is string => !!id))];
  let n = 0;
  for (const id of ids) {
    const m = await storage.readManifest(id);
    if (!m) continue;
    const values = {
      kind: m.kind,
      slot: m.slot,
      engine: m.engine,
      format: m.format,
      status: "completed" as const,
      storage: storage.kind,
      location: m.file,
      sqlLocation: m.sqlFile ?? null,
      sizeBytes: m.sizeBytes,
      sha256: m.sha256,
      manifest: m as unknown as Record<string, unknown>,
      error: null,
      startedAt: new Date(m.startedAt),
      finishedAt: new Date(m.finishedAt),
      prunedAt: null,
    };
    // A slot taken by another id (the copy's failed attempt under the same slot) gives way to the stored backup.
    await db.delete(backups).where(and(eq(backups.slot, m.slot), sql`${backups.id} <> ${m.id}`));
    await db
      .insert(backups)
      .values({ id: m.id, ...values })
      .onConflictDoUpdate({ target: backups.id, set: values });
    n += 1;
  }
  const stale = ids.length ? and(eq(backups.status, "completed"), isNull(backups.prunedAt), notInArray(backups.id, ids)) : and(eq(backups.status, "completed"), isNull(backups.prunedAt));
  await db.update(backups).set({ prunedAt: now }).where(stale);
  // A backup the copy caught mid-way has no manifest and never will.
  await db.update(backups).set({ status: "failed", error: "Interrupted: this backup was in progress in the restored copy", finishedAt: now }).where(eq(backups.status, "running"));
  return n;
}

async function finish(db: Db, storage: BackupStorage, backupId: string, engine: "postgres" | "pglite", actorId: string | null, now: Date, held: HeldCounts): Promise<number> {
  const resynced = await resyncBackupsFromStorage(db, storage, now);
  await recordAudit(db, { actorId, action: "backup.restored", targetType: "backup", targetId: backupId, data: { engine, held } });
  return resynced;
}

async function restorePostgres(handle: DatabaseHandle, backupId: string, opts: Required<Pick<RestoreOptions, "log" | "now">> & RestoreOptions, storage: BackupStorage): Promise<RestoreResult> {
  const client = handle.driver as Sql;
  const window = await openMaintenance(handle.db, `restore of backup ${backupId}`);
  opts.log(`Maintenance window ${window.id} open: jobs and drains stopped.`);
  try {
    const held = await withTempDir(async (dir) => {
      const { manifest, file } = await fetchChecked(storage, backupId, dir);
      if (manifest.engine !== "postgres") {
        throw new RestoreRefusedError(`Backup ${backupId} was made by PGlite: load its portable SQL dump (${manifest.sqlFile ?? "<id>.sql"}) into an empty PostgreSQL database with psql instead`);
      }
      opts.log(`sha256 checked (${manifest.sha256.slice(0, 12)}…); restoring ${manifest.file}.`);
      const script = path.join(dir, "restore.sql");
      await runTool("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--file", script, file], libpqEnv(client));
      const holds = path.join(dir, "holds.sql");
      await fsp.writeFile(holds, holdScript());
      // INVARIANT: one transaction for the restored data and its holds: nothing restored is ever claimable.
      await runTool("psql", ["--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1", "-f", script, "-f", holds], libpqEnv(client));
      return heldCounts(handle.db);
    });
    const backupsResynced = await finish(handle.db, storage, backupId, "postgres", opts.actorId ?? null, opts.now(), held);
    return { backupId, engine: "postgres", held, backupsResynced };
  } finally {
    await closeMaintenance(handle.db, window.id);
    opts.log(`Maintenance window ${window.id} closed.`);
  }
}

/** True when a process has this PGlite data directory open (PGlite keeps postmaster.pid there while open). */
export function pgliteInUse(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, "postmaster.pid"));
}

async function restorePglite(dataDir: string, backupId: string, opts: Required<Pick<RestoreOptions, "log" | "now">> & RestoreOptions, storage: BackupStorage): Promise<RestoreResult> {
  const live = path.resolve(dataDir);
  if (pgliteInUse(live)) {
    throw new RestoreRefusedError(
      `The PGlite data directory ${live} is in use: stop the app first. (If it is stopped, a crash left ${path.join(live, "postmaster.pid")}: remove that file and run again.)`,
    );
  }
  const stamp = opts.now().toISOString().replace(/[:.]/g, "-");
  const incoming = `${live}.restoring-${stamp}`;
  const previous = `${live}.before-restore-${stamp}`;
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let held: HeldCounts;
  let backupsResynced: number;
  try {
    await withTempDir(async (dir) => {
      const { manifest, file } = await fetchChecked(storage, backupId, dir);
      if (manifest.engine !== "pglite") throw new RestoreRefusedError(`Backup ${backupId} was made by PostgreSQL: restore it with DATABASE_URL set to the PostgreSQL database`);
      opts.log(`sha256 checked (${manifest.sha256.slice(0, 12)}…); loading ${manifest.file} into ${incoming}.`);
      const blob = new Blob([await fsp.readFile(file)], { type: "application/x-gzip" });
      const copy: PGlite = await PGlite.create(incoming, { loadDataDir: blob });
      try {
        const db = drizzle(copy, { schema, casing: "snake_case" }) as unknown as Db;
        held = await db.transaction(async (tx) => {
          // The data directory holds every table, windows too: none of the copy's may stay open.
          await tx.update(opsMaintenance).set({ endedAt: sql`now()` }).where(isNull(opsMaintenance.endedAt));
          for (const kind of HELD_KINDS) await tx.execute(sql.raw(HOLD_STATEMENTS[kind]));
          return heldCounts(tx);
        });
        backupsResynced = await finish(db, storage, backupId, "pglite", opts.actorId ?? null, opts.now(), held);
      } finally {
        await copy.close();
      }
    });
  } catch (err) {
    await fsp.rm(incoming, { recursive: true, force: true });
    throw err;
  }
  // The swap: each rename is atomic; the old directory is kept, never deleted.
  if (fs.existsSync(live)) await fsp.rename(live, previous);
  await fsp.rename(incoming, live);
  opts.log(`Swapped: ${live} is the restored copy; the previous one is kept in ${previous}.`);
  return { backupId, engine: "pglite", held: held!, backupsResynced: backupsResynced!, previousDataDir: fs.existsSync(previous) ? previous : undefined };
}

/** Restores backup `backupId` over the target database. Refuses unless `confirmed`. */
export async function restoreBackup(target: RestoreTarget, backupId: string, options: RestoreOptions): Promise<RestoreResult> {
  if (options.confirmed !== true) throw new RestoreRefusedError("A restore replaces the database: it needs confirmation");
  const storage = options.storage ?? backupStorage();
  const opts = { ...options, log: options.log ?? (() => {}), now: options.now ?? (() => new Date()) };
  if ("driver" in target) {
    if (target.kind !== "postgres") throw new RestoreRefusedError("An open PGlite cannot be restored over: stop the app and restore its data directory");
    return restorePostgres(target, backupId, opts, storage);
  }
  return restorePglite(target.dataDir, backupId, opts, storage);
}

/**
 * The backups engine: make a backup (PostgreSQL: pg_dump custom format from an exported snapshot; PGlite: its data
 * directory, plus a portable SQL dump), verify one by restoring it into a scratch database and comparing its tables
 * with the manifest, list them, and apply retention. Jobs (src/server/jobs/functions/backups.ts), the CLI
 * (src/server/cli/backup.ts) and the admin page call these.
 */
import "server-only";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import { backupFiles, BACKUP_SCHEDULES, compareFingerprints, planRetention, portableSqlFor, type TableFingerprints } from "@/lib/backups";
import { newId } from "@/lib/ids";
import { schema, type DatabaseHandle, type Db } from "@/server/db";
import { backups } from "@/server/db/schema";
import { raiseAlert } from "@/server/services/monitoring/alerts";
import { computeManifest, EXCLUDED_TABLES } from "./manifest";
import { backupStorage, type BackupStorage } from "./storage";
import type { BackupManifest, BackupRow, CreateBackupOptions, VerifyResult } from "./types";

const gunzip = promisify(zlib.gunzip);

export const SHA256_MISMATCH = "sha256 mismatch: the file changed since it was written";

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "tradsy-backup-"));
  try {
    return await work(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL tools

/** libpq settings for the database a postgres.js client is connected to (the password through the environment, never argv). */
export function libpqEnv(client: Sql, database?: string): NodeJS.ProcessEnv {
  const o = client.options as unknown as { host: string[]; port: number[]; database: string; user: string; pass?: string | null; ssl?: unknown };
  const out: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: o.host[0],
    PGPORT: String(o.port[0] ?? 5432),
    PGDATABASE: database ?? o.database,
    PGUSER: o.user,
    PGAPPNAME: "tradsy-backup",
  };
  if (o.pass) out.PGPASSWORD = String(o.pass);
  if (o.ssl && o.ssl !== "disable" && o.ssl !== false) out.PGSSLMODE = typeof o.ssl === "string" ? o.ssl : "require";
  return out;
}

/** Runs a PostgreSQL client tool; a failure carries the tool's own message. */
export function runTool(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return reject(new Error(`${command} is not installed: install the PostgreSQL client (apt-get install postgresql-client), of the server's major version or newer`));
      reject(new Error(`${command} failed: ${(stderr || err.message).trim()}`));
    });
  });
}

function drizzleOverPostgres(client: Sql): Promise<Db> {
  return import("drizzle-orm/postgres-js").then(({ drizzle }) => drizzle(client, { schema, casing: "snake_case" }) as unknown as Db);
}

async function drizzleOverPglite(client: PGlite): Promise<Db> {
  const { drizzle } = await import("drizzle-orm/pglite");
  return drizzle(client, { schema, casing: "snake_case" }) as unknown as Db;
}

interface DumpResult {
  file: string;
  sqlFile?: string;
  tables: TableFingerprints;
  serverVersion: string;
}

/**
 * pg_dump in custom format from a snapshot exported by a REPEATABLE READ transaction, in which the manifest is
 * computed too: the fingerprints describe exactly the rows dumped while the app keeps writing.
 */
async function dumpPostgres(handle: DatabaseHandle, id: string, dir: string): Promise<DumpResult> {
  const client = handle.driver as Sql;
  const file = path.join(dir, backupFiles.pgDump(id));
  return handle.db.transaction(
    async (tx) => {
      const [snap] = rowsOf<{ id: string; version: string }>(await tx.execute(sql`select pg_export_snapshot() as id, current_setting('server_version') as version`));
      const tables = await computeManifest(tx);
      await runTool(
        "pg_dump",
        ["--format=custom", `--snapshot=${snap!.id}`, ...EXCLUDED_TABLES.map((t) => `--exclude-table=public.${t}`), "--file", file],
        libpqEnv(client),
      );
      return { file, tables, serverVersion: snap!.version };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/**
 * PGlite: its data directory, gzipped (restores only into the same PGlite build). Loaded into a scratch instance,
 * which yields the manifest of exactly what was dumped (the app keeps writing meanwhile) and the portable SQL dump
 * (pg_dump compiled for PGlite) that loads into PostgreSQL.
 */
async function dumpPglite(handle: DatabaseHandle, id: string, dir: string): Promise<DumpResult> {
  const live = handle.driver as PGlite;
  const archive = await live.dumpDataDir("gzip");
  const file = path.join(dir, backupFiles.pgliteDataDir(id));
  await fsp.writeFile(file, Buffer.from(await archive.arrayBuffer()));
  const scratch = await openPgliteCopy(archive);
  try {
    const tables = await computeManifest(await drizzleOverPglite(scratch));
    const { rows } = await scratch.query<{ version: string }>("select current_setting('server_version') as version");
    const { pgDump } = await import("@electric-sql/pglite-tools/pg_dump");
    const dump = await pgDump({ pg: scratch, args: ["--no-owner", "--no-privileges", ...EXCLUDED_TABLES.map((t) => `--exclude-table=public.${t}`)] });
    const sqlFile = path.join(dir, backupFiles.portableSql(id));
    await fsp.writeFile(sqlFile, portableSqlFor(await dump.text()));
    return { file, sqlFile, tables, serverVersion: rows[0]!.version };
  } finally {
    await scratch.close();
  }
}

/** A scratch in-memory PGlite holding a copy of a data directory archive (gzipped or not). */
export async function openPgliteCopy(archive: Blob): Promise<PGlite> {
  const { PGlite } = await import("@electric-sql/pglite");
  let bytes = new Uint8Array(await archive.arrayBuffer());
  // Gunzipped here rather than by PGlite: its decompression leaves a damaged archive's stream error unhandled (an
  // uncaught error in the process), where zlib rejects with a plain "unexpected end of file".
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = new Uint8Array(await gunzip(bytes));
  return PGlite.create({ loadDataDir: new Blob([bytes], { type: "application/x-tar" }) });
}

// ---------------------------------------------------------------------------------------------------------------
// Create

/**
 * Makes one backup and stores it. Idempotent through the unique slot: a second call for a slot already completed
 * returns that backup; one left 'running' (a crash) or 'failed' is made again under the same id.
 * A failure marks the row failed with the error and rethrows.
 */
export async function createBackup(handle: DatabaseHandle, options: CreateBackupOptions, storage: BackupStorage = backupStorage()): Promise<BackupRow> {
  const db = handle.db;
  const t0 = Date.now();
  const now = options.now ?? new Date(t0);
  const id = newId("bkp");
  const slot = options.kind === "manual" ? (options.slot ?? id) : options.slot;
  if (!slot) throw new Error(`A ${options.kind} backup needs its schedule slot`);
  const engine = handle.kind;
  const format = engine === "postgres" ? "pg_dump-custom" : "pglite-datadir-gzip";
  const [inserted] = await db
    .insert(backups)
    .values({ id, kind: options.kind, slot, engine, format, storage: storage.kind, createdById: options.actorId ?? null, startedAt: now })
    .onConflictDoNothing({ target: backups.slot })
    .returning();
  let row = inserted;
  if (!row) {
    const [existing] = await db.select().from(backups).where(eq(backups.slot, slot));
    if (!existing) throw new Error(`Backup slot ${slot} vanished`);
    if (existing.status === "completed") return existing;
    // INVARIANT: a retried slot writes under its first id, so files of an earlier attempt are overwritten, not orphaned.
    [row] = await db
      .update(backups)
      .set({ status: "running", error: null, engine, format, storage: storage.kind, startedAt: now })
      .where(eq(backups.id, existing.id))
      .returning();
  }
  const backup = row!;
  try {
    return await withTempDir(async (dir) => {
      const dumped = engine === "postgres" ? await dumpPostgres(handle, backup.id, dir) : await dumpPglite(handle, backup.id, dir);
      const sha256 = await sha256File(dumped.file);
      const sizeBytes = (await fsp.stat(dumped.file)).size;
      const key = path.basename(dumped.file);
      await storage.put(key, dumped.file, { sha256, contentType: engine === "postgres" ? "application/octet-stream" : "application/gzip" });
      let sqlPart: Pick<BackupManifest, "sqlFile" | "sqlSha256" | "sqlSizeBytes"> = {};
      if (dumped.sqlFile) {
        sqlPart = { sqlFile: path.basename(dumped.sqlFile), sqlSha256: await sha256File(dumped.sqlFile), sqlSizeBytes: (await fsp.stat(dumped.sqlFile)).size };
        await storage.put(sqlPart.sqlFile!, dumped.sqlFile, { sha256: sqlPart.sqlSha256, contentType: "application/sql" });
      }
      // On the caller's clock (tests fake it), advanced by the time the dump really took.
      const finishedAt = new Date(now.getTime() + (Date.now() - t0));
      const manifest: BackupManifest = {
        version: 1,
        id: backup.id,
        kind: backup.kind,
        slot: backup.slot,
        engine,
        format,
        file: key,
        sha256,
        sizeBytes,
        ...sqlPart,
        serverVersion: dumped.serverVersion,
        createdById: backup.createdById,
        startedAt: now.toISOString(),
        finishedAt: finishedAt.toISOString(),
        tables: dumped.tables,
      };
      // Written last: a manifest in storage means the backup's files are all there.
      await storage.writeManifest(manifest);
      const [done] = await db
        .update(backups)
        .set({
          status: "completed",
          location: key,
          sqlLocation: sqlPart.sqlFile ?? null,
          sha256,
          sizeBytes,
          manifest: manifest as unknown as Record<string, unknown>,
          finishedAt,
          error: null,
        })
        .where(eq(backups.id, backup.id))
        .returning();
      return done!;
    });
  } catch (err) {
    await db
      .update(backups)
      .set({ status: "failed", error: err instanceof Error ? err.message : String(err), finishedAt: new Date() })
      .where(eq(backups.id, backup.id));
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Verify

/** A scratch PostgreSQL database beside the app's, dropped whatever happens. */
async function withScratchPostgres<T>(client: Sql, work: (name: string, scratch: Sql) => Promise<T>): Promise<T> {
  const { default: postgres } = await import("postgres");
  const o = client.options as unknown as { host: string[]; port: number[]; user: string; pass?: string | null; ssl?: unknown };
  const connect = (database: string, max = 1) =>
    postgres({ host: o.host[0], port: o.port[0], user: o.user, pass: o.pass ?? undefined, ssl: o.ssl as never, database, max, onnotice: () => {} });
  const name = `tradsy_verify_${randomBytes(6).toString("hex")}`;
  // The maintenance database, as createdb uses; the app's own may be the one being dropped into.
  const admin = connect("postgres");
  try {
    await admin.unsafe(`create database "${name}"`);
    const scratch = connect(name, 2);
    try {
      return await work(name, scratch);
    } finally {
      await scratch.end({ timeout: 5 });
    }
  } finally {
    try {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await admin.end({ timeout: 5 });
    }
  }
}

/** Restores a backup's main file (already checked) into a scratch database and fingerprints it there. */
async function restoredFingerprints(handle: DatabaseHandle, manifest: Pick<BackupManifest, "engine">, file: string): Promise<TableFingerprints> {
  if (manifest.engine === "pglite") {
    const copy = await openPgliteCopy(new Blob([await fsp.readFile(file)], { type: "application/x-gzip" }));
    try {
      return await computeManifest(await drizzleOverPglite(copy));
    } finally {
      await copy.close();
    }
  }
  if (handle.kind !== "postgres") throw new Error("A PostgreSQL backup is verified against a PostgreSQL server: set DATABASE_URL");
  const client = handle.driver as Sql;
  return withScratchPostgres(client, async (name, scratch) => {
    await runTool("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", name, file], libpqEnv(client, name));
    return computeManifest(await drizzleOverPostgres(scratch));
  });
}

/** A failed verification raises the critical "backup_verification" alert: admins are emailed (once per 5 minutes). */
async function alertVerificationFailed(db: Db, backup: BackupRow, error: string, now: Date): Promise<void> {
  await raiseAlert(
    db,
    {
      metric: "backup_verification",
      level: "critical",
      value: 1,
      threshold: 1,
      summary: `Backup verification failed: ${backup.kind} backup ${backup.id}`,
      detail: `${error}\nThe backup (${backup.slot}, made ${backup.startedAt.toISOString()}) could not be restored to a copy matching its manifest. Make a new backup now and check the storage.`,
    },
    now,
  );
}

/**
 * Verifies a stored backup: downloads it, checks its sha256, restores it into a scratch database (PostgreSQL: a new
 * database + pg_restore; PGlite: loadDataDir into a new instance) and compares every table's row count and checksum
 * with the manifest. Records the outcome on the row; a failure raises the critical "backup_verification" alert.
 */
export async function verifyBackup(handle: DatabaseHandle, backupId: string, options: { now?: Date; storage?: BackupStorage } = {}): Promise<VerifyResult> {
  const db = handle.db;
  const storage = options.storage ?? backupStorage();
  const [backup] = await db.select().from(backups).where(eq(backups.id, backupId));
  if (!backup) throw new BackupNotFoundError(backupId);
  if (backup.status !== "completed" || !backup.location) throw new Error(`Backup ${backupId} is ${backup.status}: only a completed backup can be verified`);
  if (backup.prunedAt) throw new Error(`Backup ${backupId} was removed by retention on ${backup.prunedAt.toISOString()}`);
  let error: string | undefined;
  let tables: TableFingerprints | undefined;
  try {
    await withTempDir(async (dir) => {
      // The stored manifest is the reference; the row's copy stands in when storage has none.
      const manifest = (await storage.readManifest(backup.id)) ?? (backup.manifest as unknown as BackupManifest | null);
      if (!manifest?.tables) throw new Error(`Backup ${backupId} has no manifest`);
      const file = path.join(dir, backup.location!);
      await storage.get(backup.location!, file);
      if ((await sha256File(file)) !== (backup.sha256 ?? manifest.sha256)) throw new Error(SHA256_MISMATCH);
      if (manifest.sqlFile && manifest.sqlSha256) {
        const sqlFile = path.join(dir, manifest.sqlFile);
        await storage.get(manifest.sqlFile, sqlFile);
        if ((await sha256File(sqlFile)) !== manifest.sqlSha256) throw new Error(`${SHA256_MISMATCH} (the portable SQL dump ${manifest.sqlFile})`);
      }
      tables = await restoredFingerprints(handle, manifest, file);
      const problems = compareFingerprints(manifest.tables, tables);
      if (problems.length) throw new Error(`The restored copy differs from the manifest: ${problems.join("; ")}`);
    });
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const verifiedAt = options.now ?? new Date();
  await db
    .update(backups)
    .set({ verifiedAt, verification: error ? "failed" : "passed", verificationError: error ?? null })
    .where(eq(backups.id, backup.id));
  if (error) await alertVerificationFailed(db, backup, error, verifiedAt);
  return { backupId: backup.id, ok: !error, error, tables, verifiedAt };
}

export class BackupNotFoundError extends Error {
  constructor(id: string) {
    super(`No backup ${id}`);
    this.name = "BackupNotFoundError";
  }
}

// ---------------------------------------------------------------------------------------------------------------
// List and retention

/** Backups newest first (pruned ones too, for the history, unless `live`). */
export async function listBackups(db: Db, options: { limit?: number; live?: boolean } = {}): Promise<BackupRow[]> {
  return db
    .select()
    .from(backups)
    .where(options.live ? isNull(backups.prunedAt) : undefined)
    .orderBy(desc(backups.startedAt), desc(backups.id))
    .limit(options.limit ?? 200);
}

/** The newest completed backup still in storage: the one the daily verification checks. */
export async function newestCompletedBackup(db: Db): Promise<BackupRow | undefined> {
  const [row] = await db
    .select()
    .from(backups)
    .where(and(eq(backups.status, "completed"), isNull(backups.prunedAt)))
    .orderBy(desc(backups.startedAt), desc(backups.id))
    .limit(1);
  return row;
}

/** Removes a backup's files from storage. */
async function removeFiles(storage: BackupStorage, row: BackupRow): Promise<void> {
  const keys = [row.location, row.sqlLocation].filter((k): k is string => !!k);
  // A failed or abandoned attempt may have left files under the id without recording them.
  keys.push(backupFiles.pgDump(row.id), backupFiles.pgliteDataDir(row.id), backupFiles.portableSql(row.id));
  // The manifest goes first: without it the backup no longer counts as complete, whatever remains.
  await storage.remove(backupFiles.manifest(row.id));
  for (const key of new Set(keys)) await storage.remove(key);
}

/**
 * Applies retention (daily keep 7, weekly 4, monthly 12; manual kept until deleted; see `planRetention`): removes the
 * files of the backups it drops and sets their `prunedAt`. Returns the pruned ids.
 */
export async function applyRetention(db: Db, now: Date = new Date(), storage: BackupStorage = backupStorage()): Promise<string[]> {
  const rows = await db.select().from(backups).where(isNull(backups.prunedAt));
  const prune = planRetention(rows, now);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const done: string[] = [];
  for (const id of prune) {
    await removeFiles(storage, byId.get(id)!);
    await db.update(backups).set({ prunedAt: now }).where(eq(backups.id, id));
    done.push(id);
  }
  return done;
}

/** Deletes a backup on request (an admin's manual backup, usually): its files, then marks it pruned. */
export async function deleteBackup(db: Db, backupId: string, now: Date = new Date(), storage: BackupStorage = backupStorage()): Promise<void> {
  const [row] = await db.select().from(backups).where(eq(backups.id, backupId));
  if (!row) throw new BackupNotFoundError(backupId);
  await removeFiles(storage, row);
  await db.update(backups).set({ prunedAt: now }).where(inArray(backups.id, [backupId]));
}

export { BACKUP_SCHEDULES };

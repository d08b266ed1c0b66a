/**
 * Backups CLI: `npm run backup:create`, `npm run backup:verify [-- <id>]`, `npm run backup:list`
 * (and `backup:restore`, see RESTORE below).
 * Uses the app's database and storage settings (DATABASE_URL, BACKUP_DIR / BACKUP_S3_*). On PGlite the data directory
 * can be open in one process only: while the app runs, use the admin Backups page instead.
 */
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/env";
import { pgliteDir } from "@/server/db";
import { backupStorage, createBackup, listBackups, newestCompletedBackup, verifyBackup, type BackupRow } from "@/server/services/backups";
import { restoreBackup, RestoreRefusedError, type RestoreResult } from "@/server/services/restore";
import { HELD_KIND_LABEL, HELD_KINDS } from "@/lib/restore";
import { runCli, withDatabase } from "./run";

const USAGE = `Usage:
  backup.ts create            make a manual backup now (kept until deleted)
  backup.ts verify [<id>]     restore a backup (default: the newest completed) into a scratch database and compare
  backup.ts list              the backups, newest first
  backup.ts restore <id> [--yes]
                              replace the database with backup <id> (asks you to type the id unless --yes);
                              unfinished jobs, emails and copy orders come back held for review at /admin/backups`;

/**
 * PGlite writes postmaster.pid into its directory while it has it open (and removes it on close). A second process
 * opening the same directory would corrupt it, so refuse rather than guess.
 */
function pgliteInUse(): string | null {
  if (env.DATABASE_URL) return null;
  const pid = path.join(pgliteDir(), "postmaster.pid");
  if (!fs.existsSync(pid)) return null;
  return [
    `The embedded database in ${pgliteDir()} is open in another process (the app: npm run dev / npm start).`,
    "Stop the app and run this again, or use the admin Backups page (/admin/backups) while it runs.",
    `If nothing is running, a crash left ${pid} behind: remove it and run this again.`,
  ].join("\n");
}

function describe(b: BackupRow): string {
  const size = b.sizeBytes == null ? "" : ` ${(b.sizeBytes / 1024 / 1024).toFixed(2)} MB`;
  const verified = b.verification ? ` verified ${b.verification} ${b.verifiedAt?.toISOString() ?? ""}` : " not verified";
  const pruned = b.prunedAt ? ` pruned ${b.prunedAt.toISOString()}` : "";
  return `${b.id}  ${b.kind.padEnd(7)} ${b.status.padEnd(9)} ${b.startedAt.toISOString()}${size}${verified}${pruned}${b.error ? `\n    error: ${b.error}` : ""}`;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command || !["create", "verify", "list"].includes(command)) {
    if (command === "restore") return restore(args);
    console.error(USAGE);
    return 2;
  }
  const refusal = pgliteInUse();
  if (refusal) {
    console.error(refusal);
    return 1;
  }
  return withDatabase(async (handle) => {
    const storage = backupStorage();
    if (command === "create") {
      console.log(`Backing up the ${handle.kind === "postgres" ? "PostgreSQL" : "PGlite"} database to ${storage.describe()}…`);
      const backup = await createBackup(handle, { kind: "manual" }, storage);
      console.log(describe(backup));
      if (backup.sqlLocation) console.log(`Portable SQL dump (loads into PostgreSQL with psql): ${backup.sqlLocation}`);
      return 0;
    }
    if (command === "verify") {
      const id = args[0] ?? (await newestCompletedBackup(handle.db))?.id;
      if (!id) {
        console.error("No completed backup to verify: make one with npm run backup:create");
        return 1;
      }
      if (!/^bkp_[0-9a-z]{1,40}$/.test(id)) {
        console.error(`"${id}" is not a backup id (bkp_…): see npm run backup:list`);
        return 2;
      }
      const result = await verifyBackup(handle, id, { storage });
      if (!result.ok) {
        console.error(`Verification of ${id} FAILED: ${result.error}`);
        return 1;
      }
      console.log(`Verification of ${id} passed: ${Object.keys(result.tables ?? {}).length} tables restored with equal row counts and checksums.`);
      return 0;
    }
    const rows = await listBackups(handle.db);
    if (!rows.length) console.log(`No backups yet (storage: ${storage.describe()}).`);
    for (const b of rows) console.log(describe(b));
    return 0;
  });
}

/** Asks the operator to type the backup id; false on anything else. */
async function confirmTyped(id: string, engine: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    console.log(`This REPLACES the ${engine} database with backup ${id}: everything written since that backup is lost.`);
    const typed = await rl.question(`Type the backup id (${id}) to restore it: `);
    return typed.trim() === id;
  } finally {
    rl.close();
  }
}

function printRestored(r: RestoreResult): void {
  console.log(`Restored backup ${r.backupId} (${r.engine}); ${r.backupsResynced} backups re-read from storage.`);
  if (r.previousDataDir) console.log(`The replaced data directory is kept in ${r.previousDataDir} (delete it once you are sure).`);
  const total = HELD_KINDS.reduce((n, k) => n + r.held[k], 0);
  if (!total) {
    console.log("Nothing was in flight in the backup: nothing is held.");
    return;
  }
  console.log("Held for review (nothing of these is sent, run or placed until an admin releases it at /admin/backups):");
  for (const k of HELD_KINDS) if (r.held[k]) console.log(`  ${HELD_KIND_LABEL[k].label.padEnd(20)} ${r.held[k]}`);
}

async function restore(args: readonly string[]): Promise<number> {
  const yes = args.includes("--yes");
  const id = args.find((a) => !a.startsWith("--"));
  if (!id || !/^bkp_[0-9a-z]{1,40}$/.test(id)) {
    console.error(id ? `"${id}" is not a backup id (bkp_…): see npm run backup:list` : USAGE);
    return 2;
  }
  const engine = env.DATABASE_URL ? "PostgreSQL" : "PGlite";
  if (!yes) {
    if (!process.stdin.isTTY) {
      console.error("A restore replaces the database: run it in a terminal to confirm, or pass --yes.");
      return 2;
    }
    if (!(await confirmTyped(id, engine))) {
      console.error("Not confirmed: nothing was restored.");
      return 1;
    }
  }
  try {
    if (env.DATABASE_URL) {
      return await withDatabase(async (handle) => {
        printRestored(await restoreBackup(handle, id, { confirmed: true, log: (l) => console.log(l) }));
        return 0;
      });
    }
    const refusal = pgliteInUse();
    if (refusal) {
      console.error(refusal.replace("or use the admin Backups page (/admin/backups) while it runs", "(a PGlite restore swaps the directory)"));
      return 1;
    }
    printRestored(await restoreBackup({ kind: "pglite", dataDir: pgliteDir() }, id, { confirmed: true, log: (l) => console.log(l) }));
    return 0;
  } catch (err) {
    if (err instanceof RestoreRefusedError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

runCli(main);

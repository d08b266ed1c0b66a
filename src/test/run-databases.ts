/**
 * The PostgreSQL databases of one test run, and how a run tells its own from another run's.
 *
 * Every database a run creates is named `tradsy_t_<pid>_r<token>_…`: `<pid>` is the vitest main process (alive for
 * the whole run), `r<token>` is random per run. The prefix up to the token is the run's prefix. For as long as the
 * run lasts, its main process holds a session-level advisory lock keyed on that prefix (taken before its first
 * database is created, released after its last one is dropped).
 *
 * A run drops its own databases (by its prefix) when it ends. Another run's databases are left alone unless that
 * run is gone: its lock is free (the lock dies with the session, so with the process, wherever it ran) and its pid
 * is not a live process on this machine. Both must hold: the lock covers runs on other machines sharing the server,
 * the pid covers databases named before runs took a lock (`tradsy_t_<pid>_<random>`, no token), which have no lock
 * to find. Without this clean-up, a run killed before its teardown would leave its databases behind for ever.
 */
import type postgres from "postgres";

/** Advisory lock namespace (first key) for test runs: "tr". */
const LOCK_NAMESPACE = 0x7472;

const RUN_NAME = /^tradsy_t_(\d+)_(r[0-9a-z]{8})(?:_|$)/;
const LEGACY_NAME = /^tradsy_t_(\d+)_/;

export function newRunPrefix(pid = process.pid): string {
  const token = Array.from({ length: 8 }, () => "0123456789abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 36)]).join("");
  return `tradsy_t_${pid}_r${token}`;
}

/** LIKE pattern matching exactly the databases under `prefix` (underscores in it are literal). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}\\_%`;
}

/** The run a database belongs to: its prefix (null for a database named before runs had one) and the pid in its name. */
export function ownerOf(datname: string): { prefix: string | null; pid: number } | null {
  const run = RUN_NAME.exec(datname);
  if (run) return { prefix: `tradsy_t_${run[1]}_${run[2]}`, pid: Number(run[1]) };
  const legacy = LEGACY_NAME.exec(datname);
  return legacy ? { prefix: null, pid: Number(legacy[1]) } : null;
}

/** Takes the run's lock on `conn` (a reserved connection: the lock lives as long as that session). */
export async function lockRun(conn: postgres.Sql, prefix: string): Promise<void> {
  await conn`select pg_advisory_lock(${LOCK_NAMESPACE}::int, hashtext(${prefix}))`;
}

export async function unlockRun(conn: postgres.Sql, prefix: string): Promise<void> {
  await conn`select pg_advisory_unlock(${LOCK_NAMESPACE}::int, hashtext(${prefix}))`;
}

/** Whether some session holds the run's lock (tried and, when it was free, given back at once). */
async function runIsLive(conn: postgres.Sql, prefix: string): Promise<boolean> {
  const [row] = await conn<{ got: boolean }[]>`select pg_try_advisory_lock(${LOCK_NAMESPACE}::int, hashtext(${prefix})) as got`;
  if (!row!.got) return true;
  await unlockRun(conn, prefix);
  return false;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function dropDatabase(admin: postgres.Sql, name: string): Promise<void> {
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
}

/** Drops every database under `prefix` (the run's own, at its end). Returns their names. */
export async function dropRunDatabases(admin: postgres.Sql, prefix: string): Promise<string[]> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${likePrefix(prefix)}`;
  for (const { datname } of rows) await dropDatabase(admin, datname);
  return rows.map((r) => r.datname);
}

/**
 * Drops the test databases of runs that are gone (see the header), never those of a live run, this one included.
 * `conn` must be one session (a reserved connection), as the lock probe takes and gives back a lock on it.
 * Returns the names dropped.
 */
export async function dropStaleDatabases(conn: postgres.Sql, { alive = processAlive }: { alive?: (pid: number) => boolean } = {}): Promise<string[]> {
  const rows = await conn<{ datname: string }[]>`select datname from pg_database where datname like ${"tradsy\\_t\\_%"}`;
  const dropped: string[] = [];
  const liveRuns = new Map<string, boolean>();
  for (const { datname } of rows) {
    const owner = ownerOf(datname);
    if (!owner || alive(owner.pid)) continue;
    if (owner.prefix) {
      if (!liveRuns.has(owner.prefix)) liveRuns.set(owner.prefix, await runIsLive(conn, owner.prefix));
      if (liveRuns.get(owner.prefix)) continue;
    }
    await dropDatabase(conn, datname);
    dropped.push(datname);
  }
  return dropped;
}

/**
 * What every database CLI script does around its own work: open the app's database (PostgreSQL with DATABASE_URL,
 * else PGlite, one process at a time), always close it, and exit with the work's code (1, with the message, on an
 * error). One place, so a script cannot forget to close PGlite (which would keep its lock) or swallow a failure.
 */
import "server-only";
import { getDatabase, type DatabaseHandle } from "@/server/db";

/** Runs `work` with the database open and closes it afterwards, whatever happens. */
export async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await getDatabase();
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

/** Runs a script's `main` and exits the process with its code; an error prints its message and exits 1. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

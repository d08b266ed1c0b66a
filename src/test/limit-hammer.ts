/**
 * A stand-alone app process for the shared-limit tests (run with tsx by src/server/rate-limit-processes.test.ts):
 * opens the store the app would (the database at DATABASE_URL, or Redis when REDIS_URL is set), then takes
 * `attempts` points of one limit, `concurrency` at a time, and prints how many it was given as one JSON line.
 *
 * Arguments: <limit name> <key> <budget> <window seconds> <attempts> <concurrency> [pause ms after each take].
 */
import { getDatabase } from "@/server/db";
import { take, type LimitName } from "@/server/rate-limit";

const [name, key, budget, windowSec, attempts, concurrency, pauseMs = "0"] = process.argv.slice(2);
// A limit kept in Redis never opens the database (that is the point of the check below too).
if (!process.env.REDIS_URL) await getDatabase();
// One attempt on a key of its own first, so the store's connection is open before the race starts.
await take(name as LimitName, `warm-up-${process.pid}-${key}`, 1, 1);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
// Both processes start together: each waits for "go" on stdin so neither is done before the other has begun.
await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
let allowed = 0;
let refused = 0;
let next = 0;
async function worker() {
  while (next < Number(attempts)) {
    next++;
    if ((await take(name as LimitName, key!, Number(budget), Number(windowSec))) === null) allowed++;
    else refused++;
    // Spread out, so the other process's takes interleave with these even when its "go" arrives late on a busy machine.
    if (Number(pauseMs) > 0) await new Promise((r) => setTimeout(r, Number(pauseMs)));
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
process.stdout.write(`${JSON.stringify({ allowed, refused })}\n`);
process.exit(0);

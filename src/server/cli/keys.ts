/**
 * Encryption key CLI: `npm run keys:rotate [-- --batch 200]`.
 * Re-seals every stored sealed value with ENCRYPTION_KEY, opening it with ENCRYPTION_KEY_PREVIOUS where the current
 * key does not (README "Rotating the encryption key"). Safe to run again: values already current are skipped.
 * Uses the same client as the app (PostgreSQL with DATABASE_URL, else PGlite: stop `npm run dev` first).
 */
import "server-only";
import { env } from "@/env";
import { systemContext } from "@/server/services/context";
import { rotateSealedValues, ROTATION_BATCH } from "@/server/services/keys/rotation";
import { runCli, withDatabase } from "./run";

async function main(): Promise<number> {
  const [command, ...flags] = process.argv.slice(2);
  if (command !== "rotate") {
    console.error("Usage: keys.ts rotate [--batch <rows>]");
    return 2;
  }
  const batchFlag = flags.indexOf("--batch");
  const batch = batchFlag >= 0 ? Number(flags[batchFlag + 1]) : ROTATION_BATCH;
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) {
    console.error("--batch takes a whole number of rows from 1 to 10000");
    return 2;
  }
  if (!env.ENCRYPTION_KEY_PREVIOUS) console.warn("ENCRYPTION_KEY_PREVIOUS is not set: only counting values; nothing can be re-sealed without the old key.");
  return withDatabase(async () => {
    const report = await rotateSealedValues(systemContext(), { batch });
    for (const c of report.columns) {
      console.log(`${c.column}: ${c.resealed} re-sealed, ${c.current} already current, ${c.changed} changed meanwhile, ${c.unreadable.length} unreadable`);
      if (c.unreadable.length) console.log(`  unreadable ids (left as they are): ${c.unreadable.join(", ")}`);
    }
    if (!report.complete) {
      console.error("Some values open with neither key: keep ENCRYPTION_KEY_PREVIOUS (or find the key they were sealed with) before removing it.");
      return 1;
    }
    console.log("Every sealed value opens with ENCRYPTION_KEY: ENCRYPTION_KEY_PREVIOUS can be removed.");
    return 0;
  });
}

runCli(main);

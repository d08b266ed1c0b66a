/**
 * Database CLI: `npm run db:migrate`, `npm run db:seed [-- --force]`.
 * Uses the same client as the app (PostgreSQL with DATABASE_URL, else PGlite in <DATA_DIR>/pglite);
 * stop `npm run dev` first when using PGlite, which allows one process at a time.
 */
import "server-only";
import { migrateDatabase } from "@/server/db";
import { demoCredentialsBanner, isDatabaseEmpty, seedDemo } from "@/server/services/seed";
import { runCli, withDatabase } from "./run";

async function main(): Promise<number> {
  const [command, ...flags] = process.argv.slice(2);
  if (command !== "migrate" && command !== "seed") {
    console.error("Usage: db.ts <migrate|seed> [--force]");
    return 2;
  }
  return withDatabase(async (handle) => {
    await migrateDatabase(handle);
    console.log(`Migrated (${handle.kind}).`);
    if (command === "seed") {
      if (!(await isDatabaseEmpty(handle.db)) && !flags.includes("--force")) {
        console.log("The database already has users; not seeding (pass --force to add the demo data anyway).");
        return 0;
      }
      const result = await seedDemo(handle.db);
      console.log(`Seeded ${result.users} users and ${result.providers} providers.`);
      const { seedDemoBilling } = await import("@/server/services/seed/billing");
      // As at start-up: demo billing is a nicety; its failure must not leave the demo without track records.
      const billing = await seedDemoBilling().catch((err: unknown) => {
        console.warn(`Demo billing not seeded: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      });
      if (billing) console.log(`Demo billing: ${billing.providers} providers onboarded (dev Connect), ${billing.subscriptions} paid subscriptions through the dev checkout.`);
      const { backfillDemoTrackRecords } = await import("@/server/services/seed/track-records");
      const records = await backfillDemoTrackRecords(handle.db);
      const prices = { replay: "recorded prices", ccxt: "exchange prices", synthetic: "SYNTHETIC prices (no recordings, exchange unreachable)" };
      console.log(`Wrote ${records.signals} demo signals for ${records.providers} providers from ${records.prices ? prices[records.prices] : "no prices"}.`);
      const { backfillDemoCopying } = await import("@/server/services/seed/copy");
      const copying = await backfillDemoCopying(handle.db);
      if (copying) console.log(`Demo trader copies 2 providers on paper: ${copying.orders} copy orders over the last 30 days.`);
      console.log(demoCredentialsBanner());
    }
    return 0;
  });
}

runCli(main);

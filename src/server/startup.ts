/**
 * Server start-up, called once from `src/instrumentation.ts` before the first request:
 * refuse to start in production without secrets, open the database, migrate (always in embedded mode; on
 * PostgreSQL outside production), seed an empty embedded database, and start the in-process job scheduler when
 * no Inngest is configured.
 */
import "server-only";
import { env } from "@/env";
import { getDatabase, migrateDatabase } from "@/server/db";
import { logger } from "@/server/logger";
import { assertProductionSecrets } from "@/server/secrets";
import { demoCredentialsBanner, isDatabaseEmpty, seedDemo } from "@/server/services/seed";

export async function startServer(): Promise<void> {
  assertProductionSecrets();
  const handle = await getDatabase();
  if (handle.kind === "pglite" || env.NODE_ENV !== "production") {
    await migrateDatabase(handle);
  }
  if ((handle.kind === "pglite" || env.SEED_DEMO) && (await isDatabaseEmpty(handle.db))) {
    const result = await seedDemo(handle.db);
    logger.info(result, "seeded demo data");
    console.log(demoCredentialsBanner());
  }
  const { jobsMode } = await import("@/server/jobs/client");
  if (jobsMode() === "inline") {
    const { startInlineScheduler } = await import("@/server/jobs/inline/scheduler");
    startInlineScheduler();
    logger.info("jobs: inline runner (no Inngest configured)");
  }
}

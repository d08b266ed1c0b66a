/**
 * Server start-up, called once from `src/instrumentation.ts` before the first request:
 * refuse to start in production without secrets or APP_URL, open the database, migrate (always in embedded mode; on
 * PostgreSQL outside production), seed an empty embedded database, and, when no Inngest is configured, give the
 * in-process job runner its jobs, start it (runs left by a previous process resume) and its scheduler. Exchange
 * connections become the copy engine's serial venues here.
 */
import "server-only";
import { env } from "@/env";
import { getDatabase, migrateDatabase } from "@/server/db";
import { logger } from "@/server/logger";
import { assertAppUrlConfigured } from "@/server/http/base-url";
import { warnIfNoClientAddress } from "@/server/http/client-ip";
import { assertProductionSecrets } from "@/server/secrets";
import { demoCredentialsBanner, isDatabaseEmpty, seedDemo } from "@/server/services/seed";

export async function startServer(): Promise<void> {
  assertProductionSecrets();
  assertAppUrlConfigured();
  warnIfNoClientAddress();
  // Email: Resend when RESEND_API_KEY is set (refuses to start without EMAIL_FROM); otherwise the outbox is the mailbox.
  const { senderFromEnv, setEmailSender } = await import("@/server/services/email/delivery");
  const emailSender = senderFromEnv();
  if (emailSender) {
    setEmailSender(emailSender);
    logger.info({ sender: emailSender.name }, "email: sending through Resend (the email-drain job sends the outbox)");
  }
  const { jobsMode } = await import("@/server/jobs/client");
  const inlineJobs = jobsMode() === "inline";
  // Before anything can send a job event: the inline runner runs the jobs it is given (see jobs/inline/runner.ts).
  if (inlineJobs) (await import("@/server/jobs")).registerJobs();
  // Copy orders for exchange connections go through their ccxt clients (built on first use, one per connection).
  const [{ setVenueResolver }, { connectionVenue }] = await Promise.all([import("@/server/services/copy/venues"), import("@/server/services/exchanges/connections")]);
  setVenueResolver(connectionVenue);
  const handle = await getDatabase();
  if (handle.kind === "pglite" || env.NODE_ENV !== "production") {
    await migrateDatabase(handle);
  }
  const demo = handle.kind === "pglite" || env.SEED_DEMO;
  if (demo && (await isDatabaseEmpty(handle.db))) {
    const result = await seedDemo(handle.db);
    logger.info(result, "seeded demo data");
    const { seedDemoBilling } = await import("@/server/services/seed/billing");
    const billing = await seedDemoBilling().catch((err: unknown) => logger.warn({ err }, "demo billing not seeded"));
    if (billing) logger.info(billing, "demo billing seeded through the dev checkout");
    console.log(demoCredentialsBanner());
  }
  if (demo) {
    // Track records take a few seconds to compute and write: the server answers meanwhile, and providers show
    // "no signals yet" until theirs lands. Idempotent: providers that already have signals are skipped. Without
    // recordings or a reachable exchange they run on synthetic prices, which the marketplace labels.
    void import("@/server/services/seed/track-records")
      .then(({ backfillDemoTrackRecords }) => backfillDemoTrackRecords(handle.db))
      .then((r) => r.signals && logger.info(r, "demo track records ready"))
      // Then the demo trader's paper copies of two of them (once: skipped when the trader already copies someone).
      .then(() => import("@/server/services/seed/copy"))
      .then(({ backfillDemoCopying }) => backfillDemoCopying(handle.db))
      .catch((err: unknown) => logger.warn({ err }, "demo track records not written"));
  }
  if (inlineJobs) {
    // After the migrations: the runner's state is in the database. Runs left by a previous process resume here.
    const { drainInlineRunnerOnSignals, startInlineRunner } = await import("@/server/jobs/inline/runner");
    startInlineRunner();
    drainInlineRunnerOnSignals(env.JOBS_SHUTDOWN_GRACE_MS);
    const { startInlineScheduler } = await import("@/server/jobs/inline/scheduler");
    startInlineScheduler();
    logger.info("jobs: inline runner (no Inngest configured), state in the database");
  }
}

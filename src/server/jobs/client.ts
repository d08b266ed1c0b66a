/**
 * The Inngest client and the choice of job runtime.
 *
 * Two runtimes run the same job handlers (see ./define.ts):
 * - "inngest": an Inngest server (cloud, self-hosted `inngest start`, or the Dev Server) calls /api/inngest and
 *   owns scheduling, retries and flow control.
 * - "inline" (the offline default): jobs run inside this Node process; crons through ./inline/scheduler.ts,
 *   events through ./inline/runner.ts. No extra service to run, nothing durable across restarts.
 */
import "server-only";
import { Inngest } from "inngest";
import { env } from "@/env";
import { logger } from "@/server/logger";

export type JobsMode = "inngest" | "inline";

/**
 * `INNGEST_DEV` is either a flag or the Dev Server URL. "0"/"false" mean "explicitly not dev" (Inngest reads it the
 * same way), so they must not switch the app over to Inngest on their own.
 */
function devServerRequested(): boolean {
  const value = env.INNGEST_DEV?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

export function jobsMode(): JobsMode {
  return env.INNGEST_EVENT_KEY || env.INNGEST_SIGNING_KEY || devServerRequested() ? "inngest" : "inline";
}

// Constructing the client performs no I/O and needs no keys, so `next build` and the inline mode can import it.
// Keys left undefined fall back to Inngest's own env lookup, which reads the same variables.
export const inngest = new Inngest({
  id: "tradsy",
  eventKey: env.INNGEST_EVENT_KEY,
  signingKey: env.INNGEST_SIGNING_KEY,
  baseUrl: env.INNGEST_BASE_URL,
  // Only force dev mode on; when INNGEST_DEV holds a URL, Inngest reads that URL from the environment itself.
  isDev: devServerRequested() ? true : undefined,
  logger: logger.child({ component: "inngest" }),
});

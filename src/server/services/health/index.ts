/**
 * Readiness (`/api/ready`): whether this process can serve — the database answers `select 1`, the job runner runs
 * (the inline runner is polling, or Inngest is configured and runs the jobs), and the market-data adapter answers.
 * Each check is bounded by a timeout, so a hung dependency makes the answer "down", never a hung probe. Liveness
 * (`/api/health`) checks nothing: a process that answers is alive.
 *
 * The answer names each check's status and latency and a short reason when down, never an error's detail (it is
 * public): the detail goes to the log.
 */
import "server-only";
import { getDatabase } from "@/server/db";
import { rawQueryOn } from "@/server/db/raw";
import { logger } from "@/server/logger";
import { CcxtMarketData, getMarketData } from "@/server/integrations/market-data";

export type CheckName = "database" | "jobs" | "marketData";
export interface Check {
  status: "up" | "down";
  latencyMs: number;
  /** What it is ("postgres", "inline", "replay"…), or why it is down, in words safe to show anyone. */
  detail: string;
}
export interface Readiness {
  status: "ready" | "unavailable";
  checks: Record<CheckName, Check>;
}

export const CHECK_TIMEOUT_MS = 2000;
/** An exchange is asked at most this often: probes come every few seconds from every load balancer. */
const EXCHANGE_PROBE_TTL_MS = 30_000;

class TimedOut extends Error {}

async function timed(run: () => Promise<string>, timeoutMs: number, name: CheckName): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimedOut()), timeoutMs)));
  const latency = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const detail = await Promise.race([run(), timeout]);
    return { status: "up", latencyMs: latency(), detail };
  } catch (err) {
    if (err instanceof TimedOut) return { status: "down", latencyMs: latency(), detail: `no answer within ${timeoutMs} ms` };
    logger.warn({ err, check: name }, "readiness check failed");
    return { status: "down", latencyMs: latency(), detail: err instanceof CheckFailed ? err.message : "failed (see the server log)" };
  } finally {
    clearTimeout(timer);
  }
}

/** A failure whose message is safe to show. */
class CheckFailed extends Error {}

async function database(): Promise<string> {
  const handle = await getDatabase();
  await rawQueryOn(handle, "select 1");
  return handle.kind;
}

async function jobs(): Promise<string> {
  const { jobsMode } = await import("@/server/jobs/client");
  if (jobsMode() === "inngest") return "inngest";
  const { inlineRunner } = await import("@/server/jobs/inline/runner");
  if (!inlineRunner().polling) throw new CheckFailed("the inline job runner is not running");
  return "inline";
}

const g = globalThis as unknown as { __tradsyExchangeProbe?: { at: number; ok: Promise<boolean> } };

async function marketData(timeoutMs: number): Promise<string> {
  const market = getMarketData();
  if (market instanceof CcxtMarketData) {
    const last = g.__tradsyExchangeProbe;
    const probe = last && Date.now() - last.at < EXCHANGE_PROBE_TTL_MS ? last : (g.__tradsyExchangeProbe = { at: Date.now(), ok: market.reachable(timeoutMs) });
    if (!(await probe.ok)) throw new CheckFailed(`${market.source} does not answer`);
    return market.source;
  }
  // Recordings and the synthetic walk answer from memory: one quote says their data is there.
  const [first] = await market.listSymbols();
  if (!first) throw new CheckFailed(`${market.kind} has no symbols`);
  await market.lastPrice(first.symbol);
  return market.kind;
}

export async function checkReadiness(timeoutMs = CHECK_TIMEOUT_MS): Promise<Readiness> {
  const [db, jobRunner, market] = await Promise.all([timed(database, timeoutMs, "database"), timed(jobs, timeoutMs, "jobs"), timed(() => marketData(timeoutMs), timeoutMs, "marketData")]);
  const checks = { database: db, jobs: jobRunner, marketData: market };
  return { status: Object.values(checks).every((c) => c.status === "up") ? "ready" : "unavailable", checks };
}

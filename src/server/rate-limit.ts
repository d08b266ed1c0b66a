/** Per-key request budgets (in process; swap for RateLimiterPostgres/Redis when running several replicas). */
import "server-only";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { LimitExceededError } from "@/server/errors";

const limiters = new Map<string, RateLimiterMemory>();

function limiter(name: string, points: number, durationSec: number) {
  let l = limiters.get(name);
  if (!l) {
    l = new RateLimiterMemory({ keyPrefix: name, points, duration: durationSec });
    limiters.set(name, l);
  }
  return l;
}

export async function consume(name: string, key: string, points: number, durationSec: number): Promise<void> {
  try {
    await limiter(name, points, durationSec).consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) {
      const wait = Math.ceil(err.msBeforeNext / 1000);
      throw new LimitExceededError(`Too many attempts. Try again in ${wait} second${wait === 1 ? "" : "s"}.`);
    }
    throw err;
  }
}

/** Gives back a point `consume` took for an attempt that turned out to be a repeat of one already counted. */
export async function refund(name: string, key: string, points = 1): Promise<void> {
  await limiters.get(name)?.reward(key, points);
}

export function resetRateLimits(): void {
  limiters.clear();
}

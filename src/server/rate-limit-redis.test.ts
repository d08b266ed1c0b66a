/**
 * The Redis store (REDIS_URL): the same rules as the database store, each operation one atomic script. Runs when a
 * Redis answers on REDIS_URL or 127.0.0.1:6379, and is skipped with a message otherwise. Each test keeps its keys
 * under its own prefix, so runs sharing one Redis do not meet.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createRedisStore, type SharedStore } from "./rate-limit";
import { TEST_REDIS_URL as REDIS_URL, redisOrNull } from "@/test/redis";

const redis = await redisOrNull();
if (!redis) console.log(`skipped: no Redis answers at ${REDIS_URL} (set REDIS_URL or start one on 127.0.0.1:6379 to run these)`);
const prefixes: string[] = [];
afterAll(async () => {
  if (!redis) return;
  for (const p of prefixes) await createRedisStore(redis, p).reset();
  redis.disconnect();
});

function store(): { s: SharedStore; prefix: string } {
  const prefix = `tradsy-test:${randomUUID()}:`;
  prefixes.push(prefix);
  return { s: createRedisStore(redis!, prefix), prefix };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!redis)("the Redis store", () => {
  it("gives a window's budget, then refuses with the time left, and starts afresh when the window ends", async () => {
    const { s } = store();
    for (let i = 0; i < 3; i++) expect(await s.take("sign-up", "198.51.100.1", 3, 0.3)).toBeNull();
    const refused = await s.take("sign-up", "198.51.100.1", 3, 0.3);
    expect(refused!.retryAfterMs).toBeGreaterThan(0);
    expect(refused!.retryAfterMs).toBeLessThanOrEqual(300);
    expect(await s.take("sign-up", "198.51.100.2", 3, 0.3)).toBeNull(); // another key is untouched
    await sleep(350);
    expect(await s.take("sign-up", "198.51.100.1", 3, 0.3)).toBeNull();
  });

  it("counts a refused attempt not at all, and gives back a refunded point within the same window", async () => {
    const { s } = store();
    for (let i = 0; i < 2; i++) expect(await s.take("password-reset", "k", 2, 600)).toBeNull();
    for (let i = 0; i < 5; i++) expect(await s.take("password-reset", "k", 2, 600)).not.toBeNull();
    await s.refund("password-reset", "k", 1);
    expect(await s.take("password-reset", "k", 2, 600)).toBeNull();
    const refused = await s.take("password-reset", "k", 2, 600);
    expect(refused!.retryAfterMs).toBeGreaterThan(590_000); // the refund kept the window's end
    await s.refund("password-reset", "never-taken", 1); // nothing to give back: no key made
    expect(await s.take("password-reset", "never-taken", 1, 600)).toBeNull();
  });

  it("never lets concurrent attempts past the budget", async () => {
    const { s } = store();
    const results = await Promise.all(Array.from({ length: 200 }, () => s.take("mutation-ip", "203.0.113.9", 50, 600)));
    expect(results.filter((r) => r === null)).toHaveLength(50);
  });

  it("keeps a progressive delay: free failures, then a wait that doubles, refused attempts not counted; forgive clears it", async () => {
    const { s } = store();
    const policy = { free: 2, baseSec: 1, capSec: 2, forgetAfterSec: 600 };
    expect(await s.takeWithBackoff("sign-in-account", "a@example.com", policy)).toBeNull();
    expect(await s.takeWithBackoff("sign-in-account", "a@example.com", policy)).toBeNull();
    expect(await s.takeWithBackoff("sign-in-account", "a@example.com", policy)).toBeNull(); // the 3rd failure sets a 1 s wait
    const waiting = await s.takeWithBackoff("sign-in-account", "a@example.com", policy);
    expect(waiting!.retryAfterMs).toBeGreaterThan(800);
    expect(waiting!.retryAfterMs).toBeLessThanOrEqual(1000);
    await sleep(1050);
    expect(await s.takeWithBackoff("sign-in-account", "a@example.com", policy)).toBeNull(); // 4th: a 2 s wait (doubled)
    const doubled = await s.takeWithBackoff("sign-in-account", "a@example.com", policy);
    expect(doubled!.retryAfterMs).toBeGreaterThan(1800);
    await s.forgive("sign-in-account", "a@example.com");
    expect(await s.takeWithBackoff("sign-in-account", "a@example.com", policy)).toBeNull();
  });

  it("with no free failure, blocks from the first one; attempts racing in together are one failure each", async () => {
    const { s } = store();
    const policy = { free: 0, baseSec: 60, capSec: 600, forgetAfterSec: 600 };
    const results = await Promise.all(Array.from({ length: 20 }, () => s.takeWithBackoff("totp-account", "usr_1", policy)));
    expect(results.filter((r) => r === null)).toHaveLength(1);
  });

  it("stores no raw key, and reset forgets every count under its prefix only", async () => {
    const { s, prefix } = store();
    const other = store();
    await s.take("digest-subscribe-email", "someone@example.com", 5, 600);
    await other.s.take("digest-subscribe-email", "someone@example.com", 5, 600);
    const keys = await redis!.keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain("someone");
    await s.reset();
    expect(await redis!.keys(`${prefix}*`)).toHaveLength(0);
    expect(await redis!.keys(`${other.prefix}*`)).toHaveLength(1);
  });
});

/**
 * A shared store that does not answer (a Redis outage): the floors against floods (FAIL_OPEN_LIMITS) let requests
 * through with a logged warning, once a minute per limit, and every limit guarding accounts still fails closed.
 * The store is a Redis client on a closed port that gives up at once (no retries), so each test takes milliseconds.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { LEVEL, useRequestLogs } from "@/test/logs";
import { FAIL_OPEN_LIMITS, LIMITS, createRedisStore, replaceSharedStoreForTests, refund, take, takeWithBackoff, type LimitName } from "./rate-limit";

const down = new Redis("redis://127.0.0.1:1", { lazyConnect: true, connectTimeout: 200, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: true });
down.on("error", () => {});
const logs = useRequestLogs();
beforeEach(() => replaceSharedStoreForTests(createRedisStore(down, "tradsy-test-down:")));
afterAll(() => {
  replaceSharedStoreForTests(null);
  down.disconnect();
});

const ACCOUNT_GUARDS: LimitName[] = ["sign-in-ip", "totp-account", "totp-ip", "sign-up", "password-reset", "password-reset-confirm", "verify-email", "resend-verification", "account-delete"];
const FLOORS: LimitName[] = ["mutation-account", "mutation-ip", "rest-write-key", "rest-write-ip", "tradingview-token"];
const warnings = () => logs.lines.filter((l) => l.level === LEVEL.warn && l.msg.includes("fail-open"));

describe("rate limits while the shared store is down", () => {
  it("names exactly the flood floors as fail-open, all of them kept in the shared store", () => {
    expect([...FAIL_OPEN_LIMITS].sort()).toEqual([...FLOORS].sort());
    for (const name of FAIL_OPEN_LIMITS) expect(LIMITS[name]).toBe("database");
  });

  it.each(FLOORS)("%s lets the request through and logs a warning once a minute", async (name) => {
    expect(await take(name, "k", 1, 60)).toBeNull();
    expect(await take(name, "k", 1, 60)).toBeNull();
    await refund(name, "k");
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ limit: name });
  });

  it.each(ACCOUNT_GUARDS)("%s fails closed: the request fails, nothing passes unlimited", async (name) => {
    await expect(take(name, "k", 5, 60)).rejects.toThrow();
    expect(warnings()).toHaveLength(0);
  });

  it("the sign-in delays fail closed too", async () => {
    for (const name of ["sign-in-account", "sign-in-device"] as const) {
      await expect(takeWithBackoff(name, "k", { free: 3, baseSec: 1, capSec: 60, forgetAfterSec: 900 })).rejects.toThrow();
    }
  });
});

/**
 * The rate-limit store. Security limits live in the database, so every replica sees the same counts and a
 * restart does not hand out a fresh budget; the webhook's per-provider publish quota stays in process memory.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { count } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { rateLimits } from "@/server/db/schema";
import { consume, refund, resetRateLimits } from "./rate-limit";

const t = useTestDatabase();
beforeEach(() => resetRateLimits());

const rows = async () => (await t.db.select({ n: count() }).from(rateLimits))[0]!.n;

/** The rate-limit module as a freshly started process (or another replica) would load it: no in-memory state. */
async function restarted(): Promise<typeof import("./rate-limit")> {
  vi.resetModules();
  return import("./rate-limit");
}

describe("shared limits", () => {
  it("survive a restart: a fresh process over the same database still refuses", async () => {
    for (let i = 0; i < 10; i++) await consume("sign-up", "198.51.100.1", 10, 3600);
    await expect(consume("sign-up", "198.51.100.1", 10, 3600)).rejects.toThrow(/Try again in/);
    const fresh = await restarted();
    await expect(fresh.consume("sign-up", "198.51.100.1", 10, 3600)).rejects.toThrow(/Try again in 60 minutes\./);
    // Another key is untouched.
    await expect(fresh.consume("sign-up", "198.51.100.2", 10, 3600)).resolves.toBeUndefined();
  });

  it("are one budget across replicas", async () => {
    const other = await restarted();
    for (let i = 0; i < 5; i++) await consume("password-reset", "198.51.100.3", 10, 3600);
    for (let i = 0; i < 5; i++) await other.consume("password-reset", "198.51.100.3", 10, 3600);
    await expect(consume("password-reset", "198.51.100.3", 10, 3600)).rejects.toThrow(/Try again in/);
    await expect(other.consume("password-reset", "198.51.100.3", 10, 3600)).rejects.toThrow(/Try again in/);
    expect(await rows()).toBe(1);
  });

  it("never let concurrent attempts past the budget", async () => {
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => consume("sign-up", "198.51.100.4", 10, 3600)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(10);
  });

  it("give back a refunded point, and start afresh once the window has passed", async () => {
    for (let i = 0; i < 3; i++) await consume("verify-email", "198.51.100.5", 3, 1);
    await expect(consume("verify-email", "198.51.100.5", 3, 1)).rejects.toThrow(/Try again in 1 second\./);
    await refund("verify-email", "198.51.100.5");
    await expect(consume("verify-email", "198.51.100.5", 3, 1)).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 3; i++) await consume("verify-email", "198.51.100.5", 3, 1);
  });

  it("are cleared by resetRateLimits (tests use it to lift limits)", async () => {
    for (let i = 0; i < 10; i++) await consume("sign-up", "198.51.100.6", 10, 3600);
    await resetRateLimits();
    await expect(consume("sign-up", "198.51.100.6", 10, 3600)).resolves.toBeUndefined();
  });

  it("do not store the raw key (emails and addresses stay out of the table)", async () => {
    await consume("password-reset", "someone@example.com", 5, 3600);
    const [row] = await t.db.select().from(rateLimits);
    expect(JSON.stringify(row)).not.toContain("someone@example.com");
  });
});

describe("in-process limits", () => {
  it("keep the webhook's publish quota in memory: no database row on the hot path", async () => {
    for (let i = 0; i < 3; i++) await consume("publish-signal", "prv_1", 3, 60);
    await expect(consume("publish-signal", "prv_1", 3, 60)).rejects.toThrow(/Try again in/);
    expect(await rows()).toBe(0);
    await resetRateLimits();
    await expect(consume("publish-signal", "prv_1", 3, 60)).resolves.toBeUndefined();
  });
});

/**
 * A user runs at most MAX_RUNNING_PER_USER strategies live at once (each is a provider and a tick every minute):
 * the next start is refused with 429 and writes nothing; stopping one frees a place.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { candle, useFakeMarket } from "@/test/fake-market";
import { signedIn, trpcCode } from "@/test/factories";
import { actingAs } from "@/test/signals";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { providers, strategyRuns, users } from "@/server/db/schema";
import type { Candle } from "@/server/integrations/market-data";
import { MAX_RUNNING_PER_USER } from "./runs";
import { startRun, stopRun } from ".";

const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 0);
const fixture = (): Candle[] => Array.from({ length: 300 }, (_, i) => candle(T0 - (300 - i) * H, "100", "100.5", "99.5", "100"));
const input = { source: { kind: "curated" as const, curatedId: "ema-cross", params: { fast: 2, slow: 5 } }, symbol: "BTC/USDT", timeframe: "1h" as const, confirm: true as const };

describe("strategies running live per user", () => {
  it(`at most ${MAX_RUNNING_PER_USER} at once: the next is refused (429, nothing written), a stop frees a place`, async () => {
    market.setCandles("BTC/USDT", "1h", fixture());
    market.now = () => new Date(T0);
    const { user, caller } = await signedIn("provider");
    const ctx = actingAs(user, { now: new Date(T0) });
    const runs = [];
    for (let i = 0; i < MAX_RUNNING_PER_USER; i++) runs.push(await startRun(ctx, input));
    const providersBefore = (await t.db.select().from(providers).where(eq(providers.userId, user.id))).length;

    expect(await trpcCode(caller.strategyRuns.start(input))).toBe("TOO_MANY_REQUESTS");
    expect(await t.db.select().from(strategyRuns).where(eq(strategyRuns.userId, user.id))).toHaveLength(MAX_RUNNING_PER_USER);
    expect(await t.db.select().from(providers).where(eq(providers.userId, user.id))).toHaveLength(providersBefore);

    // Another user is not held up by this one's runs.
    const other = await signedIn("provider");
    await expect(startRun(actingAs(other.user, { now: new Date(T0) }), input)).resolves.toMatchObject({ userId: other.user.id });

    await stopRun(ctx, runs[0]!.id);
    await expect(startRun(ctx, input)).resolves.toMatchObject({ userId: user.id });
  });

  it("a start from a request that passed its session check before the account was deleted refuses, writing nothing", async () => {
    market.setCandles("BTC/USDT", "1h", fixture());
    market.now = () => new Date(T0);
    const { user } = await signedIn("provider");
    await t.db.update(users).set({ deletedAt: new Date(T0) }).where(eq(users.id, user.id));
    await expect(startRun(actingAs(user, { now: new Date(T0) }), input)).rejects.toThrow("This account was deleted");
    expect(await t.db.select().from(strategyRuns).where(eq(strategyRuns.userId, user.id))).toEqual([]);
    expect(await t.db.select().from(providers).where(eq(providers.userId, user.id))).toHaveLength(1);
  });
});

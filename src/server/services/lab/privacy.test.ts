/**
 * The strategy lab's tables in "Download your data" and account deletion (issue 19 with issue 17): the export holds
 * the user's trading profile, own strategies and backtests (another user's never); deletion erases the private lab
 * data (rule documents, backtests) and keeps the runs that back a public record.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { candle, useFakeMarket } from "@/test/fake-market";
import { createUser } from "@/test/factories";
import { actingAs } from "@/test/signals";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { providers, strategies, strategyBacktestRuns, strategyRuns, users } from "@/server/db/schema";
import { SMA_CROSS_RULES } from "@/lib/rules";
import { buildAccountExport } from "@/server/services/privacy/export";
import { DELETED_PROVIDER_NAME, deleteAccount } from "@/server/services/privacy/delete";
import { startBacktestSchema } from "@/lib/validation/lab";
import { startBacktest } from "./backtests";

const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

async function labUser(tag: string) {
  const user = await createUser("subscriber");
  await t.db.update(users).set({ riskTolerance: "high", experience: "expert" }).where(eq(users.id, user.id));
  const [strategy] = await t.db.insert(strategies).values({ userId: user.id, name: `strategy-${tag}`, rules: SMA_CROSS_RULES }).returning();
  const [backtest] = await t.db
    .insert(strategyBacktestRuns)
    .values({ userId: user.id, strategyId: strategy!.id, name: `backtest-${tag}`, symbol: "BTC/USDT", timeframe: "1h", status: "done", tradeCount: 3, stats: { "backtestingPy.returnPct": 1.5 } })
    .returning();
  return { user, strategy: strategy!, backtest: backtest! };
}

describe("the strategy lab and the user's data", () => {
  it("the export holds the trading profile, own strategies and own backtests, nothing of another's", async () => {
    const me = await labUser("mine");
    const other = await labUser("theirs");
    const doc = await buildAccountExport(actingAs(me.user));
    expect(doc.profile).toMatchObject({ riskTolerance: "high", experience: "expert" });
    expect(doc.strategies.map((s) => s.id)).toEqual([me.strategy.id]);
    expect(doc.strategyBacktests.map((b) => b.id)).toEqual([me.backtest.id]);
    const text = JSON.stringify(doc);
    expect(text).not.toContain(other.user.id);
    expect(text).not.toContain("backtest-theirs");
  });

  it("deleting the account erases its strategies and backtests, not another user's", async () => {
    const me = await labUser("mine");
    const other = await labUser("theirs");
    await deleteAccount(actingAs(me.user), { confirmEmail: me.user.email, password: "correct horse battery" });
    expect(await t.db.select().from(strategies).where(eq(strategies.userId, me.user.id))).toEqual([]);
    expect(await t.db.select().from(strategyBacktestRuns).where(eq(strategyBacktestRuns.userId, me.user.id))).toEqual([]);
    expect(await t.db.select().from(strategies).where(eq(strategies.userId, other.user.id))).toHaveLength(1);
    expect(await t.db.select().from(strategyBacktestRuns).where(eq(strategyBacktestRuns.userId, other.user.id))).toHaveLength(1);
    const [row] = await t.db.select({ riskTolerance: users.riskTolerance, experience: users.experience }).from(users).where(eq(users.id, me.user.id));
    expect(row).toEqual({ riskTolerance: null, experience: null });
  });

  it("a backtest started from a request that passed its session check before the account was deleted refuses, storing nothing", async () => {
    const H = 3_600_000;
    const start = Math.floor(Date.now() / H) * H - 200 * H;
    market.setCandles("BTC/USDT", "1h", Array.from({ length: 150 }, (_, i) => candle(start + i * H, "100", "101", "99", String(100 + (i % 7)))));
    const user = await createUser("subscriber");
    await t.db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, user.id));
    const input = startBacktestSchema.parse({ source: { kind: "curated", curatedId: "ema-cross", params: {} }, symbol: "BTC/USDT", timeframe: "1h" });
    await expect(startBacktest(actingAs(user), input)).rejects.toThrow("This account was deleted");
    expect(await t.db.select().from(strategyBacktestRuns).where(eq(strategyBacktestRuns.userId, user.id))).toEqual([]);
  });

  it("deleting the account stops its strategy runs and names their providers as deleted, the record kept", async () => {
    const me = await labUser("mine");
    const [auto] = await t.db
      .insert(providers)
      .values({ userId: me.user.id, slug: "my-bot", displayName: "Jane Doe's bot", tagline: "Jane's tagline", bio: "Jane's bio", automated: true, listedFrom: new Date(Date.now() + 86_400_000) })
      .returning();
    const [run] = await t.db
      .insert(strategyRuns)
      .values({ userId: me.user.id, providerId: auto!.id, curatedId: "ema-cross", name: "Jane Doe's bot", symbol: "BTC/USDT", timeframe: "1h", incubationEndsAt: auto!.listedFrom! })
      .returning();
    await deleteAccount(actingAs(me.user), { confirmEmail: me.user.email, password: "correct horse battery" });
    expect(await t.db.query.providers.findFirst({ where: eq(providers.id, auto!.id) })).toMatchObject({ displayName: DELETED_PROVIDER_NAME, tagline: "", bio: "", slug: "my-bot" });
    expect(await t.db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, run!.id) })).toMatchObject({ status: "stopped", name: DELETED_PROVIDER_NAME });
  });
});

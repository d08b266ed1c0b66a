/**
 * Kill switches and the copy stop-loss as the engine sees them (issue 13, acceptance 4, engine side): a platform or
 * provider switch (rows in copy_kill_switches) or a following paused by a kill switch stops every new entry at once
 * (skipped, reason kill_switch), while the exits of copies already open still run; a copy stop-loss reached by an
 * exit pauses the following, closes its other copies of that provider (manual legs) and skips its next entry.
 * Amounts are checked exactly against the independent model in src/test/copy.ts.
 */
import { describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider } from "@/test/signals";
import { copyingFollowers, copyOf, expectCopy, ModelCopy, settingIdOf, waitForFanouts, useCopyEngine } from "@/test/copy";
import { db } from "@/server/db";
import { copyKillSwitches, copySettings } from "@/server/db/schema";
import { closeSignal, publishSignal } from "@/server/services/signals";

useTestDatabase();
const market = useFakeMarket();
useCopyEngine();

const D = (v: Decimal.Value) => new Decimal(v);
const BTC = { symbol: "BTC/USDT", side: "long" as const, stopLoss: "31000" };
const ETH = { symbol: "ETH/USDT", side: "long" as const, stopLoss: "1900" };

type Provider = Awaited<ReturnType<typeof newProvider>>;

async function publish(p: Provider, input: typeof BTC | typeof ETH) {
  const { signal } = await publishSignal(actingAs(p.user), p.provider.id, input, "ui");
  await waitForFanouts(signal.id);
  return signal.id;
}

async function close(p: Provider, signalId: string) {
  await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId }, {});
  await waitForFanouts(signalId);
}

/** The follower's entry for the signal was skipped with this reason, and nothing opened. */
async function expectSkipped(userId: string, signalId: string, reason: string) {
  const { position, orders } = await copyOf(userId, signalId);
  expect(position, `${userId}: no position`).toBeNull();
  expect(orders.map((o) => [o.leg, o.status, o.reason?.split(":")[0]])).toEqual([["entry", "skipped", reason]]);
}

/** Two signals' models on one account: the balance is the start plus what each changed. */
const both = (a: ModelCopy, b: ModelCopy) => a.balance.plus(b.balance).minus(10000);

describe("kill switches in the fan-out", () => {
  for (const scope of ["platform", "provider"] as const) {
    it(`the ${scope} switch skips every new entry at once (kill_switch), exits of open copies still run; off again, entries resume`, async () => {
      const p = await newProvider();
      const other = await newProvider();
      const ids = await copyingFollowers(p.provider.id, 3);
      const [bystander] = await copyingFollowers(other.provider.id, 1);
      const first = await publish(p, BTC);
      const models = ids.map(() => ModelCopy.market("long", "32045.14", "200"));
      for (const [i, id] of ids.entries()) await expectCopy(id, first, models[i]!);

      await db.insert(copyKillSwitches).values({ scope, targetId: scope === "platform" ? "" : p.provider.id, reason: "test" });
      const second = await publish(p, ETH);
      for (const id of ids) await expectSkipped(id, second, "kill_switch");
      // Another provider's followers: stopped by the platform switch only.
      const theirs = await publish(other, ETH);
      if (scope === "platform") await expectSkipped(bystander!, theirs, "kill_switch");
      else await expectCopy(bystander!, theirs, ModelCopy.market("long", "2000.5", "200"));

      market.setPrice("BTC/USDT", "33000");
      await close(p, first);
      for (const [i, id] of ids.entries()) {
        models[i]!.exit("close", "33000");
        await expectCopy(id, first, models[i]!, { what: "exit under the switch" });
      }

      await db.delete(copyKillSwitches);
      market.setPrice("BTC/USDT", "32045.14");
      const third = await publish(p, BTC);
      const again = ModelCopy.market("long", "32045.14", "200");
      for (const [i, id] of ids.entries()) await expectCopy(id, third, again, { balance: both(models[i]!, again) });
    });
  }

  it("a following paused by its kill switch skips the next entry (kill_switch) while the others enter; its open copy still exits", async () => {
    const p = await newProvider();
    const [paused, running] = await copyingFollowers(p.provider.id, 2);
    const first = await publish(p, BTC);
    const models = [ModelCopy.market("long", "32045.14", "200"), ModelCopy.market("long", "32045.14", "200")];

    await db.update(copySettings).set({ pausedReason: "kill_switch", pausedAt: new Date() }).where(eq(copySettings.userId, paused!));
    const second = await publish(p, ETH);
    await expectSkipped(paused!, second, "kill_switch");
    const eth = ModelCopy.market("long", "2000.5", "200");
    await expectCopy(running!, second, eth, { balance: both(models[1]!, eth) });

    market.setPrice("BTC/USDT", "31000.5");
    await close(p, first);
    models[0]!.exit("close", "31000.5");
    models[1]!.exit("close", "31000.5");
    await expectCopy(paused!, first, models[0]!, { what: "paused, after the exit" });
    await expectCopy(running!, first, models[1]!, { what: "running, after the exit", balance: both(models[1]!, eth) });
  });
});

describe("copy stop-loss", () => {
  it("an exit losing more than half the allocation pauses the following (copy_stop), closes its other copies of the provider and skips its next entry", async () => {
    const p = await newProvider();
    // Fixed 5,000 per entry with up to 100% of equity per position, allocation 1,000: one bad trade can lose > 500.
    // No daily loss limit, so only the copy stop-loss can stop the next entry.
    const sizing = { sizingMode: "fixed" as const, fixedAmount: "5000", maxPositionPct: "1", allocatedAmount: "1000", dailyLossPct: null };
    const [guarded] = await copyingFollowers(p.provider.id, 1, { ...sizing, copyStopPct: "0.5" });
    const [unguarded] = await copyingFollowers(p.provider.id, 1, sizing);
    const users = [guarded!, unguarded!];

    const eth = await publish(p, ETH);
    const btc = await publish(p, { ...BTC, stopLoss: "27000" });
    const m = users.map(() => ({ eth: ModelCopy.market("long", "2000.5", "5000"), btc: ModelCopy.market("long", "32045.14", "5000") }));
    for (const [i, u] of users.entries()) {
      await expectCopy(u, eth, m[i]!.eth, { balance: both(m[i]!.eth, m[i]!.btc) });
      await expectCopy(u, btc, m[i]!.btc, { balance: both(m[i]!.eth, m[i]!.btc) });
    }

    market.setPrice("BTC/USDT", "28000");
    market.setPrice("ETH/USDT", "2100");
    await close(p, btc);
    for (const x of m) x.btc.exit("close", "28000");
    // What the copy stop-loss sees: the allocation plus this provider's P&L net of fees (the ETH copy is marked at
    // its fill, so only its entry fee counts), well under half of 1,000.
    const left = D(1000).plus(m[0]!.btc.realized).minus(m[0]!.btc.fees).minus(m[0]!.eth.fees);
    expect(left.lt(500)).toBe(true);
    expect(m[0]!.btc.realized.lt(-500)).toBe(true);

    // The guarded following: paused, its ETH copy closed at the market now (a manual leg, reason copy_stop).
    const [setting] = await db.select().from(copySettings).where(eq(copySettings.id, await settingIdOf(guarded!, p.provider.id)));
    expect([setting!.pausedReason, setting!.enabled]).toEqual(["copy_stop", true]);
    m[0]!.eth.exit("manual", "2100");
    await expectCopy(guarded!, btc, m[0]!.btc, { balance: both(m[0]!.eth, m[0]!.btc) });
    await expectCopy(guarded!, eth, m[0]!.eth, { balance: both(m[0]!.eth, m[0]!.btc) });
    expect((await copyOf(guarded!, eth)).orders.map((o) => [o.leg, o.reason])).toEqual([
      ["entry", null],
      ["manual", "copy_stop"],
    ]);
    // The unguarded one lost the same and keeps its ETH copy and its following.
    await expectCopy(unguarded!, eth, m[1]!.eth, { balance: both(m[1]!.eth, m[1]!.btc) });
    const [free] = await db.select().from(copySettings).where(eq(copySettings.id, await settingIdOf(unguarded!, p.provider.id)));
    expect(free!.pausedReason).toBeNull();

    market.setPrice("BTC/USDT", "32045.14");
    const next = await publish(p, BTC);
    await expectSkipped(guarded!, next, "paused");
    expect((await copyOf(guarded!, next)).orders[0]!.reason).toMatch(/copy stop-loss/);
    expect((await copyOf(unguarded!, next)).position?.status).toBe("open");
  });
});

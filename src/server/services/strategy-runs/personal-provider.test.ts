/**
 * A strategy running live owns an automated provider row; "the user's provider" must still be their personal one
 * (personalProviderOf) everywhere a user's provider is looked up by owner: here account.me, which the dashboard and
 * settings read.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { candle, useFakeMarket } from "@/test/fake-market";
import { signedIn } from "@/test/factories";
import { actingAs } from "@/test/signals";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { personalProviderOf, providers } from "@/server/db/schema";
import type { Candle } from "@/server/integrations/market-data";
import { startRun } from ".";

const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 0);
const fixture = (): Candle[] => Array.from({ length: 300 }, (_, i) => candle(T0 - (300 - i) * H, "100", "100.5", "99.5", "100"));

async function startFor(user: { id: string; role: "provider" | "admin" | "subscriber" }) {
  market.setCandles("BTC/USDT", "1h", fixture());
  market.now = () => new Date(T0);
  return startRun(actingAs(user, { now: new Date(T0) }), { source: { kind: "curated", curatedId: "ema-cross", params: { fast: 2, slow: 5 } }, symbol: "BTC/USDT", timeframe: "1h", confirm: true });
}

describe("account.me with a strategy running live", () => {
  it("an admin running a strategy has no provider profile of their own", async () => {
    const { user, caller } = await signedIn("admin");
    await startFor(user);
    expect((await caller.account.me()).provider).toBeNull();
  });

  it("a provider's profile is their personal one, not the strategy's, whichever row the database reads first", async () => {
    const { user, caller } = await signedIn("provider");
    const run = await startFor(user);
    // An update rewrites the personal row after the automated one (as an edit of the profile does).
    const [personal] = await t.db.update(providers).set({ tagline: "My own calls" }).where(personalProviderOf(user.id)).returning();
    const me = await caller.account.me();
    expect(me.provider?.id).toBe(personal!.id);
    expect(me.provider?.id).not.toBe(run.providerId);
    expect((await t.db.select().from(providers).where(eq(providers.userId, user.id))).length).toBe(2);
  });
});

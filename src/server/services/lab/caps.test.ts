/**
 * A user keeps at most MAX_STRATEGIES_PER_USER own strategies (all of which the lab's list shows): saving one more is
 * refused with 429 and writes nothing; another user is not held up; deleting one frees a place.
 */
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { signedIn, trpcCode } from "@/test/factories";
import { strategies, users } from "@/server/db/schema";
import { actingAs } from "@/test/signals";
import { SMA_CROSS_RULES } from "@/lib/rules";
import { createStrategy, MAX_STRATEGIES_PER_USER } from "./strategies";

const t = useTestDatabase();

describe("own strategies per user", () => {
  it(`at most ${MAX_STRATEGIES_PER_USER}: the next save is refused (429, nothing written), a delete frees a place`, async () => {
    const { user, caller } = await signedIn("subscriber");
    await t.db.insert(strategies).values(Array.from({ length: MAX_STRATEGIES_PER_USER }, (_, i) => ({ userId: user.id, name: `s${i}`, rules: SMA_CROSS_RULES })));

    expect(await trpcCode(caller.lab.strategies.create({ name: "One more", rules: SMA_CROSS_RULES }))).toBe("TOO_MANY_REQUESTS");
    expect(await t.db.select({ id: strategies.id }).from(strategies).where(eq(strategies.userId, user.id))).toHaveLength(MAX_STRATEGIES_PER_USER);
    expect(await caller.lab.strategies.list()).toHaveLength(MAX_STRATEGIES_PER_USER);

    const other = await signedIn("subscriber");
    await expect(other.caller.lab.strategies.create({ name: "Theirs", rules: SMA_CROSS_RULES })).resolves.toMatchObject({ name: "Theirs" });

    const [first] = await caller.lab.strategies.list();
    await caller.lab.strategies.delete({ id: first!.id });
    await expect(caller.lab.strategies.create({ name: "One more", rules: SMA_CROSS_RULES })).resolves.toMatchObject({ name: "One more" });
  });

  it("a save from a request that passed its session check before the account was deleted refuses, writing nothing", async () => {
    const { user } = await signedIn("subscriber");
    await t.db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, user.id));
    await expect(createStrategy(actingAs(user), { name: "Late", rules: SMA_CROSS_RULES })).rejects.toThrow("This account was deleted");
    expect(await t.db.select().from(strategies).where(eq(strategies.userId, user.id))).toEqual([]);
  });
});

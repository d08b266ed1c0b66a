import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { onboarding } from "@/server/db/schema";
import { callerFor, createUser, trpcCode } from "@/test/factories";
import { useTestDatabase } from "@/test/db";

const t = useTestDatabase();

describe("onboarding procedures", () => {
  it("reads the caller's own checklist, with its path and progress", async () => {
    const trader = await createUser("subscriber");
    const provider = await createUser("provider");
    const mine = await (await callerFor(trader)).onboarding.checklist();
    expect(mine).toMatchObject({ path: "trader", progress: { done: 1, total: 5, percent: 20 }, skippedAt: null });
    expect((await (await callerFor(provider)).onboarding.checklist()).path).toBe("provider");
    expect(await trpcCode((await callerFor(null)).onboarding.checklist())).toBe("UNAUTHORIZED");
  });

  it("skips and shows the caller's checklist only, never another user's", async () => {
    const a = await createUser("subscriber");
    const b = await createUser("subscriber");
    const asA = await callerFor(a);
    expect(await asA.onboarding.setSkipped({ skipped: true })).toEqual({ skipped: true });
    const rows = async (id: string) => (await t.db.select().from(onboarding).where(eq(onboarding.userId, id)))[0]!;
    expect((await rows(a.id)).checklistSkippedAt).toBeInstanceOf(Date);
    expect((await rows(b.id)).checklistSkippedAt).toBeNull();
    expect((await asA.onboarding.checklist()).skippedAt).toBeInstanceOf(Date);
    await asA.onboarding.setSkipped({ skipped: false });
    expect((await rows(a.id)).checklistSkippedAt).toBeNull();
    expect(await trpcCode((await callerFor(null)).onboarding.setSkipped({ skipped: true }))).toBe("UNAUTHORIZED");
  });

  it("refuses bad input with a clear message and writes nothing", async () => {
    const a = await createUser("subscriber");
    const asA = await callerFor(a);
    for (const bad of [{ skipped: "yes" }, {}, { skipped: true, userId: "usr_other" }, null]) {
      await expect(asA.onboarding.setSkipped(bad as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(asA.onboarding.setSkipped({ skipped: "yes" } as never)).rejects.toThrow(/hide the checklist/);
    expect((await t.db.select().from(onboarding).where(eq(onboarding.userId, a.id)))[0]!.checklistSkippedAt).toBeNull();
  });
});

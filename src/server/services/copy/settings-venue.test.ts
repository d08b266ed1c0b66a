/**
 * A following's venue (issue 14): follow settings send new copies to the paper account or to one of the follower's
 * own active exchange connections; any other id (someone else's connection, a removed or refused one, an unknown id,
 * an exchange name) is refused with a message saying what is allowed, and nothing is written. Connections are
 * inserted directly: whether a key works is the connections service's business, not this one's.
 */
import { describe, expect, it } from "vitest";
import { and, eq, like } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { createUser } from "@/test/factories";
import { actingAs, newProvider, subscribe } from "@/test/signals";
import { auditLog, copySettings, exchangeConnections, type ExchangeConnectionStatus } from "@/server/db/schema";
import { followSettingsSchema } from "@/lib/validation/copy";
import { ValidationError } from "@/server/errors";
import { getFollowSettings, listFollowings, saveFollowSettings } from "./settings";

const t = useTestDatabase();
useFakeMarket();

const settings = (input: Record<string, unknown> = {}) => followSettingsSchema.parse(input);

async function follower() {
  const p = await newProvider();
  const user = await createUser("subscriber");
  await subscribe(user.id, p.provider.id, "active");
  return { p, user, ctx: actingAs(user, { now: new Date("2026-03-01T12:00:00Z") }) };
}

async function connection(userId: string, status: ExchangeConnectionStatus = "active", label = `conn ${status}`) {
  const [row] = await t.db
    .insert(exchangeConnections)
    .values({ userId, exchangeId: "local", label, credentialsSealed: "sealed-test-blob", keyHint: "AbCd", status })
    .returning({ id: exchangeConnections.id });
  return row!.id;
}

async function refusal(p: Promise<unknown>): Promise<ValidationError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

const storedRow = (userId: string, providerId: string) => t.db.query.copySettings.findFirst({ where: and(eq(copySettings.userId, userId), eq(copySettings.providerId, providerId)) });

describe("a following's venue", () => {
  it("starts on paper, moves to one of the follower's active connections and back, and says so in the view and the audit", async () => {
    const { p, user, ctx } = await follower();
    expect((await getFollowSettings(user.id, p.provider.id)).venue).toBe("paper");
    const conn = await connection(user.id);

    const saved = await saveFollowSettings(ctx, p.provider.id, settings({ venue: conn, allocationPct: "0.2" }));
    expect(saved).toMatchObject({ venue: conn, saved: true });
    expect((await storedRow(user.id, p.provider.id))?.venue).toBe(conn);
    expect((await listFollowings(user.id)).followings[0]?.venue).toBe(conn);

    // Left out, the venue stays as it is.
    expect((await saveFollowSettings(ctx, p.provider.id, settings({ allocationPct: "0.3" }))).venue).toBe(conn);

    expect((await saveFollowSettings(ctx, p.provider.id, settings({ venue: "paper" }))).venue).toBe("paper");
    const audits = await t.db.select({ data: auditLog.data }).from(auditLog).where(like(auditLog.action, "copy.settings.update"));
    const venueChanges = audits.map((a) => (a.data as { changed: Record<string, unknown> }).changed.venue).filter(Boolean);
    expect(venueChanges).toEqual([
      { from: null, to: conn },
      { from: conn, to: "paper" },
    ]);
  });

  it("refuses another user's connection, and one of the follower's own that is not active, writing nothing", async () => {
    const { p, user, ctx } = await follower();
    const other = await createUser("subscriber");
    const theirs = await connection(other.id);
    const refused = await connection(user.id, "error");
    const removed = await connection(user.id, "removed");
    const removing = await connection(user.id, "removing");
    const unverified = await connection(user.id, "unverified");

    // No settings yet: a refusal must not create the row either.
    for (const venue of [theirs, refused, removed, removing, unverified, "exc_doesnotexist000000000"]) {
      const err = await refusal(saveFollowSettings(ctx, p.provider.id, settings({ venue })));
      expect(err.fieldErrors.venue?.[0]).toMatch(/paper account or to one of your active exchange connections/);
    }
    expect(await storedRow(user.id, p.provider.id)).toBeUndefined();

    // With settings saved: nothing changes, the other settings in the same call included.
    await saveFollowSettings(ctx, p.provider.id, settings({ allocationPct: "0.2" }));
    const before = await storedRow(user.id, p.provider.id);
    await refusal(saveFollowSettings(ctx, p.provider.id, settings({ venue: theirs, allocationPct: "0.5" })));
    expect(await storedRow(user.id, p.provider.id)).toEqual(before);
    // The other user's following is untouched by any of this.
    expect(await t.db.select().from(copySettings).where(eq(copySettings.userId, other.id))).toEqual([]);
  });

  it("keeps the venue a following already has when its connection has since been refused, so other settings still save", async () => {
    const { p, user, ctx } = await follower();
    const conn = await connection(user.id);
    await saveFollowSettings(ctx, p.provider.id, settings({ venue: conn }));
    await t.db.update(exchangeConnections).set({ status: "error", statusReason: "refused" }).where(eq(exchangeConnections.id, conn));

    expect(await saveFollowSettings(ctx, p.provider.id, settings({ venue: conn, allocationPct: "0.4" }))).toMatchObject({ venue: conn, settings: { allocationPct: "0.4" } });
    // Choosing it again after leaving it is a new choice, and refused.
    await saveFollowSettings(ctx, p.provider.id, settings({ venue: "paper" }));
    await refusal(saveFollowSettings(ctx, p.provider.id, settings({ venue: conn })));
    expect((await storedRow(user.id, p.provider.id))?.venue).toBe("paper");
  });

  it("refuses what is not a venue id by its shape, before any query", () => {
    for (const venue of ["binance", "", "exc_UPPER", "paper; drop table", 42]) {
      const r = followSettingsSchema.safeParse({ venue });
      expect(r.success, String(venue)).toBe(false);
    }
    expect(followSettingsSchema.parse({ venue: " paper " }).venue).toBe("paper");
    expect(followSettingsSchema.parse({}).venue).toBeUndefined();
  });
});

/**
 * Issue 15, acceptance 7 for email preferences: they are read and changed only by their owner (the session's user,
 * Settings) or by the holder of that user's signed unsubscribe link (the unsubscribe page); bad input (an hour of
 * 24, a zone that is not one, a provider that does not exist) is refused with a clear message and writes nothing;
 * revoking the links makes every earlier link refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser, trpcCode } from "@/test/factories";
import { newProvider, subscribe } from "@/test/signals";
import { changedTables, tableCounts as snapshot } from "@/test/tables";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { db } from "@/server/db";
import { auditLog, digestSubscribers, notificationPrefs, onboarding, providerAlertPrefs } from "@/server/db/schema";
import { unsubscribeToken } from "@/server/services/email/unsubscribe-link";
import { emailAllowed } from "@/server/services/email/preferences";
import { TRPCError } from "@trpc/server";

useTestDatabase();
// Sign-up starts the onboarding sequence's job in the background: let it settle so a snapshot sees only this test's writes.
const tableCounts = async (options?: Parameters<typeof snapshot>[0]) => {
  await waitForInlineRuns();
  return snapshot(options);
};
afterEach(() => waitForInlineRuns());

async function member() {
  const user = await createUser("subscriber");
  return { user, caller: await callerFor(user), token: (topic: "all" | "signals" = "all", v = 0) => unsubscribeToken({ userId: user.id }, topic, v) };
}

const anonymous = () => callerFor(null);
const prefsRow = async (userId: string) => (await db.select().from(notificationPrefs).where(eq(notificationPrefs.userId, userId)))[0];

/** The refusal's code and message, or "OK". */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message?: string }> {
  try {
    await p;
    return { code: "OK" };
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
}

describe("the owner in Settings", () => {
  it("reads the defaults, saves a patch (only the fields sent change) and gets the saved preferences back", async () => {
    const a = await member();
    const p = await newProvider();
    await subscribe(a.user.id, p.provider.id, "active");
    const initial = await a.caller.account.notificationPrefs();
    expect(initial).toMatchObject({ signalEmails: true, digestEmails: true, productEmails: true, copyEmails: true, digestHour: 8, timeZone: "UTC" });
    expect(initial.providers).toEqual([{ providerId: p.provider.id, displayName: p.provider.displayName, slug: p.provider.slug, newSignal: true, signalClosed: true }]);

    const saved = await a.caller.account.updateNotificationPrefs({ digestHour: 18, timeZone: "America/New_York", copyEmails: false, providers: [{ providerId: p.provider.id, newSignal: false, signalClosed: true }] });
    expect(saved).toMatchObject({ digestHour: 18, timeZone: "America/New_York", copyEmails: false, signalEmails: true, digestEmails: true });
    expect(saved.providers[0]).toMatchObject({ newSignal: false, signalClosed: true });
    expect(await emailAllowed(db, a.user.id, { kind: "new_signal", providerId: p.provider.id })).toBe(false);
    expect(await emailAllowed(db, a.user.id, { kind: "signal_closed", providerId: p.provider.id })).toBe(true);
    expect(await emailAllowed(db, a.user.id, { kind: "copy" })).toBe(false);
  });

  it("turning product email off stops the onboarding sequence", async () => {
    const a = await member();
    await db.insert(onboarding).values({ userId: a.user.id, path: "trader", sequenceStartedAt: new Date() }).onConflictDoUpdate({ target: onboarding.userId, set: { sequenceStoppedAt: null } });
    await a.caller.account.updateNotificationPrefs({ productEmails: false });
    expect((await db.select().from(onboarding).where(eq(onboarding.userId, a.user.id)))[0]!.sequenceStoppedAt).toBeInstanceOf(Date);
  });

  it("changes only the session's own preferences: another user's session cannot reach them, and nobody signed out can", async () => {
    const a = await member();
    const b = await member();
    await b.caller.account.updateNotificationPrefs({ signalEmails: false, digestHour: 3 });
    expect(await prefsRow(a.user.id)).toMatchObject({ signalEmails: true, digestHour: 8 });
    expect(await prefsRow(b.user.id)).toMatchObject({ signalEmails: false, digestHour: 3 });
    // The input has no owner field: one smuggled in is dropped, and the session's user is still the one changed.
    await b.caller.account.updateNotificationPrefs({ copyEmails: false, userId: a.user.id } as never);
    expect(await prefsRow(a.user.id)).toMatchObject({ copyEmails: true });

    const before = await tableCounts();
    const anon = await anonymous();
    expect(await trpcCode(anon.account.updateNotificationPrefs({ signalEmails: false }))).toBe("UNAUTHORIZED");
    expect(await trpcCode(anon.account.revokeUnsubscribeLinks())).toBe("UNAUTHORIZED");
    expect(await trpcCode(anon.account.notificationPrefs())).toBe("UNAUTHORIZED");
    expect(changedTables(before, await tableCounts())).toEqual({});
  });

  it("refuses bad input with a clear message and writes nothing", async () => {
    const a = await member();
    const before = await tableCounts();
    const cases: [unknown, RegExp][] = [
      [{ digestHour: 24 }, /from 0 \(midnight\) to 23/],
      [{ digestHour: -1 }, /from 0 \(midnight\) to 23/],
      [{ digestHour: 7.5 }, /whole hour/],
      [{ timeZone: "Mars/Base" }, /time zone from the list/],
      [{ timeZone: "" }, /Choose a time zone/],
      [{ providers: [{ providerId: "prv_doesnotexist", newSignal: false, signalClosed: false }] }, /No provider "prv_doesnotexist"/],
      [{ signalEmails: false, providers: [{ providerId: "prv_doesnotexist", newSignal: false, signalClosed: false }] }, /No provider/],
      [{}, /Nothing to change/],
      [{ signalEmails: "no" }, /./],
    ];
    for (const [input, message] of cases) {
      const r = await refusal(a.caller.account.updateNotificationPrefs(input as never));
      expect(r.code, JSON.stringify(input)).toBe("BAD_REQUEST");
      expect(r.message, JSON.stringify(input)).toMatch(message);
    }
    expect(changedTables(before, await tableCounts())).toEqual({});
  });

  it("revokes every link sent before: they are then refused everywhere, the revocation is audited, and new links work", async () => {
    const a = await member();
    const old = a.token();
    const anon = await anonymous();
    expect((await anon.unsubscribe.view({ token: old })).recipient).toBe("user");
    await a.caller.account.revokeUnsubscribeLinks();
    expect(await prefsRow(a.user.id)).toMatchObject({ unsubscribeVersion: 1 });
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "user.unsubscribe_links_revoked"))).toHaveLength(1);

    const before = await tableCounts();
    // Thunks: each call starts only when awaited (an array of started calls would reject unobserved).
    for (const call of [() => anon.unsubscribe.view({ token: old }), () => anon.unsubscribe.oneClick({ token: old }), () => anon.unsubscribe.update({ token: old, preferences: { signalEmails: false } })]) {
      const r = await refusal(call());
      expect(r).toMatchObject({ code: "BAD_REQUEST" });
      expect(r.message).toMatch(/revoked/);
    }
    expect(changedTables(before, await tableCounts())).toEqual({});
    expect((await anon.unsubscribe.update({ token: a.token("all", 1), preferences: { signalEmails: false } })).signalEmails).toBe(false);
  });
});

describe("the holder of an unsubscribe link", () => {
  it("sees the masked address, what the email was about and the preferences, without signing in", async () => {
    const a = await member();
    const p = await newProvider();
    await subscribe(a.user.id, p.provider.id, "active");
    const view = await (await anonymous()).unsubscribe.view({ token: unsubscribeToken({ userId: a.user.id }, `signals:${p.provider.id}`, 0) });
    if (view.recipient !== "user") throw new Error("expected a user");
    expect(view.emailMasked).not.toContain(a.user.email.split("@")[0]!);
    expect(view.emailMasked).toMatch(/^[a-z0-9]{2}•+@e•+\.com$/);
    expect(view.topic).toEqual({ kind: "provider", providerId: p.provider.id, displayName: p.provider.displayName });
    expect(view.preferences.providers.map((x) => x.providerId)).toEqual([p.provider.id]);
  });

  it("changes the preferences of the user the link names, and only theirs; a link rewritten to name someone else is refused", async () => {
    const a = await member();
    const b = await member();
    const anon = await anonymous();
    // B signed in, holding A's link: the link decides, not the session.
    await b.caller.unsubscribe.update({ token: a.token(), preferences: { digestEmails: false, timeZone: "Europe/Paris" } });
    expect(await prefsRow(a.user.id)).toMatchObject({ digestEmails: false, timeZone: "Europe/Paris" });
    expect(await prefsRow(b.user.id)).toMatchObject({ digestEmails: true, timeZone: "UTC" });

    const [, sig] = a.token().split(".");
    const forged = `${Buffer.from(JSON.stringify({ r: "u", id: b.user.id, v: 0, t: "all" })).toString("base64url")}.${sig}`;
    const before = await tableCounts();
    for (const call of [() => anon.unsubscribe.update({ token: forged, preferences: { signalEmails: false } }), () => anon.unsubscribe.oneClick({ token: forged }), () => anon.unsubscribe.view({ token: forged })]) {
      const r = await refusal(call());
      expect(r.code).toBe("BAD_REQUEST");
      expect(r.message).toMatch(/not valid/);
    }
    expect(changedTables(before, await tableCounts())).toEqual({});
  });

  it("refuses bad input with the same rules as Settings and writes nothing", async () => {
    const a = await member();
    const anon = await anonymous();
    const before = await tableCounts();
    for (const [preferences, message] of [
      [{ digestHour: 24 }, /to 23/],
      [{ timeZone: "Mars/Base" }, /time zone from the list/],
      [{ providers: [{ providerId: "prv_nope", newSignal: true, signalClosed: false }] }, /No provider "prv_nope"/],
    ] as const) {
      const r = await refusal(anon.unsubscribe.update({ token: a.token(), preferences: preferences as never }));
      expect(r.code).toBe("BAD_REQUEST");
      expect(r.message).toMatch(message);
    }
    expect(changedTables(before, await tableCounts())).toEqual({});
  });

  it("a per-provider choice through the link touches that provider only", async () => {
    const a = await member();
    const [p1, p2] = [await newProvider(), await newProvider()];
    await subscribe(a.user.id, p1.provider.id, "active");
    await subscribe(a.user.id, p2.provider.id, "active");
    const anon = await anonymous();
    const saved = await anon.unsubscribe.update({ token: a.token(), preferences: { providers: [{ providerId: p2.provider.id, newSignal: true, signalClosed: false }] } });
    expect(saved.providers.find((x) => x.providerId === p1.provider.id)).toMatchObject({ newSignal: true, signalClosed: true });
    expect(saved.providers.find((x) => x.providerId === p2.provider.id)).toMatchObject({ newSignal: true, signalClosed: false });
    expect(await db.select().from(providerAlertPrefs)).toHaveLength(1);
  });

  it("a weekly-digest subscriber stops and resumes that digest, and cannot touch an account's preferences", async () => {
    const [s] = await db.insert(digestSubscribers).values({ email: "reader@example.com", status: "confirmed", confirmedAt: new Date() }).returning();
    const token = unsubscribeToken({ digestSubscriberId: s!.id }, "weekly", 0);
    const anon = await anonymous();
    const view = await anon.unsubscribe.view({ token });
    expect(view).toMatchObject({ recipient: "digest", emailMasked: "re••••@e••••••.com", weekly: { subscribed: true, providerName: null } });
    expect(await anon.unsubscribe.setWeekly({ token, subscribed: false })).toEqual({ subscribed: false });
    expect((await db.select().from(digestSubscribers))[0]!.status).toBe("unsubscribed");
    expect(await anon.unsubscribe.setWeekly({ token, subscribed: true })).toEqual({ subscribed: true });
    expect((await db.select().from(digestSubscribers))[0]!.status).toBe("confirmed");
    expect(await trpcCode(anon.unsubscribe.update({ token, preferences: { signalEmails: false } }))).toBe("BAD_REQUEST");

    // Never confirmed (double opt-in): the link cannot switch it on.
    const [pending] = await db.insert(digestSubscribers).values({ email: "pending@example.com", status: "unsubscribed" }).returning();
    const r = await refusal(anon.unsubscribe.setWeekly({ token: unsubscribeToken({ digestSubscriberId: pending!.id }, "weekly", 0), subscribed: true }));
    expect(r).toMatchObject({ code: "BAD_REQUEST" });
    expect(r.message).toMatch(/never confirmed/);
    expect((await db.select().from(digestSubscribers).where(eq(digestSubscribers.id, pending!.id)))[0]!.status).toBe("unsubscribed");

    // A user's link cannot switch a weekly digest.
    const a = await member();
    expect(await trpcCode(anon.unsubscribe.setWeekly({ token: a.token(), subscribed: false }))).toBe("BAD_REQUEST");
  });
});

/**
 * Issue 15, acceptance 4 (first half): the one-click unsubscribe as a mail client sends it (RFC 8058: a POST with
 * `List-Unsubscribe=One-Click`, no cookie, no session), also for a link a year old; a forged, altered or revoked token
 * is refused with a 400 and writes nothing (every table compared before and after); a provider's link touches only
 * that provider; GET only leads to the page.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { newProvider, subscribe } from "@/test/signals";
import { changedTables, tableCounts as snapshot } from "@/test/tables";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { db } from "@/server/db";
import { digestSubscribers, notificationPrefs, onboarding, providerAlertPrefs, users } from "@/server/db/schema";
import { unsubscribeToken, unsubscribeUrlFor, type UnsubscribeTopic } from "@/server/services/email/unsubscribe-link";
import { revokeUnsubscribeLinks } from "@/server/services/email/preferences";
import { appBaseUrl } from "@/server/http/base-url";
import { GET, POST } from "./route";

useTestDatabase();
// Sign-up starts the onboarding sequence's job in the background: let it settle so a snapshot sees only this test's writes.
const tableCounts = async (options?: Parameters<typeof snapshot>[0]) => {
  await waitForInlineRuns();
  return snapshot(options);
};
afterEach(() => waitForInlineRuns());
afterEach(() => vi.useRealTimers());

const FORM = "application/x-www-form-urlencoded";

/** The POST a mail client sends: only the one-click body, no cookie, no Origin, no CSRF token. */
async function oneClick(token: string, init: { body?: BodyInit; contentType?: string; headers?: Record<string, string> } = {}) {
  const req = new Request(`${appBaseUrl()}/api/unsubscribe/${token}`, {
    method: "POST",
    headers: { "content-type": init.contentType ?? FORM, ...init.headers },
    body: init.body ?? "List-Unsubscribe=One-Click",
  });
  expect(req.headers.get("cookie")).toBeNull();
  const res = await POST(req, { params: Promise.resolve({ token }) });
  const text = await res.text();
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  return { status: res.status, body: text && isJson ? (JSON.parse(text) as { ok?: true; message?: string; error?: { message: string } }) : null, text, headers: res.headers };
}

const prefsOf = async (userId: string) => (await db.select().from(notificationPrefs).where(eq(notificationPrefs.userId, userId)))[0]!;
const tokenFor = (userId: string, topic: UnsubscribeTopic, version = 0) => unsubscribeToken({ userId }, topic, version);

/** A follower of two providers with a stored "on" for both, and an onboarding sequence running. */
async function follower() {
  const [a, b] = [await newProvider(), await newProvider()];
  const user = await createUser("subscriber");
  await subscribe(user.id, a.provider.id, "active");
  await subscribe(user.id, b.provider.id, "active");
  await db.insert(providerAlertPrefs).values([
    { userId: user.id, providerId: a.provider.id },
    { userId: user.id, providerId: b.provider.id },
  ]);
  // Sign-up may already have made the row (the onboarding sequence): either way the sequence is running.
  await db.insert(onboarding).values({ userId: user.id, path: "trader", sequenceStartedAt: new Date() }).onConflictDoUpdate({ target: onboarding.userId, set: { sequenceStartedAt: new Date(), sequenceStoppedAt: null } });
  return { user, a: a.provider, b: b.provider };
}

describe("POST one-click (RFC 8058)", () => {
  it("turns the link's topic off with no cookie or session, and a second POST changes nothing more", async () => {
    const { user } = await follower();
    const url = await unsubscribeUrlFor(db, { userId: user.id }, "digest");
    const token = url.split("/").at(-1)!;
    expect(url).toBe(`${appBaseUrl()}/api/unsubscribe/${token}`);

    const first = await oneClick(token);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ ok: true });
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(await prefsOf(user.id)).toMatchObject({ digestEmails: false, signalEmails: true, productEmails: true, copyEmails: true });

    const before = await tableCounts({ ignoreColumns: { notification_prefs: ["updated_at"] } });
    expect((await oneClick(token)).status).toBe(200);
    expect(changedTables(before, await tableCounts({ ignoreColumns: { notification_prefs: ["updated_at"] } }))).toEqual({});
  });

  it("accepts the multipart form some mail clients send", async () => {
    const { user } = await follower();
    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    const res = await POST(new Request(`${appBaseUrl()}/api/unsubscribe/x`, { method: "POST", body: form }), { params: Promise.resolve({ token: tokenFor(user.id, "copy") }) });
    expect(res.status).toBe(200);
    expect(await prefsOf(user.id)).toMatchObject({ copyEmails: false, digestEmails: true });
  });

  it("works for a link sent a year ago (links never expire)", async () => {
    const { user } = await follower();
    const token = tokenFor(user.id, "signals");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(Date.now() + 366 * 86_400_000));
    expect((await oneClick(token)).status).toBe(200);
    expect(await prefsOf(user.id)).toMatchObject({ signalEmails: false, digestEmails: true });
  });

  it("each topic turns off its own choice; product and all stop the onboarding sequence", async () => {
    for (const [topic, expected, stops] of [
      ["signals", { signalEmails: false, digestEmails: true, productEmails: true, copyEmails: true }, false],
      ["digest", { signalEmails: true, digestEmails: false, productEmails: true, copyEmails: true }, false],
      ["copy", { signalEmails: true, digestEmails: true, productEmails: true, copyEmails: false }, false],
      ["product", { signalEmails: true, digestEmails: true, productEmails: false, copyEmails: true }, true],
      ["all", { signalEmails: false, digestEmails: false, productEmails: false, copyEmails: false }, true],
    ] as const) {
      const { user } = await follower();
      expect((await oneClick(tokenFor(user.id, topic))).status, topic).toBe(200);
      expect(await prefsOf(user.id), topic).toMatchObject(expected);
      const [o] = await db.select().from(onboarding).where(eq(onboarding.userId, user.id));
      expect(o!.sequenceStoppedAt !== null, topic).toBe(stops);
    }
  });

  it("a provider's link turns off that provider's alerts only", async () => {
    const { user, a, b } = await follower();
    expect((await oneClick(tokenFor(user.id, `signals:${a.id}`))).status).toBe(200);
    const rows = await db.select().from(providerAlertPrefs).where(eq(providerAlertPrefs.userId, user.id));
    expect(rows.find((r) => r.providerId === a.id)).toMatchObject({ newSignal: false, signalClosed: false });
    expect(rows.find((r) => r.providerId === b.id)).toMatchObject({ newSignal: true, signalClosed: true });
    expect(await prefsOf(user.id)).toMatchObject({ signalEmails: true });
  });

  it("a digest subscriber's weekly link unsubscribes that subscription", async () => {
    const [s] = await db.insert(digestSubscribers).values({ email: "reader@example.com", status: "confirmed", confirmedAt: new Date() }).returning();
    const url = await unsubscribeUrlFor(db, { digestSubscriberId: s!.id }, "weekly");
    expect((await oneClick(url.split("/").at(-1)!)).status).toBe(200);
    expect((await db.select().from(digestSubscribers).where(eq(digestSubscribers.id, s!.id)))[0]!.status).toBe("unsubscribed");
  });

  it("answers 200 'already gone' for a signed link whose account was deleted, writing nothing", async () => {
    const { user } = await follower();
    const token = tokenFor(user.id, "all");
    await db.delete(users).where(eq(users.id, user.id));
    const before = await tableCounts();
    const res = await oneClick(token);
    expect(res.status).toBe(200);
    expect(res.body?.message).toMatch(/Nothing is sent to this address/);
    expect(changedTables(before, await tableCounts())).toEqual({});
  });
});

describe("refusals write nothing", () => {
  /** The token with one character of its payload or signature changed. */
  const alter = (token: string, part: 0 | 1) => {
    const pieces = token.split(".");
    const s = pieces[part]!;
    const i = Math.floor(s.length / 2);
    pieces[part] = s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    return pieces.join(".");
  };

  it("a forged token (payload changed to another user, or signature changed, or garbage) is a 400 and changes no row", async () => {
    const victim = await follower();
    const attacker = await follower();
    const own = tokenFor(attacker.user.id, "all");
    // The attacker's own valid token with the payload rewritten to name the victim, keeping the attacker's signature.
    const [, sig] = own.split(".");
    const payload = Buffer.from(JSON.stringify({ r: "u", id: victim.user.id, v: 0, t: "all" })).toString("base64url");
    const cases = { renamed: `${payload}.${sig}`, payloadByte: alter(own, 0), signatureByte: alter(own, 1), garbage: "not-a-token", empty: ".", threeParts: `${own}.x` };
    for (const [name, token] of Object.entries(cases)) {
      const before = await tableCounts();
      const res = await oneClick(token);
      expect(res.status, name).toBe(400);
      expect(res.body?.error?.message, name).toMatch(/not valid/);
      expect(changedTables(before, await tableCounts()), name).toEqual({});
    }
    expect(await prefsOf(victim.user.id)).toMatchObject({ signalEmails: true, digestEmails: true, productEmails: true, copyEmails: true });
  });

  it("a revoked token (the stored version moved on) is a 400 and changes no row; a new link works", async () => {
    const { user } = await follower();
    const old = tokenFor(user.id, "all", 0);
    await revokeUnsubscribeLinks(db, user.id);
    const before = await tableCounts();
    const res = await oneClick(old);
    expect(res.status).toBe(400);
    expect(res.body?.error?.message).toMatch(/revoked/);
    expect(changedTables(before, await tableCounts())).toEqual({});

    const fresh = (await unsubscribeUrlFor(db, { userId: user.id }, "all")).split("/").at(-1)!;
    expect((await oneClick(fresh)).status).toBe(200);
  });

  it("a body that is not the one-click form is a 400 that writes nothing", async () => {
    const { user } = await follower();
    const token = tokenFor(user.id, "all");
    const before = await tableCounts();
    for (const init of [
      { body: "" },
      { body: "List-Unsubscribe=Yes" },
      { body: '{"List-Unsubscribe":"One-Click"}', contentType: "application/json" },
      { body: "x".repeat(5000) },
    ]) {
      const res = await oneClick(token, init);
      expect([400, 413], init.body.slice(0, 20)).toContain(res.status);
    }
    expect(changedTables(before, await tableCounts())).toEqual({});
  });

  it("a browser posting the page's form without JavaScript is sent back to the page", async () => {
    const { user } = await follower();
    const token = tokenFor(user.id, "digest");
    const res = await oneClick(token, { headers: { accept: "text/html", "sec-fetch-mode": "navigate" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${appBaseUrl()}/unsubscribe/${token}?done=1`);
    expect(await prefsOf(user.id)).toMatchObject({ digestEmails: false });
  });

  it("a browser posting a forged link is refused with 400 too (a short page leading to the explanation), and nothing changes", async () => {
    const { user } = await follower();
    const [payload, signature] = tokenFor(user.id, "all").split(".") as [string, string];
    const forged = `${payload}.${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`;
    const before = await tableCounts();
    const res = await oneClick(forged, { headers: { accept: "text/html", "sec-fetch-mode": "navigate" } });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`/unsubscribe/${forged}`);
    expect(changedTables(before, await tableCounts())).toEqual({});
  });
});

describe("GET", () => {
  it("changes nothing and sends the person to the preferences page", async () => {
    const { user } = await follower();
    const token = tokenFor(user.id, "all");
    const before = await tableCounts();
    const res = await GET(new Request(`${appBaseUrl()}/api/unsubscribe/${token}`), { params: Promise.resolve({ token }) });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${appBaseUrl()}/unsubscribe/${token}`);
    expect(changedTables(before, await tableCounts())).toEqual({});
    const [row] = await db.select().from(providerAlertPrefs).where(and(eq(providerAlertPrefs.userId, user.id)));
    expect(row).toMatchObject({ newSignal: true });
  });
});

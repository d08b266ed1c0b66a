/**
 * Digests (issue 15, acceptance 5 and 7): the weekly digest's double opt-in (no email until confirmed, a single-use
 * confirmation), its content (closed signals and public figures only, never an open signal's levels), unsubscribe;
 * the daily digest at the user's local hour across a daylight-saving change, once a day, nothing when empty; the
 * monthly report's figures against the tables; bad input refused with nothing written.
 */
import { and, count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import {
  copySettings,
  digestSubscribers,
  emailOutbox,
  notificationPrefs,
  payments,
  positions,
  providerStats,
  signals,
  subscriptions,
} from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { systemContext } from "@/server/services/context";
import { renderForDelivery } from "@/server/services/email/outbox";
import { readUnsubscribeToken } from "@/server/services/email/unsubscribe-link";
import { useTestDatabase } from "@/test/db";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { callerFor, createUser, trpcCode, uniqueEmail } from "@/test/factories";
import { newProvider, subscribe } from "@/test/signals";
import { CONFIRM_REFUSED, sendDailyDigests, sendMonthlyReports, sendWeeklyDigests } from "./index";

useTestDatabase();
// Sign-ups start jobs (the onboarding sequence) in process: let them settle before the next test empties the tables.
afterEach(() => waitForInlineRuns());
beforeEach(() => resetRateLimits());

let seq = 0;
async function addSignal(
  providerId: string,
  s: { status: "open" | "closed"; symbol?: string; publishedAt: Date; closedAt?: Date; resultPct?: string; entry?: string; stop?: string; target?: string },
) {
  const [row] = await db
    .insert(signals)
    .values({
      providerId,
      number: ++seq,
      symbol: s.symbol ?? "BTC/USDT",
      side: "long",
      entryType: "market",
      entryPrice: s.entry ?? "100",
      initialStop: s.stop ?? "90",
      stopLoss: s.stop ?? "90",
      takeProfits: [{ price: s.target ?? "120", share: "1" }],
      source: "ui",
      status: s.status,
      publishedAt: s.publishedAt,
      closedAt: s.closedAt ?? null,
      resultPct: s.resultPct ?? null,
      exitReason: s.status === "closed" ? "target" : null,
      exitPrice: s.status === "closed" ? "110" : null,
      remaining: s.status === "closed" ? "0" : "1",
      prevHash: "0".repeat(64),
      hash: `${"a".repeat(58)}${String(seq).padStart(6, "0")}`,
    })
    .returning();
  return row!;
}

const emailsOf = (kind: string) => db.select().from(emailOutbox).where(eq(emailOutbox.kind, kind));
const outboxCount = async () => (await db.select({ n: count() }).from(emailOutbox))[0]!.n;
const subscriberCount = async () => (await db.select({ n: count() }).from(digestSubscribers))[0]!.n;

/** The confirmation link's token, from the recipient's copy of the newest confirmation email to `email`. */
async function confirmTokenFor(email: string): Promise<string> {
  const rows = await db.select().from(emailOutbox).where(and(eq(emailOutbox.kind, "digest_confirm"), eq(emailOutbox.to, email)));
  const row = rows.sort((a, b) => +b.createdAt - +a.createdAt)[0]!;
  expect(row.stream).toBe("transactional");
  expect(row.text).not.toMatch(/token=/); // the stored copy holds a placeholder, never the live link
  const { text } = renderForDelivery(row);
  const token = /\/digest\/confirm\?token=([A-Za-z0-9_%-]+)/.exec(text)?.[1];
  expect(token).toBeTruthy();
  return decodeURIComponent(token!);
}

const MONDAY = new Date("2026-12-07T09:00:00Z");
const IN_WEEK = new Date("2026-12-03T15:00:00Z");

describe("weekly digest: double opt-in", () => {
  it("sends nothing but the confirmation until confirmed; the link works once; then the week's closed signals", async () => {
    const { provider } = await newProvider();
    await addSignal(provider.id, { status: "closed", publishedAt: new Date("2026-12-01T10:00:00Z"), closedAt: IN_WEEK, resultPct: "0.0241" });
    const visitor = await callerFor(null);
    const email = uniqueEmail("reader");

    await expect(visitor.digests.subscribe({ email: `  ${email.toUpperCase()} `, providerSlug: provider.slug })).resolves.toEqual({ ok: true });
    const [row] = await db.select().from(digestSubscribers);
    expect(row).toMatchObject({ email, providerId: provider.id, status: "pending" });
    expect(row!.confirmTokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await emailsOf("digest_confirm")).toHaveLength(1);

    expect(await sendWeeklyDigests(systemContext(MONDAY))).toEqual({ queued: 0 });
    expect(await emailsOf("weekly_digest")).toHaveLength(0);

    const token = await confirmTokenFor(email);
    expect(row!.confirmTokenHash).not.toContain(token);
    await expect(visitor.digests.confirm({ token })).resolves.toEqual({ providerName: provider.displayName, providerSlug: provider.slug });
    const [confirmed] = await db.select().from(digestSubscribers);
    expect(confirmed).toMatchObject({ status: "confirmed", confirmTokenHash: null });
    // Single use: the same link again is refused with words for people, and changes nothing.
    await expect(visitor.digests.confirm({ token })).rejects.toMatchObject({ code: "BAD_REQUEST", message: CONFIRM_REFUSED });

    expect(await sendWeeklyDigests(systemContext(MONDAY))).toEqual({ queued: 1 });
    // A retried or duplicated tick queues nothing more.
    expect(await sendWeeklyDigests(systemContext(new Date(MONDAY.getTime() + 20 * 60_000)))).toEqual({ queued: 0 });
    const [weekly] = await emailsOf("weekly_digest");
    expect(weekly).toMatchObject({ to: email, stream: "marketing", dedupeKey: `digest:weekly:${row!.id}:2026-W50` });
    expect(weekly!.text).toContain("+2.41%");
    const claim = readUnsubscribeToken(weekly!.unsubscribeUrl!.split("/").at(-1)!);
    expect(claim).toMatchObject({ r: "d", id: row!.id, t: "weekly" });
    expect(renderForDelivery(weekly!).headers).toMatchObject({ "List-Unsubscribe": `<${weekly!.unsubscribeUrl}>` });
  });

  it("answers the same for a confirmed address and sends it nothing new", async () => {
    const { provider } = await newProvider();
    const visitor = await callerFor(null);
    const email = uniqueEmail("reader");
    await visitor.digests.subscribe({ email, providerSlug: provider.slug });
    await visitor.digests.confirm({ token: await confirmTokenFor(email) });
    const before = await outboxCount();
    await expect(visitor.digests.subscribe({ email, providerSlug: provider.slug })).resolves.toEqual({ ok: true });
    expect(await outboxCount()).toBe(before);
    expect((await db.select().from(digestSubscribers))[0]).toMatchObject({ status: "confirmed", confirmTokenHash: null });
  });

  it("stops after unsubscribing, and a new subscription needs a new confirmation", async () => {
    const { provider } = await newProvider();
    await addSignal(provider.id, { status: "closed", publishedAt: new Date("2026-12-01T10:00:00Z"), closedAt: IN_WEEK, resultPct: "0.01" });
    await addSignal(provider.id, { status: "closed", publishedAt: new Date("2026-12-08T10:00:00Z"), closedAt: new Date("2026-12-10T10:00:00Z"), resultPct: "0.02" });
    const visitor = await callerFor(null);
    const email = uniqueEmail("reader");
    await visitor.digests.subscribe({ email, providerSlug: provider.slug });
    await visitor.digests.confirm({ token: await confirmTokenFor(email) });
    // What the one-click unsubscribe (POST /api/unsubscribe/<token>) does to a digest subscriber.
    await db.update(digestSubscribers).set({ status: "unsubscribed" });
    expect(await sendWeeklyDigests(systemContext(MONDAY))).toEqual({ queued: 0 });

    await visitor.digests.subscribe({ email, providerSlug: provider.slug });
    expect((await db.select().from(digestSubscribers))[0]!.status).toBe("unsubscribed");
    expect(await sendWeeklyDigests(systemContext(MONDAY))).toEqual({ queued: 0 });
    await visitor.digests.confirm({ token: await confirmTokenFor(email) });
    expect(await sendWeeklyDigests(systemContext(new Date("2026-12-14T09:00:00Z")))).toEqual({ queued: 1 });
  });
});

describe("weekly digest: content", () => {
  it("holds closed signals and public figures only, never an open signal's levels", async () => {
    const { provider } = await newProvider();
    await db.insert(providerStats).values({
      providerId: provider.id,
      window: "all",
      closedSignals: 12,
      wins: 7,
      roi: "0.3412",
      winRate: "0.5833",
      maxDrawdown: "0.124",
      expectancy: "0.01",
      avgHoldHours: "10",
      ranked: true,
      score: "1.5",
      computedAt: IN_WEEK,
    });
    await addSignal(provider.id, { status: "closed", symbol: "ETH/USDT", publishedAt: new Date("2026-12-01T10:00:00Z"), closedAt: IN_WEEK, resultPct: "0.0241" });
    await addSignal(provider.id, {
      status: "open",
      symbol: "SOLX/USDT",
      publishedAt: new Date("2026-12-04T10:00:00Z"),
      entry: "12345.678",
      stop: "11111.222",
      target: "13579.864",
    });
    const visitor = await callerFor(null);
    for (const providerSlug of [provider.slug, undefined]) {
      const email = uniqueEmail("reader");
      await visitor.digests.subscribe({ email, providerSlug });
      await visitor.digests.confirm({ token: await confirmTokenFor(email) });
    }
    expect(await sendWeeklyDigests(systemContext(MONDAY))).toEqual({ queued: 2 });
    const sent = await emailsOf("weekly_digest");
    expect(sent).toHaveLength(2);
    for (const e of sent) {
      const { html, text } = renderForDelivery(e);
      for (const body of [html, text]) {
        expect(body).toContain("ETH/USDT");
        expect(body).toContain("+2.41%");
        expect(body).toContain("+34.12%"); // all-time ROI, as the profile shows it
        expect(body).toContain("58.33%");
        for (const secret of ["12345.678", "11111.222", "13579.864", "SOLX"]) expect(body).not.toContain(secret);
      }
    }
  });
});

describe("weekly digest: bad input and limits", () => {
  it("refuses bad input with a clear message and writes nothing", async () => {
    const { provider } = await newProvider();
    const visitor = await callerFor(null);
    const before = { outbox: await outboxCount(), subs: await subscriberCount() };
    await expect(visitor.digests.subscribe({ email: "not-an-email", providerSlug: provider.slug })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("Enter a valid email address") as unknown as string,
    });
    expect(await trpcCode(visitor.digests.subscribe({ email: uniqueEmail(), providerSlug: "no such provider!" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(visitor.digests.subscribe({ email: uniqueEmail(), providerSlug: "nobody-here" }))).toBe("NOT_FOUND");
    expect(await trpcCode(visitor.digests.confirm({ token: "short" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(visitor.digests.confirm({ token: "x".repeat(43) }))).toBe("BAD_REQUEST");
    expect({ outbox: await outboxCount(), subs: await subscriberCount() }).toEqual(before);
  });

  it("limits requests per address asked for and per client address", async () => {
    const { provider } = await newProvider();
    const email = uniqueEmail("target");
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) codes.push(await trpcCode((await callerFor(null, `198.51.100.${i + 1}`)).digests.subscribe({ email, providerSlug: provider.slug })));
    expect(codes).toEqual(["OK", "OK", "OK", "TOO_MANY_REQUESTS"]);
    expect(await emailsOf("digest_confirm")).toHaveLength(3);

    await resetRateLimits();
    const fromOne = await callerFor(null, "198.51.100.99");
    const byIp: string[] = [];
    for (let i = 0; i < 11; i++) byIp.push(await trpcCode(fromOne.digests.subscribe({ email: uniqueEmail("many") })));
    expect(byIp.slice(0, 10).every((c) => c === "OK")).toBe(true);
    expect(byIp[10]).toBe("TOO_MANY_REQUESTS");
  });
});

describe("daily digest", () => {
  async function reader(zone: string, hour: number) {
    const user = await createUser("subscriber");
    await db.update(notificationPrefs).set({ timeZone: zone, digestHour: hour }).where(eq(notificationPrefs.userId, user.id));
    return user;
  }

  it("goes out at 08:00 New York time across the March change, once, with levels only for the entitled", async () => {
    const { provider } = await newProvider();
    const paying = await reader("America/New_York", 8);
    const copying = await reader("America/New_York", 8);
    const idle = await reader("America/New_York", 8);
    const london = await reader("Europe/London", 8);
    await subscribe(paying.id, provider.id, "active");
    await db.insert(copySettings).values({ userId: copying.id, providerId: provider.id });
    await db.insert(subscriptions).values({ subscriberId: london.id, providerId: provider.id, status: "active" });
    await addSignal(provider.id, { status: "open", symbol: "LINK/USDT", publishedAt: new Date("2026-03-08T02:00:00Z"), entry: "17.345", stop: "16.111" });
    await addSignal(provider.id, { status: "closed", publishedAt: new Date("2026-03-05T02:00:00Z"), closedAt: new Date("2026-03-08T01:00:00Z"), resultPct: "-0.0102" });
    await db.insert(positions).values({
      userId: paying.id,
      providerId: provider.id,
      venue: "paper",
      symbol: "BTC/USDT",
      side: "long",
      quantity: "0",
      initialQuantity: "0.1",
      avgEntry: "100",
      markPrice: "110",
      realizedPnl: "12.4",
      status: "closed",
      lastSeq: 1,
      openedAt: new Date("2026-03-07T10:00:00Z"),
      closedAt: new Date("2026-03-08T03:00:00Z"),
    });

    // 13:00 UTC was 08:00 in New York the day before; on 8 March (EDT) it is 09:00: nobody there is due.
    expect((await sendDailyDigests(systemContext(new Date("2026-03-08T13:00:00Z")))).queued).toBe(0);
    const due = await sendDailyDigests(systemContext(new Date("2026-03-08T12:00:00Z")));
    expect(due.queued).toBe(2); // idle follows nobody: nothing to say, nothing sent
    expect(await sendDailyDigests(systemContext(new Date("2026-03-08T12:40:00Z")))).toMatchObject({ queued: 0 });

    const sent = await emailsOf("daily_digest");
    const of = (id: string) => sent.find((e) => e.userId === id);
    expect(of(idle.id)).toBeUndefined();
    expect(of(london.id)).toBeUndefined();
    const paid = of(paying.id)!;
    expect(paid).toMatchObject({ stream: "notification", dedupeKey: `digest:daily:${paying.id}:2026-03-08` });
    expect(paid.text).toContain("LINK/USDT");
    expect(paid.text).toContain("entry 17.345");
    expect(paid.text).toContain("-1.02%");
    expect(paid.text).toContain("+12.40 USDT realised on 1 closed copy");
    expect(readUnsubscribeToken(paid.unsubscribeUrl!.split("/").at(-1)!)).toMatchObject({ r: "u", id: paying.id, t: "digest" });
    const free = of(copying.id)!;
    expect(free.html + free.text).not.toContain("LINK/USDT");
    expect(free.text).toContain("Market, side and levels for subscribers");
    expect(free.html + free.text).not.toContain("17.345");
    expect(free.html + free.text).not.toContain("16.111");

    // London (GMT until 29 March) is due at 08:00 UTC the next day, and the digest off means none.
    await db.update(notificationPrefs).set({ digestEmails: false }).where(eq(notificationPrefs.userId, paying.id));
    await db.update(notificationPrefs).set({ timeZone: "Europe/London" }).where(eq(notificationPrefs.userId, paying.id));
    await addSignal(provider.id, { status: "open", symbol: "DOT/USDT", publishedAt: new Date("2026-03-08T20:00:00Z") });
    expect((await sendDailyDigests(systemContext(new Date("2026-03-09T08:00:00Z")))).queued).toBe(1);
    expect((await emailsOf("daily_digest")).find((e) => e.userId === london.id)?.dedupeKey).toBe(`digest:daily:${london.id}:2026-03-09`);
  });
});

describe("monthly report", () => {
  it("matches the tables for the month before, once per provider and month", async () => {
    const { provider, user } = await newProvider();
    const quiet = await newProvider();
    await db.update(notificationPrefs).set({ digestEmails: false }).where(eq(notificationPrefs.userId, quiet.user.id));
    await addSignal(quiet.provider.id, { status: "closed", publishedAt: new Date("2026-11-02T00:00:00Z"), closedAt: new Date("2026-11-03T00:00:00Z"), resultPct: "0.5" });
    const nov = (d: number) => new Date(Date.UTC(2026, 10, d, 12));
    await addSignal(provider.id, { status: "closed", publishedAt: nov(2), closedAt: nov(3), resultPct: "0.10" });
    await addSignal(provider.id, { status: "closed", publishedAt: nov(4), closedAt: nov(6), resultPct: "-0.05" });
    await addSignal(provider.id, { status: "open", publishedAt: nov(20) });
    await addSignal(provider.id, { status: "closed", publishedAt: new Date("2026-10-20T00:00:00Z"), closedAt: new Date("2026-10-30T00:00:00Z"), resultPct: "0.9" });
    const a = await createUser("subscriber");
    const b = await createUser("subscriber");
    await db.insert(subscriptions).values([
      { subscriberId: a.id, providerId: provider.id, status: "active", createdAt: nov(10) },
      { subscriberId: b.id, providerId: provider.id, status: "canceled", createdAt: new Date("2026-10-01T00:00:00Z"), canceledAt: nov(15) },
    ]);
    const pay = (id: string, share: number, paidAt: Date) => ({
      stripeInvoiceId: id,
      providerId: provider.id,
      amountCents: share + 90,
      platformFeeCents: 90,
      providerShareCents: share,
      paidAt,
    });
    await db.insert(payments).values([pay("in_1", 210, nov(10)), pay("in_2", 490, nov(28)), pay("in_3", 999, new Date("2026-12-01T01:00:00Z"))]);

    const at = new Date("2026-12-01T09:00:00Z");
    expect(await sendMonthlyReports(systemContext(at))).toEqual({ queued: 1, month: "2026-11" });
    expect(await sendMonthlyReports(systemContext(at))).toEqual({ queued: 0, month: "2026-11" });
    const [report] = await emailsOf("monthly_report");
    expect(report).toMatchObject({ to: user.email, stream: "notification", dedupeKey: `digest:monthly:${provider.id}:2026-11` });
    const text = report!.text.replace(/\s+/g, " ");
    expect(text).toContain("NOVEMBER 2026");
    expect(report!.subject).toBe("Your November 2026 on Tradsy");
    expect(text).toMatch(/Signals published 3 /);
    expect(text).toMatch(/Signals closed 2 /);
    expect(text).toMatch(/Win rate \(closed\) 50\.0% /);
    expect(text).toMatch(/Return \(compounded, after fees\) \+4\.50% /);
    expect(text).toMatch(/Subscribers gained 1 /);
    expect(text).toMatch(/Subscribers lost 1 /);
    expect(text).toMatch(/Earnings \(your share\) \$7\.00 /);
  });
});

describe("paging", () => {
  it("reaches every due user and every confirmed subscriber across pages", async () => {
    const { provider } = await newProvider();
    await addSignal(provider.id, { status: "closed", publishedAt: new Date("2026-12-01T10:00:00Z"), closedAt: IN_WEEK, resultPct: "0.01" });
    const readers = [];
    for (let i = 0; i < 5; i++) {
      const u = await createUser("subscriber");
      await db.update(notificationPrefs).set({ timeZone: "Asia/Tokyo", digestHour: 9 }).where(eq(notificationPrefs.userId, u.id));
      await subscribe(u.id, provider.id, "active");
      readers.push(u.id);
    }
    // 2026-12-04T00:00Z is 09:00 in Tokyo; the signal closed within the day before.
    expect(await sendDailyDigests(systemContext(new Date("2026-12-04T00:00:00Z")), { pageSize: 2 })).toMatchObject({ queued: 5 });
    expect((await emailsOf("daily_digest")).map((e) => e.userId).sort()).toEqual(readers.sort());

    const visitor = await callerFor(null);
    for (let i = 0; i < 5; i++) {
      const email = uniqueEmail("page");
      await visitor.digests.subscribe({ email, providerSlug: provider.slug });
      await visitor.digests.confirm({ token: await confirmTokenFor(email) });
    }
    expect(await sendWeeklyDigests(systemContext(MONDAY), { pageSize: 2 })).toEqual({ queued: 5 });
  });
});

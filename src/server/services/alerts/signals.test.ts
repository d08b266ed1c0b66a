/**
 * Signal alerts end to end: signals published and closed through the signals service, the `signal-alerts` job run by
 * the inline runner after its debounce, the emails in the outbox. A burst goes out as one email per follower listing
 * every signal of it; email choices (account-wide and per provider) are honoured; a reader who is not entitled sees
 * no levels; a retried or repeated run mails nothing twice; the closed email carries the track record's result.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { createUser } from "@/test/factories";
import { actingAs, newProvider, subscribe } from "@/test/signals";
import { db } from "@/server/db";
import { copySettings, emailOutbox, jobRuns, notificationPrefs, providerAlertPrefs, signalAlerts as signalAlertRows, signals } from "@/server/db/schema";
import { runJob, waitForInlineRuns } from "@/server/jobs/inline/runner";
import { signalAlerts } from "@/server/jobs/functions/signal-alerts";
import { resetRateLimits } from "@/server/rate-limit";
import { closeSignal, publishSignal } from "@/server/services/signals";
import { emailAllowed } from "@/server/services/email/preferences";
import { readUnsubscribeToken } from "@/server/services/email/unsubscribe-link";
import { percent, rMultiple } from "@/components/track-record/format";
import { alertRecipients, queueSignalAlerts } from "./signals";

useTestDatabase();
const market = useFakeMarket();

// The job as the app runs it: debounced per provider (under test it is not, see signal-alerts.ts), with a window
// wide enough that three publications in a row always fall in one burst, however slow the machine.
const flow = signalAlerts.job.flow!;
beforeAll(() => {
  flow.debounce = { periodMs: 1_500, key: "event.data.providerId", timeoutMs: 300_000 };
});
afterAll(() => {
  flow.debounce = null;
});
beforeEach(() => {
  resetRateLimits();
  market.setPrice("BTC/USDT", "64000");
  market.setPrice("ETH/USDT", "3400");
  market.setPrice("EUR/USD", "1.08555");
});
afterEach(() => waitForInlineRuns());

/** Levels of the three signals of the burst: none may reach a reader who is not entitled. */
const BURST = [
  { symbol: "BTC/USDT", side: "long" as const, stopLoss: "62111.11", takeProfits: [{ price: "66777.77", share: "1" }] },
  { symbol: "ETH/USDT", side: "short" as const, stopLoss: "3522.22" },
  { symbol: "EUR/USD", side: "long" as const, stopLoss: "1.07777" },
];
const LEVELS = ["BTC/USDT", "ETH/USDT", "EUR/USD", "62,111.11", "66,777.77", "3,522.22", "1.07777", "64,000", "3,400", "1.08555"];

/**
 * A provider and its audience: an entitled subscriber, a free follower (a following without a subscription), a
 * subscriber who turned this provider's alerts off, one who turned signal emails off everywhere, a lapsed subscriber
 * without a following, and a subscriber of another provider.
 */
async function world() {
  const p = await newProvider();
  const other = await newProvider();
  const entitled = await createUser("subscriber", { name: "Entitled" });
  const free = await createUser("subscriber", { name: "Free" });
  const mutedHere = await createUser("subscriber", { name: "Muted here" });
  const mutedAll = await createUser("subscriber", { name: "Muted all" });
  const lapsed = await createUser("subscriber", { name: "Lapsed" });
  const elsewhere = await createUser("subscriber", { name: "Elsewhere" });
  await subscribe(entitled.id, p.provider.id, "active");
  await db.insert(copySettings).values({ userId: free.id, providerId: p.provider.id });
  await subscribe(mutedHere.id, p.provider.id, "active");
  await db.insert(providerAlertPrefs).values({ userId: mutedHere.id, providerId: p.provider.id, newSignal: false, signalClosed: false });
  await subscribe(mutedAll.id, p.provider.id, "trialing");
  await setPrefs(mutedAll.id, false);
  await subscribe(lapsed.id, p.provider.id, "canceled");
  await subscribe(elsewhere.id, other.provider.id, "active");
  return { p, other, entitled, free, mutedHere, mutedAll, lapsed, elsewhere };
}

/** A user's account-wide choices (sign-up wrote the defaults; null: no row at all, which means the defaults too). */
async function setPrefs(userId: string, signalEmails: boolean | null) {
  if (signalEmails === null) await db.delete(notificationPrefs).where(eq(notificationPrefs.userId, userId));
  else await db.insert(notificationPrefs).values({ userId, signalEmails }).onConflictDoUpdate({ target: notificationPrefs.userId, set: { signalEmails } });
}

const alertsOf = (kind: "new_signal" | "signal_closed") => db.select().from(emailOutbox).where(eq(emailOutbox.kind, kind));
const to = async (kind: "new_signal" | "signal_closed", userId: string) =>
  db.select().from(emailOutbox).where(and(eq(emailOutbox.kind, kind), eq(emailOutbox.userId, userId)));

async function publish(p: Awaited<ReturnType<typeof newProvider>>, input: (typeof BURST)[number]) {
  return (await publishSignal(actingAs(p.user), p.provider.id, input, "ui")).signal;
}

describe("new-signal alerts", () => {
  it("a burst of 3 signals goes out as one email per follower listing all 3; muted followers get none; the free follower sees no levels", async () => {
    const w = await world();
    for (const s of BURST) await publish(w.p, s);
    await waitForInlineRuns();

    const runs = await db.select().from(jobRuns).where(eq(jobRuns.jobId, "signal-alerts"));
    expect(runs.map((r) => r.status)).toEqual(["completed"]);
    const all = await alertsOf("new_signal");
    expect(all.map((e) => e.userId).sort()).toEqual([w.entitled.id, w.free.id].sort());

    const [mine] = await to("new_signal", w.entitled.id);
    expect(mine).toMatchObject({ to: w.entitled.email, stream: "notification", subject: `${w.p.provider.displayName} published 3 new signals` });
    for (const n of ["#1", "#2", "#3"]) expect(mine!.text).toContain(`Signal ${n}`);
    for (const level of ["BTC/USDT long", "ETH/USDT short", "EUR/USD long", "62,111.11", "66,777.77 (100%)", "3,522.22", "1.07777", "Market 64,000.00", "Market 1.08555"]) {
      expect(mine!.text).toContain(level);
    }
    // The one-click link unsubscribes this reader from this provider's alerts.
    const token = mine!.unsubscribeUrl!.split("/api/unsubscribe/")[1]!;
    expect(mine!.text).toContain(mine!.unsubscribeUrl!);
    expect(mine!.html).toContain(mine!.unsubscribeUrl!);
    expect(readUnsubscribeToken(token)).toMatchObject({ r: "u", id: w.entitled.id, t: `signals:${w.p.provider.id}` });

    const [theirs] = await to("new_signal", w.free.id);
    for (const n of ["#1", "#2", "#3"]) expect(theirs!.text).toContain(`Signal ${n}`);
    expect(theirs!.text).toContain(`Subscribe to ${w.p.provider.displayName}`);
    const seen = `${theirs!.subject}\n${theirs!.html}\n${theirs!.text}`;
    expect(LEVELS.filter((l) => seen.includes(l))).toEqual([]);
    expect(readUnsubscribeToken(theirs!.unsubscribeUrl!.split("/api/unsubscribe/")[1]!)).toMatchObject({ id: w.free.id });

    // Every signal is recorded as alerted, once.
    const alerted = await db.select().from(signalAlertRows).where(eq(signalAlertRows.providerId, w.p.provider.id));
    expect(alerted.map((a) => a.kind)).toEqual(["published", "published", "published"]);
  });

  it("a single signal names its market in the subject only for an entitled reader", async () => {
    const w = await world();
    const s = await publish(w.p, BURST[0]!);
    await waitForInlineRuns();
    expect((await to("new_signal", w.entitled.id))[0]!.subject).toBe(`${w.p.provider.displayName}: new signal #${s.number}, BTC/USDT long`);
    expect((await to("new_signal", w.free.id))[0]!.subject).toBe(`${w.p.provider.displayName} published signal #${s.number}`);
  });

  it("a retried or repeated run mails nothing twice; the dedupe key holds even if the claim rows were lost", async () => {
    const w = await world();
    const s = await publish(w.p, BURST[0]!);
    await waitForInlineRuns();
    expect(await alertsOf("new_signal")).toHaveLength(2);

    // The job again, as a retry of the same event would run it, and two runs at once.
    const again = await runJob(signalAlerts.job, { name: "signal/published", data: { signalId: s.id, providerId: w.p.provider.id } });
    expect(again).toMatchObject({ status: "completed", output: { published: 0, closed: 0, emails: 0 } });
    await Promise.all([queueSignalAlerts(w.p.provider.id), queueSignalAlerts(w.p.provider.id)]);
    expect(await alertsOf("new_signal")).toHaveLength(2);

    // Lost claims (a restore, a bug): the batch's dedupe keys still stop a second copy.
    await db.delete(signalAlertRows).where(eq(signalAlertRows.signalId, s.id));
    expect(await queueSignalAlerts(w.p.provider.id)).toMatchObject({ published: 1, emails: 0 });
    expect(await alertsOf("new_signal")).toHaveLength(2);
  });

  it("never mails signals older than the look-back (a first run mails no history)", async () => {
    const w = await world();
    const s = await publish(w.p, BURST[0]!);
    // Before the debounced run starts: the signal is made two days old.
    await db.update(signals).set({ publishedAt: new Date(Date.now() - 2 * 86_400_000) }).where(eq(signals.id, s.id));
    await waitForInlineRuns();
    expect(await alertsOf("new_signal")).toEqual([]);
    expect(await db.select().from(signalAlertRows)).toEqual([]);
  });

  it("the recipients query agrees with emailAllowed for every combination of choices", async () => {
    const p = await newProvider();
    const combos = [
      { account: null, own: null },
      { account: true, own: null },
      { account: false, own: null },
      { account: true, own: { newSignal: true, signalClosed: false } },
      { account: true, own: { newSignal: false, signalClosed: true } },
      { account: null, own: { newSignal: false, signalClosed: false } },
      { account: false, own: { newSignal: true, signalClosed: true } },
    ];
    const users: string[] = [];
    for (const c of combos) {
      const u = await createUser("subscriber");
      users.push(u.id);
      await subscribe(u.id, p.provider.id, "active");
      await setPrefs(u.id, c.account);
      if (c.own) await db.insert(providerAlertPrefs).values({ userId: u.id, providerId: p.provider.id, ...c.own });
    }
    for (const kind of ["new_signal", "signal_closed"] as const) {
      const query = (await alertRecipients(db, p.provider.id, kind, new Date())).map((r) => r.user_id).sort();
      const allowed = [];
      for (const u of users) if (await emailAllowed(db, u, { kind, providerId: p.provider.id })) allowed.push(u);
      expect(query).toEqual(allowed.sort());
      expect(query.length).toBeGreaterThan(0);
      expect(query.length).toBeLessThan(users.length);
    }
  });
});

describe("signal-closed alerts", () => {
  it("shows the result as the track record computes it; entry and exit only to the entitled reader", async () => {
    const w = await world();
    const s = await publish(w.p, BURST[0]!);
    await waitForInlineRuns();
    market.setPrice("BTC/USDT", "65432.10");
    await closeSignal(actingAs(w.p.user), { providerId: w.p.provider.id, signalId: s.id }, {});
    await waitForInlineRuns();

    const [row] = await db.select().from(signals).where(eq(signals.id, s.id));
    expect(row).toMatchObject({ status: "closed" });
    expect(row!.resultPct).not.toBeNull();
    const result = percent(row!.resultPct).text;
    const r = rMultiple(row!.resultR).text;
    expect(result).toMatch(/^\+\d+\.\d\d%$/);

    const closed = await alertsOf("signal_closed");
    expect(closed.map((e) => e.userId).sort()).toEqual([w.entitled.id, w.free.id].sort());
    const [mine] = await to("signal_closed", w.entitled.id);
    expect(mine!.subject).toBe(`${w.p.provider.displayName}: signal #${s.number} BTC/USDT closed by provider (${result})`);
    expect(mine!.text).toMatch(new RegExp(`Result \\(after fees\\)\\s+\\${result}`));
    expect(mine!.text).toMatch(new RegExp(`R multiple\\s+\\${r}`));
    expect(mine!.text).toMatch(/Entry\s+64,000\.00/);
    expect(mine!.text).toMatch(/Exit\s+65,432\.10/);

    const [theirs] = await to("signal_closed", w.free.id);
    expect(theirs!.text).toContain(result);
    expect(theirs!.text).not.toMatch(/Entry|Exit\s/);
    // The new-signal email went out once, before; the close did not repeat it.
    expect(await alertsOf("new_signal")).toHaveLength(2);
  });

  it("a follower who turned off this provider's closed alerts (only) gets the new-signal email but not the closed one", async () => {
    const w = await world();
    await db.insert(providerAlertPrefs).values({ userId: w.entitled.id, providerId: w.p.provider.id, newSignal: true, signalClosed: false });
    const s = await publish(w.p, BURST[0]!);
    await waitForInlineRuns();
    await closeSignal(actingAs(w.p.user), { providerId: w.p.provider.id, signalId: s.id }, {});
    await waitForInlineRuns();
    expect(await to("new_signal", w.entitled.id)).toHaveLength(1);
    expect(await to("signal_closed", w.entitled.id)).toEqual([]);
    expect(await to("signal_closed", w.free.id)).toHaveLength(1);
  });
});

/**
 * The onboarding email sequence (issue 15, acceptance 3), driven by a controllable clock: the test keeps a virtual
 * "day" and, when it moves forward, makes every sleep of the run that is due by then due now (its recorded wake time,
 * in job_steps and job_runs, rewritten to the database's now), then lets a runner claim it. Sleeps not yet due by the
 * virtual clock stay as they are, so an email that comes too early is seen.
 */
import { afterAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { executeRows } from "@/server/db/raw";
import { emailOutbox, notificationPrefs, onboarding, providerStats, users } from "@/server/db/schema";
import { InlineRunner, inlineRunner, waitForInlineRuns } from "@/server/jobs/inline/runner";
import { jobs } from "@/server/jobs";
import { serviceContext } from "@/server/services/context";
import { unsubscribeWithToken } from "@/server/services/email/unsubscribe";
import { unsubscribeUrlFor } from "@/server/services/email/unsubscribe-link";
import { completeOnboarding, verifyEmail } from "@/server/services/auth";
import { createUser } from "@/test/factories";
import { until } from "@/test/jobs";
import { newProvider, subscribe } from "@/test/signals";
import { useTestDatabase } from "@/test/db";
import { copySettings } from "@/server/db/schema";
import { checklistFor } from "./index";

const t = useTestDatabase();
const DAY = 86_400_000;

async function rows<T extends Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]> {
  return executeRows<T>(t.db, query);
}

async function runOf(userId: string): Promise<string> {
  const [row] = await until("the sequence run", async () => {
    const found = await rows<{ id: string }>(sql`select id from job_runs where job_id = 'onboarding-sequence' and event::jsonb -> 'data' ->> 'userId' = ${userId}`);
    return found.length ? found : null;
  });
  return row!.id;
}

/** Waits until the run is asleep for later (a sleep not yet due) or has ended. */
async function settled(runId: string) {
  return until(
    "the run to sleep or end",
    async () => {
      const [r] = await rows<{ status: string; later: boolean }>(sql`select status, wake_at > now() + interval '1 minute' as later from job_runs where id = ${runId}`);
      return r && (r.status === "completed" || r.status === "failed" || (r.status === "sleeping" && r.later)) ? r : null;
    },
    20_000,
  );
}

/**
 * Moves the run's clock to `day` days after the sign-up: its sleep due by then is made due now and the runner (the
 * app's, or `runner`) takes it up. Returns the run's state afterwards.
 */
async function advanceTo(runId: string, userId: string, day: number, runner: InlineRunner = inlineRunner()) {
  const [o] = await t.db.select().from(onboarding).where(eq(onboarding.userId, userId));
  const virtualNow = o!.sequenceStartedAt!.getTime() + day * DAY;
  const due = await rows<{ step_key: string }>(
    sql`select step_key from job_steps where run_id = ${runId} and wake_at > now() and wake_at <= ${new Date(virtualNow).toISOString()}::timestamptz`,
  );
  if (due.length === 0) return settled(runId);
  await t.db.execute(sql`update job_steps set wake_at = now() where run_id = ${runId} and wake_at > now() and wake_at <= ${new Date(virtualNow).toISOString()}::timestamptz`);
  await t.db.execute(sql`update job_runs set wake_at = now() where id = ${runId} and status = 'sleeping'`);
  runner.wake();
  await until("the run to wake", async () => {
    const [r] = await rows<{ status: string; soon: boolean }>(sql`select status, wake_at <= now() as soon from job_runs where id = ${runId}`);
    return r && !(r.status === "sleeping" && r.soon) ? r : null;
  });
  return settled(runId);
}

async function emailsOf(userId: string) {
  return t.db
    .select({ kind: emailOutbox.kind, stream: emailOutbox.stream, text: emailOutbox.text, dedupeKey: emailOutbox.dedupeKey, unsubscribeUrl: emailOutbox.unsubscribeUrl })
    .from(emailOutbox)
    .where(eq(emailOutbox.userId, userId))
    .orderBy(emailOutbox.createdAt);
}

const kinds = async (userId: string) => (await emailsOf(userId)).map((e) => e.kind);

async function signUpAs(role: "subscriber" | "provider") {
  const user = await createUser(role);
  const runId = await runOf(user.id);
  await settled(runId);
  return { user, runId };
}

describe("onboarding sequence: days 0, 1, 3 and 7", () => {
  it("sends a trader's emails on their days and not before, the welcome carrying the verification link", async () => {
    const { user, runId } = await signUpAs("subscriber");
    // Day 0: the welcome, queued at sign-up, transactional, with the verification link in place of a separate email.
    let mail = await emailsOf(user.id);
    expect(mail.map((e) => e.kind)).toEqual(["onboarding_welcome"]);
    expect(mail[0]).toMatchObject({ stream: "transactional", dedupeKey: `onboarding:${user.id}:welcome`, unsubscribeUrl: null });
    expect(mail[0]!.text).toContain("Confirm email");
    expect(await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, user.id), eq(emailOutbox.kind, "verify_email")))).toEqual([]);

    await advanceTo(runId, user.id, 0.9);
    expect(await kinds(user.id)).toEqual(["onboarding_welcome"]);
    await advanceTo(runId, user.id, 1);
    mail = await emailsOf(user.id);
    expect(mail.map((e) => e.kind)).toEqual(["onboarding_welcome", "onboarding_getting_started"]);
    expect(mail[1]).toMatchObject({ stream: "marketing", dedupeKey: `onboarding:${user.id}:getting-started` });
    expect(mail[1]!.unsubscribeUrl).toMatch(/\/api\/unsubscribe\//);
    expect(mail[1]!.text).toContain("Subscribe to a provider");

    await advanceTo(runId, user.id, 2.9);
    expect(await kinds(user.id)).toHaveLength(2);
    await advanceTo(runId, user.id, 3);
    expect(await kinds(user.id)).toEqual(["onboarding_welcome", "onboarding_getting_started", "onboarding_tips"]);

    await advanceTo(runId, user.id, 6.9);
    expect(await kinds(user.id)).toHaveLength(3);
    const end = await advanceTo(runId, user.id, 7);
    expect(end.status).toBe("completed");
    mail = await emailsOf(user.id);
    expect(mail.map((e) => e.kind)).toEqual(["onboarding_welcome", "onboarding_getting_started", "onboarding_tips", "onboarding_success_stories"]);
    // No provider is ranked: the email says so instead of inventing figures.
    expect(mail[3]!.text).toContain("No provider has a ranked record yet");
  }, 60_000);

  it("sends a provider's path, day 7 quoting the marketplace's top ranked providers with their real figures", async () => {
    const ranked = await newProvider();
    await t.db.insert(providerStats).values({
      providerId: ranked.provider.id,
      window: "90d",
      closedSignals: 42,
      wins: 27,
      roi: "0.1842",
      winRate: "0.6428",
      maxDrawdown: "0.062",
      expectancy: "0.004",
      avgHoldHours: "12",
      score: "1.75",
      ranked: true,
      computedAt: new Date(),
    });
    const { user, runId } = await signUpAs("provider");
    expect((await emailsOf(user.id))[0]!.text).toContain("Get ready to publish");
    for (const day of [1, 3, 7]) await advanceTo(runId, user.id, day);
    const mail = await emailsOf(user.id);
    expect(mail.map((e) => e.kind)).toEqual(["onboarding_welcome", "onboarding_getting_started", "onboarding_tips", "onboarding_success_stories"]);
    expect(mail[1]!.text).toContain("Publish your first signal");
    expect(mail[2]!.text).toMatch(/tips for providers/i);
    const stories = mail[3]!.text;
    expect(stories).toContain(ranked.provider.displayName);
    expect(stories).toContain("+18.42%");
    expect(stories).toContain("64.3%");
    expect(stories).toContain("-6.20%");
    expect(stories).toContain("42");
    expect(stories).not.toContain("No provider has a ranked record yet");
  }, 60_000);
});

describe("onboarding sequence: OAuth sign-ups", () => {
  it("starts at OAuth onboarding: the row takes the chosen path and day 0 queues the welcome without a verify link", async () => {
    const [u] = await t.db.insert(users).values({ email: "oauth-ada@example.com", name: "Ada", emailVerified: new Date() }).returning();
    await completeOnboarding(serviceContext({ actor: { id: u!.id, role: "subscriber" } }), { role: "provider" });
    const [o] = await t.db.select().from(onboarding).where(eq(onboarding.userId, u!.id));
    expect(o).toMatchObject({ path: "provider", sequenceStoppedAt: null });
    const runId = await runOf(u!.id);
    await settled(runId);
    const mail = await emailsOf(u!.id);
    expect(mail.map((e) => e.kind)).toEqual(["onboarding_welcome"]);
    expect(mail[0]!.text).not.toContain("Confirm email");
    expect(mail[0]!.text).toContain("Get ready to publish");
  }, 60_000);
});

describe("onboarding sequence: advice and stopping", () => {
  it("gives a trader who subscribed on day 2 no subscribe advice on day 3", async () => {
    const p = await newProvider();
    const { user, runId } = await signUpAs("subscriber");
    await advanceTo(runId, user.id, 1);
    expect((await emailsOf(user.id))[1]!.text).toContain("Subscribe to a provider");
    await advanceTo(runId, user.id, 2);
    await subscribe(user.id, p.provider.id, "active");
    await advanceTo(runId, user.id, 3);
    const tips = (await emailsOf(user.id))[2]!;
    expect(tips.kind).toBe("onboarding_tips");
    expect(tips.text).not.toContain("Subscribe to a provider");
    expect(tips.text).toContain("Turn on copying");
  }, 60_000);

  it("stops the rest when the trader unsubscribes from product email on day 2 (one-click link of the day-1 email)", async () => {
    const { user, runId } = await signUpAs("subscriber");
    await advanceTo(runId, user.id, 1);
    const link = (await emailsOf(user.id))[1]!.unsubscribeUrl!;
    await advanceTo(runId, user.id, 2);
    await unsubscribeWithToken(serviceContext(), link.split("/").at(-1)!);
    const end = await advanceTo(runId, user.id, 3);
    expect(end.status).toBe("completed");
    expect(await kinds(user.id)).toEqual(["onboarding_welcome", "onboarding_getting_started"]);
    await advanceTo(runId, user.id, 7);
    expect(await kinds(user.id)).toHaveLength(2);
    const [o] = await t.db.select().from(onboarding).where(eq(onboarding.userId, user.id));
    expect(o!.sequenceStoppedAt).not.toBeNull();
  }, 60_000);

  it("stops the rest when the trader unsubscribes from all email on day 2", async () => {
    const { user, runId } = await signUpAs("subscriber");
    await advanceTo(runId, user.id, 1);
    await advanceTo(runId, user.id, 2);
    const all = await unsubscribeUrlFor(t.db, { userId: user.id }, "all");
    await unsubscribeWithToken(serviceContext(), all.split("/").at(-1)!);
    await advanceTo(runId, user.id, 3);
    await advanceTo(runId, user.id, 7);
    expect(await kinds(user.id)).toEqual(["onboarding_welcome", "onboarding_getting_started"]);
  }, 60_000);

  it("stops, and marks the sequence stopped, when product emails were turned off by any other way", async () => {
    const { user, runId } = await signUpAs("subscriber");
    await advanceTo(runId, user.id, 1);
    await t.db.update(notificationPrefs).set({ productEmails: false }).where(eq(notificationPrefs.userId, user.id));
    await advanceTo(runId, user.id, 3);
    expect(await kinds(user.id)).toEqual(["onboarding_welcome", "onboarding_getting_started"]);
    const [o] = await t.db.select().from(onboarding).where(eq(onboarding.userId, user.id));
    expect(o!.sequenceStoppedAt).not.toBeNull();
  }, 60_000);

  it("stops when the account is deleted during a sleep", async () => {
    const { user, runId } = await signUpAs("subscriber");
    await t.db.delete(users).where(eq(users.id, user.id));
    const end = await advanceTo(runId, user.id, 1).catch(() => null);
    // The onboarding row went with the account: the clock cannot be read from it, so wake the run directly.
    if (end === null) {
      await t.db.execute(sql`update job_steps set wake_at = now() where run_id = ${runId} and wake_at > now()`);
      await t.db.execute(sql`update job_runs set wake_at = now() where id = ${runId}`);
      inlineRunner().wake();
    }
    const r = await settled(runId);
    expect(r.status).toBe("completed");
    const [out] = await rows<{ output: { stopped?: string } }>(sql`select output from job_runs where id = ${runId}`);
    expect(out!.output.stopped).toBe("account_gone");
    expect(await t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "onboarding_getting_started"))).toEqual([]);
  }, 60_000);
});

describe("onboarding sequence: durability", () => {
  afterAll(() => {
    // The app's runner was "killed" below: start it again for whatever runs after this file's tests.
    inlineRunner().start();
  });

  it("sends day 3 exactly once after a restart during the day-1 -> day-3 sleep", async () => {
    const { user, runId } = await signUpAs("subscriber");
    await advanceTo(runId, user.id, 1);
    // The process dies while the run sleeps towards day 3: a new runner on the same database takes over.
    inlineRunner().stop();
    const second = new InlineRunner({ database: async () => t.handle, leaseMs: 1000, pollMs: 50, owner: "after-restart" });
    second.register(jobs);
    try {
      await advanceTo(runId, user.id, 3, second);
      const third = new InlineRunner({ database: async () => t.handle, leaseMs: 1000, pollMs: 50, owner: "another-restart" });
      third.register(jobs);
      third.start();
      await new Promise((r) => setTimeout(r, 300));
      third.stop();
      const mail = await emailsOf(user.id);
      expect(mail.map((e) => e.kind)).toEqual(["onboarding_welcome", "onboarding_getting_started", "onboarding_tips"]);
      const [steps] = await rows<{ n: number }>(sql`select count(*)::int as n from job_steps where run_id = ${runId} and step_key = 'send-tips'`);
      expect(steps!.n).toBe(1);
      await advanceTo(runId, user.id, 7, second);
      expect(await kinds(user.id)).toHaveLength(4);
    } finally {
      second.stop();
    }
  }, 60_000);
});

describe("checklist from the data", () => {
  it("ticks the trader's steps as the data appears, and the welcome's verify link verifies the account", async () => {
    const p = await newProvider();
    const user = await createUser("subscriber");
    await waitForInlineRuns();
    let list = (await checklistFor(user.id))!;
    expect(list.path).toBe("trader");
    expect(list.progress).toEqual({ done: 1, total: 5, percent: 20 }); // the disclaimer, accepted at sign-up
    await t.db.update(onboarding).set({ marketplaceBrowsedAt: new Date() }).where(eq(onboarding.userId, user.id));
    await subscribe(user.id, p.provider.id, "active");
    await t.db.insert(copySettings).values({ userId: user.id, providerId: p.provider.id, enabled: true });
    list = (await checklistFor(user.id))!;
    expect(Object.fromEntries(list.steps.map((s) => [s.id, s.state]))).toEqual({ disclaimer: "done", browse: "done", subscribe: "done", copy: "done", exchange: "todo" });
    expect(list.progress.percent).toBe(80);
  });

  it("verifies the account through the welcome email's one-time link", async () => {
    const user = await createUser("subscriber");
    const { renderForDelivery } = await import("@/server/services/email/outbox");
    const [row] = await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, user.id), eq(emailOutbox.kind, "onboarding_welcome")));
    expect(row!.text).not.toMatch(/verify\?token=/); // the stored copy holds a placeholder
    const link = /\/verify\?token=([^\s"&]+)/.exec(renderForDelivery(row!).text)![1]!;
    await verifyEmail(decodeURIComponent(link));
    const [u] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(u!.emailVerified).not.toBeNull();
  });
});

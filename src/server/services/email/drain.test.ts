/**
 * The outbox drain with the real `resend` SDK talking to a local fake Resend (issue 15, acceptance 1): the exact
 * request (from, to, subject, html and text, List-Unsubscribe headers only on non-transactional mail, the outbox id
 * as Idempotency-Key), a 429 retried after the server's delay and not before, back-off and the attempt cap, a
 * suppressed address never sent to, and 100 emails sent exactly once across a drain that dies between the
 * provider's acceptance and our record of it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createElement } from "react";
import { asc, eq, inArray } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { emailOutbox, emailSuppressions } from "@/server/db/schema";
import { FakeResendServer } from "@/server/integrations/resend/fake-server";
import { ResendSender } from "@/server/integrations/resend";
import { runJob, waitForInlineRuns } from "@/server/jobs/inline/runner";
import { emailDrain } from "@/server/jobs/functions/email-drain";
import { emailsQueued, setEmailSender, type EmailMessage, type EmailSender } from "./delivery";
import { backoffMs, CLAIM_LEASE_MS, drainEmailOutbox, MAX_SEND_ATTEMPTS } from "./drain";
import { queueEmail } from "./outbox";

const t = useTestDatabase();
const FROM = "Tradsy <mail@tradsy.example>";
let fake: FakeResendServer;

beforeAll(async () => {
  fake = new FakeResendServer();
  await fake.start();
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.requests.length = 0;
  fake.delivered.length = 0;
});
afterEach(() => setEmailSender(undefined));

const resend = (over: Partial<ConstructorParameters<typeof ResendSender>[0]> = {}) => new ResendSender({ apiKey: fake.apiKey, from: FROM, baseUrl: fake.baseUrl, ...over });

async function queue(to: string, over: { stream?: "transactional" | "notification" | "marketing"; subject?: string; kind?: string } = {}) {
  const stream = over.stream ?? "transactional";
  return queueEmail(t.db, {
    to,
    kind: over.kind ?? "test",
    subject: over.subject ?? `Hello ${to}`,
    template: createElement("p", null, `Dear ${to}, a signal moved.`),
    stream,
    ...(stream === "transactional" ? {} : { unsubscribeUrl: `https://tradsy.example/api/unsubscribe/tok-${to}` }),
  });
}

const rowOf = async (id: string) => (await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id)))[0]!;
const posts = () => fake.requests.filter((r) => r.method === "POST" && r.path === "/emails");

describe("the drain, through the resend SDK, against a fake Resend", () => {
  it("sends the exact request: from, to, subject, html and text, List-Unsubscribe only on non-transactional mail, the outbox id as Idempotency-Key", async () => {
    const notification = await queue("ann@example.com", { stream: "notification", subject: "BTC long closed +4.2%" });
    const transactional = await queue("bob@example.com", { subject: "Reset your password" });
    const stored = await rowOf(notification);

    const result = await drainEmailOutbox({ sender: resend(), maxRunMs: 10_000 });
    expect(result).toMatchObject({ sent: 2, failed: 0, retrying: 0 });

    // The transactional email goes first although it was queued second: a reset never waits behind alerts.
    const [second, first] = posts();
    expect(first!.headers["idempotency-key"]).toBe(notification);
    expect(first!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(first!.body).toEqual({
      from: FROM,
      to: "ann@example.com",
      subject: "BTC long closed +4.2%",
      html: stored.html,
      text: stored.text,
      headers: {
        "List-Unsubscribe": "<https://tradsy.example/api/unsubscribe/tok-ann@example.com>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
    });
    expect(String((first!.body as { html: string }).html)).toContain("a signal moved");
    expect(second!.headers["idempotency-key"]).toBe(transactional);
    expect(second!.body).toMatchObject({ from: FROM, to: "bob@example.com", subject: "Reset your password" });
    expect(second!.body).not.toHaveProperty("headers");

    // The provider's ids are recorded on the rows.
    const byKey = new Map(fake.delivered.map((d) => [d.idempotencyKey, d.id]));
    expect(await rowOf(notification)).toMatchObject({ status: "sent", providerMessageId: byKey.get(notification), attempts: 1, nextAttemptAt: null });
    expect((await rowOf(notification)).sentAt).toBeInstanceOf(Date);
    expect(await rowOf(transactional)).toMatchObject({ status: "sent", providerMessageId: byKey.get(transactional) });

    // Nothing left: a second drain sends nothing.
    await drainEmailOutbox({ sender: resend(), maxRunMs: 5_000 });
    expect(posts()).toHaveLength(2);
  });

  it("retries a 429 after the server's retry-after, not before, without counting it as a failed attempt", async () => {
    const id = await queue("carol@example.com");
    fake.fault({ status: 429, retryAfterSeconds: 1 });
    const result = await drainEmailOutbox({ sender: resend(), maxRunMs: 10_000 });
    expect(result).toMatchObject({ sent: 1, rateLimited: 1 });
    const [refused, retried] = posts();
    expect(retried, "the email was retried within the run").toBeDefined();
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(1000);
    expect(retried!.headers["idempotency-key"]).toBe(id);
    expect(fake.deliveredTo("carol@example.com")).toHaveLength(1);
    expect(await rowOf(id)).toMatchObject({ status: "sent", attempts: 1 });
    expect((await rowOf(id)).lastError).toMatch(/429/);
  });

  it("a 429 with a delay longer than the run can wait leaves the email queued until then", async () => {
    const id = await queue("dan@example.com");
    fake.fault({ status: 429, retryAfterSeconds: 120 });
    const before = Date.now();
    const result = await drainEmailOutbox({ sender: resend(), maxRunMs: 5_000 });
    expect(result).toMatchObject({ sent: 0, rateLimited: 1 });
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: "queued", attempts: 0 });
    expect(row.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + 120_000);
    expect(posts()).toHaveLength(1);
  });

  it("backs off exponentially on 5xx and marks the email failed at the attempt cap", async () => {
    const id = await queue("erin@example.com");
    let now = Date.parse("2026-01-05T10:00:00Z");
    const clock = () => new Date(now);
    fake.fault({ status: 503, times: MAX_SEND_ATTEMPTS });
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      // Not due yet: a drain a moment before the back-off ends sends nothing.
      if (attempt > 1) {
        now += backoffMs(attempt - 1) - 1000;
        await drainEmailOutbox({ sender: resend(), clock, maxRunMs: 1 });
        expect(posts()).toHaveLength(attempt - 1);
        now += 1000;
      }
      await drainEmailOutbox({ sender: resend(), clock, maxRunMs: 1, maxInlineWaitMs: 0 });
      expect(posts()).toHaveLength(attempt);
      const row = await rowOf(id);
      expect(row.attempts).toBe(attempt);
      expect(row.lastError).toMatch(/503/);
      if (attempt < MAX_SEND_ATTEMPTS) expect(row).toMatchObject({ status: "queued", nextAttemptAt: new Date(now + backoffMs(attempt)) });
      else expect(row).toMatchObject({ status: "failed", nextAttemptAt: null });
    }
    expect(fake.delivered).toHaveLength(0);
  });

  it("an email the provider refuses for good (422) is failed at once", async () => {
    const id = await queue("frank@example.com");
    fake.fault({ status: 422 });
    expect(await drainEmailOutbox({ sender: resend(), maxRunMs: 5_000 })).toMatchObject({ failed: 1, sent: 0 });
    expect(await rowOf(id)).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("never sends to a suppressed address: the row is marked suppressed", async () => {
    await t.db.insert(emailSuppressions).values({ email: "gone@example.com", reason: "bounced" });
    const id = await queue("Gone@Example.com", { stream: "notification" });
    const ok = await queue("here@example.com", { stream: "notification" });
    expect(await drainEmailOutbox({ sender: resend(), maxRunMs: 5_000 })).toMatchObject({ sent: 1, suppressed: 1 });
    expect(await rowOf(id)).toMatchObject({ status: "suppressed", sentAt: null, providerMessageId: null });
    expect((await rowOf(id)).lastError).toMatch(/suppressed \(bounced\)/);
    expect(await rowOf(ok)).toMatchObject({ status: "sent" });
    expect(posts().map((p) => (p.body as { to: string }).to)).toEqual(["here@example.com"]);
  });

  it("paces itself by the rate-limit headers: no 429 from a server allowing 2 requests a second", async () => {
    const limited = new FakeResendServer({ rateLimit: { limit: 2, windowMs: 1000 } });
    await limited.start();
    try {
      for (let i = 0; i < 5; i++) await queue(`pace${i}@example.com`);
      const sender = new ResendSender({ apiKey: limited.apiKey, from: FROM, baseUrl: limited.baseUrl });
      const result = await drainEmailOutbox({ sender, maxRunMs: 20_000 });
      expect(result).toMatchObject({ sent: 5, rateLimited: 0 });
      const answers = limited.requests.length;
      expect(answers).toBe(5);
      // Five requests at two a second span at least two window resets.
      expect(limited.requests[4]!.at - limited.requests[0]!.at).toBeGreaterThanOrEqual(1900);
    } finally {
      await limited.stop();
    }
  });

  it("100 queued emails are sent exactly once each across a drain that dies after the provider accepted one but before it was recorded", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await queue(`reader${i}@example.com`, { stream: i % 2 ? "notification" : "transactional" }));
    const real = resend();
    let accepted = 0;
    /** The process dies right after the provider accepted the 37th email: before the drain could record it. */
    class ProcessDied extends Error {}
    const dying: EmailSender = {
      name: "resend",
      readyAt: () => real.readyAt(),
      async send(email: EmailMessage) {
        const answer = await real.send(email);
        if (++accepted === 37) throw new ProcessDied("killed");
        return answer;
      },
    };
    const start = Date.now();
    await expect(drainEmailOutbox({ sender: dying, maxRunMs: 60_000 })).rejects.toBeInstanceOf(ProcessDied);
    expect(fake.delivered).toHaveLength(37);
    const rows = await t.db.select().from(emailOutbox).where(inArray(emailOutbox.id, ids)).orderBy(asc(emailOutbox.createdAt));
    expect(rows.filter((r) => r.status === "sent")).toHaveLength(36);
    const lost = rows.filter((r) => r.status === "queued" && r.nextAttemptAt && r.nextAttemptAt.getTime() > start);
    expect(lost, "the accepted-but-unrecorded email, still claimed").toHaveLength(1);

    // A drain restarted at once leaves the claimed row alone (its lease has not passed) and sends the rest.
    const restarted = await drainEmailOutbox({ sender: resend(), maxRunMs: 60_000 });
    expect(restarted).toMatchObject({ sent: 63, failed: 0 });
    expect(await rowOf(lost[0]!.id)).toMatchObject({ status: "queued" });

    // Once the lease has passed, the lost one is sent again with the same key: Resend answers its first id, sends nothing.
    const later = () => new Date(Date.now() + CLAIM_LEASE_MS + 1000);
    expect(await drainEmailOutbox({ sender: resend(), clock: later, maxRunMs: 60_000 })).toMatchObject({ sent: 1 });

    const keys = posts().map((p) => p.headers["idempotency-key"]);
    expect(keys).toHaveLength(101);
    expect(keys.filter((k) => k === lost[0]!.id)).toHaveLength(2);
    expect(fake.delivered).toHaveLength(100);
    expect(new Set(fake.delivered.map((d) => d.idempotencyKey))).toEqual(new Set(ids));
    const final = await t.db.select().from(emailOutbox).where(inArray(emailOutbox.id, ids));
    expect(final.every((r) => r.status === "sent")).toBe(true);
    const idByKey = new Map(fake.delivered.map((d) => [d.idempotencyKey, d.id]));
    expect(final.filter((r) => r.providerMessageId !== idByKey.get(r.id))).toEqual([]);
  }, 60_000);

  it("the email-drain job sends through the registered sender, and does nothing without one", async () => {
    const timer = { name: "inngest/scheduled.timer", data: { cron: "* * * * *" } } as const;
    const id = await queue("hana@example.com");
    expect(await runJob(emailDrain.job, timer)).toMatchObject({ status: "completed", output: { skipped: "no email sender configured" } });
    expect(await rowOf(id)).toMatchObject({ status: "queued" });
    setEmailSender(resend());
    expect(await runJob(emailDrain.job, { name: "email/queued", data: { count: 1 } })).toMatchObject({ status: "completed", output: { sent: 1 } });
    expect(await rowOf(id)).toMatchObject({ status: "sent" });
    expect(emailDrain.job.triggers).toEqual([{ cron: "* * * * *" }, { event: "email/queued" }]);
  });

  it("emailsQueued() after a commit wakes the drain at once; without a sender it sends no event", async () => {
    const id = await queue("ivy@example.com");
    await emailsQueued(1);
    await waitForInlineRuns();
    expect(await rowOf(id)).toMatchObject({ status: "queued" });
    expect(posts()).toHaveLength(0);
    setEmailSender(resend());
    await emailsQueued(1);
    await waitForInlineRuns();
    expect(await rowOf(id)).toMatchObject({ status: "sent" });
    expect(posts()).toHaveLength(1);
  });
});

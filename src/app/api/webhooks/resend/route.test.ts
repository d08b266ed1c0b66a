/**
 * The Resend webhook route as Resend calls it (issue 15, acceptance 4): Svix-signed deliveries verified on the raw
 * body; a good one updates the email's delivery status and suppresses hard-bounced and complaining addresses (which
 * the drain then never sends to); a bad or missing signature is a 400 that writes nothing; a replayed svix-id
 * changes nothing; unknown event types are taken and ignored; without a secret the endpoint is a 404.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createElement } from "react";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { emailOutbox, emailSuppressions, emailWebhookEvents } from "@/server/db/schema";
import { FakeResendServer, newWebhookSecret, signWebhook } from "@/server/integrations/resend/fake-server";
import { ResendSender } from "@/server/integrations/resend";
import { drainEmailOutbox } from "@/server/services/email/drain";
import { queueEmail } from "@/server/services/email/outbox";
import { answerResendWebhook } from "@/server/services/email/webhooks";
import { POST } from "./route";

const SECRET = vi.hoisted(() => {
  const secret = `whsec_${Buffer.from("tradsy resend webhook test secret!").toString("base64")}`;
  process.env.RESEND_WEBHOOK_SECRET = secret;
  return secret;
});

const t = useTestDatabase();
const fake = new FakeResendServer();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

/** A sent email (through the fake) and its provider message id. */
async function sentEmail(to: string) {
  const id = await queueEmail(t.db, { to, kind: "test", subject: "A signal moved", template: createElement("p", null, "Hello"), stream: "notification", unsubscribeUrl: "https://tradsy.example/api/unsubscribe/x" });
  await drainEmailOutbox({ sender: sender(), maxRunMs: 5_000 });
  const row = (await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id)))[0]!;
  expect(row).toMatchObject({ status: "sent" });
  return { id, messageId: row.providerMessageId! };
}

const sender = () => new ResendSender({ apiKey: fake.apiKey, from: "Tradsy <mail@tradsy.example>", baseUrl: fake.baseUrl });

/** An event in Resend's shape (see resend.com/docs/webhooks). */
function event(type: string, messageId: string, to: string, extra: Record<string, unknown> = {}, createdAt = new Date()) {
  return {
    type,
    created_at: createdAt.toISOString(),
    data: { created_at: createdAt.toISOString(), email_id: messageId, from: "Tradsy <mail@tradsy.example>", to: [to], subject: "A signal moved", ...extra },
  };
}

async function post(body: string, headers: Record<string, string>) {
  const res = await POST(new Request("http://localhost/api/webhooks/resend", { method: "POST", body, headers }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const deliver = (payload: unknown, options: { id?: string; at?: Date } = {}) => {
  const signed = signWebhook(SECRET, payload, options);
  return post(signed.body, signed.headers);
};

const rowOf = async (id: string) => (await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id)))[0]!;
const suppressions = () => t.db.select().from(emailSuppressions);
const webhookEvents = () => t.db.select().from(emailWebhookEvents);

describe("POST /api/webhooks/resend", () => {
  it("a signed email.delivered updates the email's delivery status", async () => {
    const { id, messageId } = await sentEmail("ann@example.com");
    const at = new Date(Date.now() - 5_000);
    expect(await deliver(event("email.delivered", messageId, "ann@example.com", {}, at))).toMatchObject({ status: 200, body: { result: "processed" } });
    expect(await rowOf(id)).toMatchObject({ deliveryStatus: "delivered", deliveryUpdatedAt: at });
    expect(await suppressions()).toEqual([]);
  });

  it("a hard bounce and a complaint suppress the address (lower-cased); the drain sends nothing more to it", async () => {
    const bounced = await sentEmail("Bounce.Me@Example.com");
    const complained = await sentEmail("angry@example.com");
    const hard = { bounce: { message: "The recipient's email address does not exist.", subType: "General", type: "Permanent" } };
    expect((await deliver(event("email.bounced", bounced.messageId, "Bounce.Me@Example.com", hard))).status).toBe(200);
    expect((await deliver(event("email.complained", complained.messageId, "angry@example.com"))).status).toBe(200);
    expect(await rowOf(bounced.id)).toMatchObject({ deliveryStatus: "bounced" });
    expect(await rowOf(complained.id)).toMatchObject({ deliveryStatus: "complained" });
    const rows = await suppressions();
    expect(rows.map((r) => [r.email, r.reason, r.providerMessageId]).sort()).toEqual([
      ["angry@example.com", "complained", complained.messageId],
      ["bounce.me@example.com", "bounced", bounced.messageId],
    ]);

    // The next email to either address is never sent.
    const before = fake.delivered.length;
    const next = await queueEmail(t.db, { to: "bounce.me@example.com", kind: "test", subject: "Again", template: createElement("p", null, "Again") });
    const again = await queueEmail(t.db, { to: "ANGRY@example.com", kind: "test", subject: "Again", template: createElement("p", null, "Again") });
    expect(await drainEmailOutbox({ sender: sender(), maxRunMs: 5_000 })).toMatchObject({ sent: 0, suppressed: 2 });
    expect(await rowOf(next)).toMatchObject({ status: "suppressed" });
    expect(await rowOf(again)).toMatchObject({ status: "suppressed" });
    expect(fake.delivered.length).toBe(before);
  });

  it("a transient bounce updates the status but does not suppress; email.suppressed does", async () => {
    const soft = await sentEmail("full@example.com");
    const supp = await sentEmail("listed@example.com");
    await deliver(event("email.bounced", soft.messageId, "full@example.com", { bounce: { message: "Mailbox full", subType: "MailboxFull", type: "Transient" } }));
    await deliver(event("email.suppressed", supp.messageId, "listed@example.com", { suppressed: { message: "On the suppression list", type: "OnAccountSuppressionList" } }));
    expect(await rowOf(soft.id)).toMatchObject({ deliveryStatus: "bounced" });
    expect((await suppressions()).map((s) => [s.email, s.reason])).toEqual([["listed@example.com", "suppressed"]]);
  });

  it("a bad or missing signature is a 400 and writes nothing", async () => {
    const { id, messageId } = await sentEmail("eve@example.com");
    const payload = event("email.bounced", messageId, "eve@example.com", { bounce: { type: "Permanent", subType: "General", message: "x" } });
    const good = signWebhook(SECRET, payload);
    const cases: [string, string, Record<string, string>][] = [
      ["another secret", signWebhook(newWebhookSecret(), payload).body, signWebhook(newWebhookSecret(), payload, { id: good.headers["svix-id"] }).headers],
      ["a tampered body", good.body.replace("eve@example.com", "bob@example.com"), good.headers],
      ["no signature", good.body, { ...good.headers, "svix-signature": "" }],
      ["no svix headers", good.body, { "content-type": "application/json" }],
      ["a stale timestamp", ...(() => { const s = signWebhook(SECRET, payload, { at: new Date(Date.now() - 10 * 60_000) }); return [s.body, s.headers] as const; })()],
      ["a garbage signature", good.body, { ...good.headers, "svix-signature": "v1,AAAA" }],
    ];
    for (const [what, body, headers] of cases) {
      const answer = await post(body, headers);
      expect(answer.status, what).toBe(400);
      expect(String(answer.body.error), what).toMatch(/signature|svix/i);
    }
    expect(await webhookEvents()).toEqual([]);
    expect(await suppressions()).toEqual([]);
    expect(await rowOf(id)).toMatchObject({ deliveryStatus: null, deliveryUpdatedAt: null });
  });

  it("a replayed svix-id changes nothing", async () => {
    const { id, messageId } = await sentEmail("rex@example.com");
    const svixId = "msg_replayed_1";
    const first = new Date(Date.now() - 60_000);
    expect(await deliver(event("email.delivered", messageId, "rex@example.com", {}, first), { id: svixId })).toMatchObject({ status: 200, body: { result: "processed" } });
    // The same delivery id again, even re-signed over a newer and different event: applied once only.
    const replay = await deliver(event("email.complained", messageId, "rex@example.com"), { id: svixId });
    expect(replay).toMatchObject({ status: 200, body: { result: "duplicate" } });
    expect(await rowOf(id)).toMatchObject({ deliveryStatus: "delivered", deliveryUpdatedAt: first });
    expect(await suppressions()).toEqual([]);
    expect((await webhookEvents()).map((e) => e.id)).toEqual([svixId]);
  });

  it("an older event never overwrites a newer status", async () => {
    const { id, messageId } = await sentEmail("late@example.com");
    const t2 = new Date(Date.now() - 1_000);
    await deliver(event("email.delivered", messageId, "late@example.com", {}, t2));
    await deliver(event("email.delivery_delayed", messageId, "late@example.com", {}, new Date(t2.getTime() - 30_000)));
    expect(await rowOf(id)).toMatchObject({ deliveryStatus: "delivered", deliveryUpdatedAt: t2 });
  });

  it("unknown event types are answered 200 and ignored; a verified event of the wrong shape is a 400", async () => {
    expect(await deliver({ type: "contact.created", created_at: new Date().toISOString(), data: { id: "c_1", email: "x@example.com" } })).toMatchObject({ status: 200, body: { result: "ignored" } });
    expect(await deliver(event("email.opened", "m_1", "x@example.com"))).toMatchObject({ status: 200, body: { result: "ignored" } });
    expect((await deliver({ type: "email.bounced", data: { to: ["x@example.com"] } })).status).toBe(400);
    expect((await deliver("not json at all")).status).toBe(400);
    expect(await webhookEvents()).toEqual([]);
    expect(await suppressions()).toEqual([]);
  });

  it("without RESEND_WEBHOOK_SECRET the endpoint is a 404", async () => {
    const signed = signWebhook(SECRET, event("email.complained", "m_2", "x@example.com"));
    const answer = await answerResendWebhook(signed.body, new Headers(signed.headers), undefined, null);
    expect(answer.status).toBe(404);
    expect(await suppressions()).toEqual([]);
  });
});

/**
 * The outbox as admins read it (/admin/emails). One-time links appear only while the outbox is the mailbox (no
 * email sender configured, see `outboxIsMailbox`); otherwise each is replaced by a note. The sealed links column
 * never leaves this module.
 */
import "server-only";
import { count, desc, eq } from "drizzle-orm";
import { db } from "@/server/db";
import { emailOutbox, emailSuppressions } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { getEmailSender, outboxIsMailbox } from "./delivery";
import { copyForAdmin } from "./outbox";

export async function adminGetEmail(id: string) {
  const row = await db.query.emailOutbox.findFirst({ where: eq(emailOutbox.id, id) });
  if (!row) throw new NotFoundError("No email with that id");
  const developmentMailbox = outboxIsMailbox();
  const { html, text, oneTimeLinks } = copyForAdmin(row, developmentMailbox);
  return {
    id: row.id,
    to: row.to,
    kind: row.kind,
    subject: row.subject,
    status: row.status,
    stream: row.stream,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    providerMessageId: row.providerMessageId,
    deliveryStatus: row.deliveryStatus,
    deliveryUpdatedAt: row.deliveryUpdatedAt,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    html,
    text,
    oneTimeLinks,
    /** No sender is configured: this outbox is the only mailbox and its links work (development only). */
    developmentMailbox,
    /** An email sender is configured (else nothing leaves the server). */
    senderConfigured: getEmailSender() !== null,
  };
}

/** The outbox, newest first, with what the drain and the provider's webhooks recorded on each email. */
export async function adminListEmails(input: { page: number; pageSize: number }) {
  const [items, [total]] = await Promise.all([
    db
      .select({
        id: emailOutbox.id,
        to: emailOutbox.to,
        kind: emailOutbox.kind,
        subject: emailOutbox.subject,
        status: emailOutbox.status,
        stream: emailOutbox.stream,
        attempts: emailOutbox.attempts,
        lastError: emailOutbox.lastError,
        providerMessageId: emailOutbox.providerMessageId,
        deliveryStatus: emailOutbox.deliveryStatus,
        createdAt: emailOutbox.createdAt,
      })
      .from(emailOutbox)
      .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ n: count() }).from(emailOutbox),
  ]);
  return { items, total: total?.n ?? 0, page: input.page, pageSize: input.pageSize, senderConfigured: getEmailSender() !== null };
}

/** Addresses nothing more is sent to (hard bounces, complaints, the provider's suppressions): how many, and the latest. */
export async function adminEmailSuppressions(limit = 20) {
  const [recent, [total]] = await Promise.all([
    db
      .select({ email: emailSuppressions.email, reason: emailSuppressions.reason, createdAt: emailSuppressions.createdAt })
      .from(emailSuppressions)
      .orderBy(desc(emailSuppressions.createdAt), desc(emailSuppressions.email))
      .limit(limit),
    db.select({ n: count() }).from(emailSuppressions),
  ]);
  return { total: total?.n ?? 0, recent };
}

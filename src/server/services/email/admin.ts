/**
 * The outbox as admins read it (/admin/emails). One-time links appear only while the outbox is the mailbox (no
 * email sender configured, see `outboxIsMailbox`); otherwise each is replaced by a note. The sealed links column
 * never leaves this module.
 */
import "server-only";
import { eq } from "drizzle-orm";
import { db } from "@/server/db";
import { emailOutbox } from "@/server/db/schema";
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

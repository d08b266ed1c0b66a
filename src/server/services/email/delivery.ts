/**
 * Sending outbox emails, and the one rule for who may read one-time links.
 *
 * There is no real sender yet: the email issue adds Resend, which registers itself here with `setEmailSender` at
 * start-up when its key is configured, and drains queued rows by calling `deliverEmail`. Until a sender is
 * configured the outbox is the mailbox: nothing leaves the server, and admins read emails, working links included,
 * at /admin/emails, labelled development-only.
 */
import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { env } from "@/env";
import { db } from "@/server/db";
import { emailOutbox } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { renderForDelivery, type OutgoingEmail } from "./outbox";

export type { OutgoingEmail } from "./outbox";

export interface EmailSender {
  readonly name: string;
  /** Sends one email; throws when the provider did not accept it. Passes `idempotencyKey` on to the provider. */
  send(email: OutgoingEmail): Promise<void>;
}

// On globalThis, like the payments adapter: each Next.js bundle has its own copy of this module.
const g = globalThis as unknown as { __tradsyEmailSender?: EmailSender };

export function getEmailSender(): EmailSender | null {
  return g.__tradsyEmailSender ?? null;
}

/** Registers the real sender (the email issue's Resend integration, at start-up); tests swap in fakes. */
export function setEmailSender(sender: EmailSender | undefined): void {
  g.__tradsyEmailSender = sender;
}

/**
 * THE RULE for one-time links (verification, reset) in the admin outbox: shown, working, if and only if no email
 * sender is configured AND the app runs as a development setup: outside production, or on the embedded database
 * (`npm run dev`, and the e2e run of `next start` on it). Then the outbox is the only mailbox, and without its links
 * nobody could verify an address or reset a password; the page says it is a development-only mailbox. Anywhere else
 * they are never shown, queued or sent: only the recipient's copy has them (a production database without a sender
 * sends nothing, and its admins must not hold every account's reset link).
 */
export function outboxIsMailbox(): boolean {
  return getEmailSender() === null && (env.NODE_ENV !== "production" || !env.DATABASE_URL);
}

/**
 * Sends one outbox email through the configured sender. Once the provider has accepted it, the row is marked sent
 * and its sealed one-time links are cleared ("redact on send"), so from then on nothing in the outbox holds a live
 * token. A failed send marks the row failed and keeps the links for a retry. Two concurrent deliveries of one row
 * may both call the sender; the provider's idempotency key (the row id) makes that one email.
 */
export async function deliverEmail(id: string, sender: EmailSender | null = getEmailSender(), now: Date = new Date()): Promise<"sent" | "already_sent"> {
  if (!sender) throw new Error("No email sender is configured: the outbox is the mailbox");
  const row = await db.query.emailOutbox.findFirst({ where: eq(emailOutbox.id, id) });
  if (!row) throw new NotFoundError("No email with that id");
  if (row.status === "sent") return "already_sent";
  try {
    await sender.send(renderForDelivery(row));
  } catch (err) {
    await db
      .update(emailOutbox)
      .set({ status: "failed" })
      .where(and(eq(emailOutbox.id, id), ne(emailOutbox.status, "sent")));
    throw err;
  }
  await db.update(emailOutbox).set({ status: "sent", sentAt: now, oneTimeLinksEnc: null }).where(eq(emailOutbox.id, id));
  return "sent";
}

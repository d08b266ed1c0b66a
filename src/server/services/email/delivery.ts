/**
 * Sending outbox emails: the one place the sender is chosen, and the rule for who may read one-time links.
 *
 * With RESEND_API_KEY set, start-up registers the Resend adapter here (`setEmailSender`, see `senderFromEnv`); the
 * `email-drain` job (./drain.ts) then sends queued rows and records the provider's message id. Without a sender the
 * outbox is the mailbox: nothing leaves the server, and admins read emails, working links included, at
 * /admin/emails, labelled development-only.
 */
import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import { env } from "@/env";
import { db } from "@/server/db";
import { emailOutbox } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { ResendSender, type EmailSender } from "@/server/integrations/resend";
import { sendEvent } from "@/server/jobs/events";
import { logger } from "@/server/logger";
import { scrubFarewell } from "@/server/services/privacy/farewell";
import { renderForDelivery } from "./outbox";

export type { OutgoingEmail } from "./outbox";
export { EmailSendError, type EmailMessage, type EmailSender } from "@/server/integrations/resend";

// On globalThis, like the payments adapter: each Next.js bundle has its own copy of this module.
const g = globalThis as unknown as { __tradsyEmailSender?: EmailSender };

export function getEmailSender(): EmailSender | null {
  return g.__tradsyEmailSender ?? null;
}

/** Registers the real sender (Resend, at start-up); tests swap in fakes. */
export function setEmailSender(sender: EmailSender | undefined): void {
  g.__tradsyEmailSender = sender;
}

/**
 * The sender the configuration asks for: Resend when RESEND_API_KEY is set (EMAIL_FROM then required), else none
 * (the outbox is the mailbox). Throws with the variable to fix when the configuration is incomplete.
 */
export function senderFromEnv(config: Pick<typeof env, "RESEND_API_KEY" | "EMAIL_FROM" | "RESEND_BASE_URL"> = env): EmailSender | null {
  if (!config.RESEND_API_KEY) return null;
  if (!config.EMAIL_FROM) throw new Error('EMAIL_FROM is required when RESEND_API_KEY is set (e.g. "Tradsy <mail@your-domain.com>")');
  return new ResendSender({ apiKey: config.RESEND_API_KEY, from: config.EMAIL_FROM, baseUrl: config.RESEND_BASE_URL });
}

/**
 * Wakes the drain job after a commit that queued emails, so they leave now rather than at its next minute. Call it
 * AFTER the transaction that called `queueEmail` committed (an event sent inside it could run before the rows are
 * visible). Never throws: a lost wake-up only delays the email until the cron tick. A no-op without a sender.
 */
export async function emailsQueued(count = 1): Promise<void> {
  if (!getEmailSender() || count <= 0) return;
  try {
    await sendEvent("email/queued", { count });
  } catch (err) {
    logger.warn({ err, count }, "email/queued not sent; the drain's cron picks the emails up");
  }
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
 * Sends one outbox email now, outside the drain (its retries and suppression check are the drain's). Once the
 * provider has accepted it, the row is marked sent with the provider's message id and its sealed one-time links are
 * cleared ("redact on send"), so from then on nothing in the outbox holds a live token. A failed send marks the row
 * failed and keeps the links for a retry. Two concurrent deliveries of one row may both call the sender; the
 * provider's idempotency key (the row id) makes that one email.
 */
export async function deliverEmail(id: string, sender: EmailSender | null = getEmailSender(), now: Date = new Date()): Promise<"sent" | "already_sent"> {
  if (!sender) throw new Error("No email sender is configured: the outbox is the mailbox");
  const row = await db.query.emailOutbox.findFirst({ where: eq(emailOutbox.id, id) });
  if (!row) throw new NotFoundError("No email with that id");
  if (row.status === "sent") return "already_sent";
  let providerMessageId: string;
  try {
    ({ providerMessageId } = await sender.send(renderForDelivery(row)));
  } catch (err) {
    await db
      .update(emailOutbox)
      .set({ status: "failed", attempts: sql`${emailOutbox.attempts} + 1`, lastError: err instanceof Error ? err.message.slice(0, 500) : String(err) })
      .where(and(eq(emailOutbox.id, id), ne(emailOutbox.status, "sent")));
    throw err;
  }
  await db
    .update(emailOutbox)
    .set({ status: "sent", sentAt: now, oneTimeLinksEnc: null, providerMessageId, attempts: sql`${emailOutbox.attempts} + 1`, nextAttemptAt: null })
    .where(eq(emailOutbox.id, id));
  await scrubFarewell(row);
  return "sent";
}

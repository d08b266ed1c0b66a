/**
 * Alert emails in bulk: the outbox rows of one email sent to many people, written in the caller's transaction as
 * `queueEmail` (services/email/outbox.ts) writes one, in multi-row inserts.
 *
 * A provider can have 10,000 followers, and rendering an email costs about 5 ms (HTML and text): rendering it once
 * per follower would take most of a minute and hold the transaction that long. A signal alert reads the same for
 * every follower but for its unsubscribe link, so `queueToMany` renders it once (per variant) with a placeholder link
 * and puts each recipient's own link in as it builds the row. Emails whose content differs per recipient (copy
 * events) are rendered one by one and inserted together by `insertRendered`.
 *
 * These emails carry no one-time links (nothing sealed), so rows are written as `queueEmail` writes such emails.
 * INVARIANT: every row has a dedupe key; a key already in the outbox writes nothing (the unique index decides).
 */
import "server-only";
import { render } from "@react-email/render";
import type { ReactElement } from "react";
import type { Executor } from "@/server/db";
import { emailOutbox } from "@/server/db/schema";
import { randomToken } from "@/server/crypto/secret-box";
import type { EmailStream } from "@/server/services/email/outbox";

/** Rows per INSERT statement: well under PostgreSQL's 65,535 bind parameters (11 columns a row). */
const CHUNK = 500;

export interface RenderedEmail {
  html: string;
  text: string;
}

export async function renderEmail(template: ReactElement): Promise<RenderedEmail> {
  const [html, text] = await Promise.all([render(template), render(template, { plainText: true })]);
  return { html, text };
}

export interface OutboxRow {
  to: string;
  userId: string;
  kind: string;
  subject: string;
  html: string;
  text: string;
  stream: EmailStream;
  /** Required for notification and marketing email (the sender's List-Unsubscribe header points at it). */
  unsubscribeUrl: string | null;
  dedupeKey: string;
}

/** Inserts rendered emails; returns how many were new (a dedupe key already queued is skipped). */
export async function insertRendered(tx: Executor, rows: readonly OutboxRow[]): Promise<number> {
  let inserted = 0;
  for (const row of rows) {
    if (row.stream !== "transactional" && !row.unsubscribeUrl?.startsWith("https://") && !row.unsubscribeUrl?.startsWith("http://")) {
      throw new Error(`A ${row.stream} email (${row.kind}) needs an absolute unsubscribe link`);
    }
  }
  for (let i = 0; i < rows.length; i += CHUNK) {
    const written = await tx
      .insert(emailOutbox)
      .values(rows.slice(i, i + CHUNK).map((r) => ({ ...r, oneTimeLinksEnc: null, oneTimeLinkNonce: null })))
      .onConflictDoNothing({ target: emailOutbox.dedupeKey })
      .returning({ id: emailOutbox.id });
    inserted += written.length;
  }
  return inserted;
}

export interface BatchRecipient {
  userId: string;
  to: string;
  unsubscribeUrl: string;
  dedupeKey: string;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * One email, the same for every recipient but for the unsubscribe link: `template(url)` is rendered once with a
 * placeholder url (an address under the reserved .invalid domain, with a random part, made of characters HTML
 * escaping leaves alone), which each row replaces with its recipient's link.
 */
export async function queueToMany(
  tx: Executor,
  email: { kind: string; subject: string; stream: Exclude<EmailStream, "transactional">; template: (unsubscribeUrl: string) => ReactElement },
  recipients: readonly BatchRecipient[],
): Promise<number> {
  if (recipients.length === 0) return 0;
  const placeholder = `https://unsubscribe-link.invalid/${randomToken(12)}`;
  const { html, text } = await renderEmail(email.template(placeholder));
  if (!html.includes(placeholder) || !text.includes(placeholder)) throw new Error(`${email.kind}: the template does not show its unsubscribe link`);
  const rows = recipients.map(
    (r): OutboxRow => ({
      to: r.to,
      userId: r.userId,
      kind: email.kind,
      subject: email.subject,
      html: html.replaceAll(placeholder, escapeHtml(r.unsubscribeUrl)),
      text: text.replaceAll(placeholder, r.unsubscribeUrl),
      stream: email.stream,
      unsubscribeUrl: r.unsubscribeUrl,
      dedupeKey: r.dedupeKey,
    }),
  );
  return insertRendered(tx, rows);
}

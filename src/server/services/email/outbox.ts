/**
 * Email outbox: every email is rendered and written to `email_outbox` inside the caller's transaction, so an
 * email exists exactly when the change that caused it committed. A sender (Resend, added by the email issue)
 * drains queued rows through `deliverEmail` (./delivery.ts); with no sender configured admins read them at
 * /admin/emails.
 *
 * One-time links (verification, password reset) are never in the stored copy: the template is rendered with a
 * placeholder for each, and the live URLs are sealed (AES-256-GCM) into `one_time_links_enc`. `renderForDelivery`
 * puts them back for the sender, which clears the sealed value once the email is sent; `copyForAdmin` shows them
 * only while the outbox is the mailbox (see `outboxIsMailbox`).
 */
import "server-only";
import { render } from "@react-email/render";
import type { ReactElement } from "react";
import type { Executor } from "@/server/db";
import { emailOutbox } from "@/server/db/schema";
import { open, seal } from "@/server/crypto/secret-box";

export interface QueueEmailInput {
  to: string;
  userId?: string | null;
  kind: string;
  subject: string;
  /**
   * The email. A one-time link (one that signs in, verifies or resets) is written `oneTimeLink(url)`: the stored
   * copy then holds a placeholder and the URL is sealed.
   */
  template: ReactElement | ((oneTimeLink: (url: string) => string) => ReactElement);
}

/** The outbox columns the renderers read. */
export type StoredEmail = Pick<typeof emailOutbox.$inferSelect, "id" | "to" | "subject" | "html" | "text" | "oneTimeLinksEnc">;

/** What a sender sends: the recipient's copy, links included. */
export interface OutgoingEmail {
  /** The outbox row id: the sender passes it as the provider's idempotency key, so a retried send goes out once. */
  idempotencyKey: string;
  to: string;
  subject: string;
  html: string;
  text: string;
}

export const LINK_REMOVED = "[link removed: one-time link, only in the recipient's copy]";

// A reserved domain (RFC 2606), so a placeholder that ever reached a reader leads nowhere. Made only of characters
// that HTML escaping and the plain-text renderer leave alone, so it appears verbatim in both copies.
const PLACEHOLDER_PREFIX = "https://one-time-link.invalid/";
const PLACEHOLDER = /https:\/\/one-time-link\.invalid\/(\d+)/g;

export async function queueEmail(tx: Executor, input: QueueEmailInput): Promise<string> {
  const links: string[] = [];
  const template =
    typeof input.template === "function" ? input.template((url) => `${PLACEHOLDER_PREFIX}${links.push(url) - 1}`) : input.template;
  const [html, text] = await Promise.all([render(template), render(template, { plainText: true })]);
  const [row] = await tx
    .insert(emailOutbox)
    .values({
      to: input.to,
      userId: input.userId ?? null,
      kind: input.kind,
      subject: input.subject,
      html,
      text,
      oneTimeLinksEnc: links.length ? seal(JSON.stringify(links)) : null,
    })
    .returning({ id: emailOutbox.id });
  return row!.id;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function fill(email: StoredEmail, replace: (index: number) => string) {
  return {
    html: email.html.replace(PLACEHOLDER, (_, i: string) => escapeHtml(replace(Number(i)))),
    text: email.text.replace(PLACEHOLDER, (_, i: string) => replace(Number(i))),
  };
}

export const hasOneTimeLinks = (email: Pick<StoredEmail, "html" | "text">) =>
  new RegExp(PLACEHOLDER.source).test(email.html) || new RegExp(PLACEHOLDER.source).test(email.text);

/**
 * The recipient's copy, with its one-time links put back. Throws when they are gone (the email was sent, which
 * clears them, or was queued before they were sealed): such an email cannot be sent again.
 */
export function renderForDelivery(email: StoredEmail): OutgoingEmail {
  const links = email.oneTimeLinksEnc ? (JSON.parse(open(email.oneTimeLinksEnc)) as string[]) : [];
  const filled = fill(email, (i) => {
    const url = links[i];
    if (url === undefined) throw new Error(`email ${email.id}: its one-time links are gone (already sent, or queued before they were sealed)`);
    return url;
  });
  return { idempotencyKey: email.id, to: email.to, subject: email.subject, ...filled };
}

/**
 * The copy an admin may read: with working links when `showLinks` (the outbox is the mailbox) and the links are
 * still sealed in the row; otherwise each link replaced by a note saying where it went.
 */
export function copyForAdmin(email: StoredEmail, showLinks: boolean): { html: string; text: string; oneTimeLinks: "shown" | "removed" | "none" } {
  if (!hasOneTimeLinks(email)) return { html: email.html, text: email.text, oneTimeLinks: "none" };
  if (showLinks && email.oneTimeLinksEnc) {
    const { html, text } = renderForDelivery(email);
    return { html, text, oneTimeLinks: "shown" };
  }
  return { ...fill(email, () => LINK_REMOVED), oneTimeLinks: "removed" };
}

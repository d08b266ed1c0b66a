/**
 * Email outbox: every email is rendered and written to `email_outbox` inside the caller's transaction, so an
 * email exists exactly when the change that caused it committed. A sender (Resend, added by the email issue)
 * drains queued rows through `deliverEmail` (./delivery.ts); with no sender configured admins read them at
 * /admin/emails.
 *
 * One-time links (verification, password reset) are never in the stored copy: the template is rendered with a
 * placeholder for each, and the live URLs are sealed (AES-256-GCM, for this purpose only) into `one_time_links_enc`.
 * `renderForDelivery` puts them back for the sender, which clears the sealed value once the email is sent;
 * `copyForAdmin` shows them only while the outbox is the mailbox (see `outboxIsMailbox`).
 *
 * INVARIANT: only a placeholder carrying the email's own nonce (`one_time_link_nonce`, random, chosen as the email
 * is rendered) is ever replaced. The rest of the email is text others wrote (a name, a provider's display name),
 * which may look like a placeholder but cannot carry a nonce that did not exist when it was written.
 */
import "server-only";
import { render } from "@react-email/render";
import { eq } from "drizzle-orm";
import type { ReactElement } from "react";
import type { Executor } from "@/server/db";
import type { EmailMessage } from "@/server/integrations/resend/types";
import { emailOutbox } from "@/server/db/schema";
import { openFor, randomToken, sealFor } from "@/server/crypto/secret-box";

export interface QueueEmailInput {
  to: string;
  userId?: string | null;
  kind: string;
  subject: string;
  /**
   * The email. A one-time link (one that signs in, verifies or resets) is written `oneTimeLink(url)`: the stored
   * copy then holds a placeholder and the URL is sealed.
   */
  template:
    ReactElement | ((oneTimeLink: (url: string) => string) => ReactElement);
  /**
   * transactional (the default): verification, reset, receipts, security; sent whatever the marketing choices.
   * notification (alerts, copy events, digests) and marketing (onboarding, the weekly digest to people without an
   * account) need `unsubscribeUrl`: the template shows it, and the sender adds List-Unsubscribe and
   * List-Unsubscribe-Post (RFC 8058) pointing at it.
   */
  stream?: EmailStream;
  /** The signed https one-click unsubscribe link (services/email/unsubscribe.ts); required unless transactional. */
  unsubscribeUrl?: string;
  /** Makes the email unique: queueing again with a key already in the outbox queues nothing (returns that email's id). */
  dedupeKey?: string;
}

export type EmailStream = (typeof emailOutbox.$inferSelect)["stream"];

/** The outbox columns the renderers read. */
export type StoredEmail = Pick<
  typeof emailOutbox.$inferSelect,
  | "id"
  | "to"
  | "subject"
  | "html"
  | "text"
  | "oneTimeLinksEnc"
  | "oneTimeLinkNonce"
  | "unsubscribeUrl"
>;

/** What a sender sends: the recipient's copy, links included (the integration's message type). */
export type OutgoingEmail = EmailMessage;

export const LINK_REMOVED =
  "[link removed: one-time link, only in the recipient's copy]";

// A reserved domain (RFC 2606), so a placeholder that ever reached a reader leads nowhere. Made only of characters
// that HTML escaping and the plain-text renderer leave alone (the nonce is base64url), so it appears verbatim in
// both copies: `https://one-time-link.invalid/<nonce>/<index>`.
const PLACEHOLDER_PREFIX = "https://one-time-link.invalid/";
const NONCE = /^[A-Za-z0-9_-]{16,}$/;
const SEAL_PURPOSE = "email-one-time-links";

/** The sealed value: the links, and the nonce of the email they belong to (a value copied to another row is refused). */
interface SealedLinks {
  nonce: string;
  links: string[];
}

/** This email's placeholders, or null when it has none (or was queued before placeholders carried a nonce). */
function placeholdersOf(
  email: Pick<StoredEmail, "oneTimeLinkNonce">,
): RegExp | null {
  const nonce = email.oneTimeLinkNonce;
  if (!nonce || !NONCE.test(nonce)) return null;
  return new RegExp(
    `${PLACEHOLDER_PREFIX.replace(/[.]/g, "\\.")}${nonce}/(\\d+)`,
    "g",
  );
}

export async function queueEmail(
  tx: Executor,
  input: QueueEmailInput,
): Promise<string> {
  const stream = input.stream ?? "transactional";
  if (stream !== "transactional" && !input.unsubscribeUrl)
    throw new Error(
      `A ${stream} email (${input.kind}) needs an unsubscribe link`,
    );
  if (input.unsubscribeUrl && !/^https?:\/\//.test(input.unsubscribeUrl))
    throw new Error("An unsubscribe link is absolute");
  const nonce = randomToken(16);
  const links: string[] = [];
  const template =
    typeof input.template === "function"
      ? input.template(
          (url) => `${PLACEHOLDER_PREFIX}${nonce}/${links.push(url) - 1}`,
        )
      : input.template;
  const [html, text] = await Promise.all([
    render(template),
    render(template, { plainText: true }),
  ]);
  const [row] = await tx
    .insert(emailOutbox)
    .values({
      to: input.to,
      userId: input.userId ?? null,
      kind: input.kind,
      subject: input.subject,
      html,
      text,
      oneTimeLinksEnc: links.length
        ? sealFor(
            SEAL_PURPOSE,
            JSON.stringify({ nonce, links } satisfies SealedLinks),
          )
        : null,
      oneTimeLinkNonce: links.length ? nonce : null,
      stream,
      unsubscribeUrl: input.unsubscribeUrl ?? null,
      dedupeKey: input.dedupeKey ?? null,
    })
    .onConflictDoNothing({ target: emailOutbox.dedupeKey })
    .returning({ id: emailOutbox.id });
  if (row) return row.id;
  const [existing] = await tx
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(eq(emailOutbox.dedupeKey, input.dedupeKey!));
  return existing!.id;
}

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#x27;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");

/** The email with each of its own placeholders replaced; any other text as written. */
function fill(email: StoredEmail, replace: (index: number) => string) {
  const placeholders = placeholdersOf(email);
  if (!placeholders) return { html: email.html, text: email.text };
  return {
    html: email.html.replace(placeholders, (_, i: string) =>
      escapeHtml(replace(Number(i))),
    ),
    text: email.text.replace(placeholders, (_, i: string) =>
      replace(Number(i)),
    ),
  };
}

export function hasOneTimeLinks(
  email: Pick<StoredEmail, "html" | "text" | "oneTimeLinkNonce">,
): boolean {
  const placeholders = placeholdersOf(email);
  return (
    placeholders !== null &&
    (new RegExp(placeholders.source).test(email.html) ||
      new RegExp(placeholders.source).test(email.text))
  );
}

function sealedLinks(email: StoredEmail): string[] {
  if (!email.oneTimeLinksEnc) return [];
  const sealed = JSON.parse(
    openFor(SEAL_PURPOSE, email.oneTimeLinksEnc),
  ) as Partial<SealedLinks>;
  if (sealed.nonce !== email.oneTimeLinkNonce || !Array.isArray(sealed.links))
    throw new Error(
      `email ${email.id}: its sealed links belong to another email`,
    );
  return sealed.links;
}

/** RFC 2369 and RFC 8058: mail clients show "Unsubscribe" and POST `List-Unsubscribe=One-Click` to the link. */
export function unsubscribeHeaders(url: string | null): Record<string, string> {
  return url
    ? {
        "List-Unsubscribe": `<${url}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      }
    : {};
}

/**
 * The recipient's copy, with its one-time links put back. Throws when they are gone (the email was sent, which
 * clears them): such an email cannot be sent again. An email without links of its own is sent as written.
 */
export function renderForDelivery(email: StoredEmail): OutgoingEmail {
  const base = {
    idempotencyKey: email.id,
    to: email.to,
    subject: email.subject,
    headers: unsubscribeHeaders(email.unsubscribeUrl),
  };
  if (!hasOneTimeLinks(email))
    return { ...base, html: email.html, text: email.text };
  const links = sealedLinks(email);
  const filled = fill(email, (i) => {
    const url = links[i];
    if (url === undefined)
      throw new Error(
        `email ${email.id}: its one-time links are gone (already sent)`,
      );
    return url;
  });
  return { ...base, ...filled };
}

export const UNSUBSCRIBE_LINK_REMOVED =
  "[unsubscribe link removed: it changes the recipient's email choices, only in their copy]";

/**
 * The copy an admin may read: with working links when `showLinks` (the outbox is the mailbox) and the links are
 * still sealed in the row; otherwise each link replaced by a note saying where it went. The recipient's unsubscribe
 * link (a never-expiring credential for their email choices) is shown only while the outbox is the mailbox, too.
 */
export function copyForAdmin(
  email: StoredEmail,
  showLinks: boolean,
): { html: string; text: string; oneTimeLinks: "shown" | "removed" | "none" } {
  const copy = adminCopy(email, showLinks);
  const url = email.unsubscribeUrl;
  if (showLinks || !url) return copy;
  return {
    ...copy,
    html: copy.html
      .replaceAll(escapeHtml(url), escapeHtml(UNSUBSCRIBE_LINK_REMOVED))
      .replaceAll(url, escapeHtml(UNSUBSCRIBE_LINK_REMOVED)),
    text: copy.text.replaceAll(url, UNSUBSCRIBE_LINK_REMOVED),
  };
}

function adminCopy(
  email: StoredEmail,
  showLinks: boolean,
): { html: string; text: string; oneTimeLinks: "shown" | "removed" | "none" } {
  if (!hasOneTimeLinks(email))
    return { html: email.html, text: email.text, oneTimeLinks: "none" };
  if (showLinks && email.oneTimeLinksEnc) {
    const { html, text } = renderForDelivery(email);
    return { html, text, oneTimeLinks: "shown" };
  }
  return { ...fill(email, () => LINK_REMOVED), oneTimeLinks: "removed" };
}

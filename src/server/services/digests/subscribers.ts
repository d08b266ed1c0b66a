/**
 * The weekly digest for people without an account: double opt-in. Asking (`requestWeeklyDigest`) creates or
 * refreshes a pending `digest_subscribers` row and queues one transactional confirmation email with a single-use
 * link; nothing else is ever sent to the address until the link is used (`confirmWeeklyDigest`).
 *
 * The answer to a request is the same whatever the address's state (new, pending, confirmed, unsubscribed), so the
 * form never tells anyone whether an address is subscribed. A confirmed address gets no new email (it already gets
 * the digest, and a stranger must not be able to mail it at will); an unsubscribed one stays unsubscribed until its
 * new confirmation link is used.
 */
import "server-only";
import { eq, sql } from "drizzle-orm";
import { createElement } from "react";
import { z } from "zod";
import { db } from "@/server/db";
import { digestSubscribers, providers } from "@/server/db/schema";
import { NotFoundError, ValidationError } from "@/server/errors";
import { randomToken, sha256Hex } from "@/server/crypto/secret-box";
import { addressKey } from "@/server/http/client-ip";
import { consume } from "@/server/rate-limit";
import type { ServiceContext } from "@/server/services/context";
import { emailsQueued } from "@/server/services/email/delivery";
import { queueEmail } from "@/server/services/email/outbox";
import { weeklyDigestRequestSchema } from "@/lib/validation/digest";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";
import DigestConfirm from "@emails/digest-confirm";

/** Requests per client address, and per address asked for (whatever the provider), in an hour. */
export const DIGEST_REQUEST_RATE = { perIp: { points: 10, seconds: 60 * 60 }, perEmail: { points: 3, seconds: 60 * 60 } } as const;

export async function requestWeeklyDigest(ctx: ServiceContext, raw: z.input<typeof weeklyDigestRequestSchema>): Promise<void> {
  const parsed = weeklyDigestRequestSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError("Check the highlighted fields", fieldErrorsFromZod(parsed.error));
  const { email, providerSlug } = parsed.data;
  await consume("digest-subscribe-ip", addressKey(ctx.ip), DIGEST_REQUEST_RATE.perIp.points, DIGEST_REQUEST_RATE.perIp.seconds);
  await consume("digest-subscribe-email", email, DIGEST_REQUEST_RATE.perEmail.points, DIGEST_REQUEST_RATE.perEmail.seconds);

  let provider: { id: string; displayName: string } | null = null;
  if (providerSlug) {
    const [row] = await db.select({ id: providers.id, displayName: providers.displayName }).from(providers).where(eq(providers.slug, providerSlug));
    if (!row) throw new NotFoundError("No provider with that name");
    provider = row;
  }
  const token = randomToken();
  const tokenHash = sha256Hex(token);
  await db.transaction(async (tx) => {
    // One statement: a new row is pending with this token; an existing pending or unsubscribed row gets the new token
    // (earlier links stop working); a confirmed row is left alone and returns nothing, so no email goes out.
    const [row] = await tx
      .insert(digestSubscribers)
      .values({ email, providerId: provider?.id ?? null, status: "pending", confirmTokenHash: tokenHash })
      .onConflictDoUpdate({
        target: [digestSubscribers.email, digestSubscribers.providerId],
        set: { confirmTokenHash: tokenHash, updatedAt: sql`now()` },
        setWhere: sql`${digestSubscribers.status} <> 'confirmed'`,
      })
      .returning({ id: digestSubscribers.id });
    if (!row) return;
    const url = `${ctx.baseUrl}/digest/confirm?token=${encodeURIComponent(token)}`;
    await queueEmail(tx, {
      to: email,
      kind: "digest_confirm",
      subject: provider ? `Confirm the weekly digest of ${provider.displayName}` : "Confirm the weekly Tradsy digest",
      template: (oneTimeLink) => createElement(DigestConfirm, { providerName: provider?.displayName ?? null, confirmUrl: oneTimeLink(url) }),
    });
  });
  await emailsQueued();
}

export const CONFIRM_REFUSED = "This confirmation link was already used or is not valid. To subscribe, ask again from the provider's page.";

/**
 * Uses a confirmation link: the subscription becomes confirmed and the token is cleared, in one statement, so a
 * second use (or a race of two) finds nothing and is refused.
 */
export async function confirmWeeklyDigest(ctx: ServiceContext, token: string): Promise<{ providerName: string | null; providerSlug: string | null }> {
  const [row] = await db
    .update(digestSubscribers)
    .set({ status: "confirmed", confirmedAt: ctx.now, confirmTokenHash: null })
    .where(eq(digestSubscribers.confirmTokenHash, sha256Hex(token)))
    .returning({ providerId: digestSubscribers.providerId });
  if (!row) throw new ValidationError(CONFIRM_REFUSED);
  if (!row.providerId) return { providerName: null, providerSlug: null };
  const [p] = await db.select({ name: providers.displayName, slug: providers.slug }).from(providers).where(eq(providers.id, row.providerId));
  return { providerName: p?.name ?? null, providerSlug: p?.slug ?? null };
}

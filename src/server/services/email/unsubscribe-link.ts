/**
 * Unsubscribe links: `${APP_URL}/api/unsubscribe/<token>`, one URL for both uses. Mail clients POST
 * `List-Unsubscribe=One-Click` to it (RFC 8058, no cookies); a person who clicks it in the email (GET) is sent on to
 * the preferences page `/unsubscribe/<token>`, which works without signing in.
 *
 * The token is signed (src/server/crypto/signed-token.ts) and never expires: an email a year old must still
 * unsubscribe. It names the recipient (a user, or a digest subscriber without an account), what the email was about
 * (its topic: a one-click unsubscribe turns off that topic only) and the recipient's unsubscribe version: bumping the
 * stored version revokes every link sent before.
 */
import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/server/db";
import { digestSubscribers, notificationPrefs } from "@/server/db/schema";
import { signToken, verifyToken } from "@/server/crypto/signed-token";
import { appBaseUrl } from "@/server/http/base-url";

/**
 * What an email was about, for a user: signal alerts (all, or one provider's), the daily digest and monthly report,
 * onboarding and product email, copy events; "all" is everything non-transactional. A digest subscriber's is "weekly".
 */
export type UnsubscribeTopic = "signals" | `signals:${string}` | "digest" | "product" | "copy" | "all" | "weekly";

export type UnsubscribeRecipient = { userId: string } | { digestSubscriberId: string };

const payload = z.union([
  z.object({ r: z.literal("u"), id: z.string().min(1).max(64), v: z.number().int().min(0), t: z.string().min(1).max(80) }),
  z.object({ r: z.literal("d"), id: z.string().min(1).max(64), v: z.number().int().min(0), t: z.literal("weekly") }),
]);

export type UnsubscribeClaim = z.infer<typeof payload>;

async function versionOf(tx: Executor, recipient: UnsubscribeRecipient): Promise<number> {
  if ("userId" in recipient) {
    const [row] = await tx.select({ v: notificationPrefs.unsubscribeVersion }).from(notificationPrefs).where(eq(notificationPrefs.userId, recipient.userId));
    return row?.v ?? 0;
  }
  const [row] = await tx.select({ v: digestSubscribers.unsubscribeVersion }).from(digestSubscribers).where(eq(digestSubscribers.id, recipient.digestSubscriberId));
  if (!row) throw new Error(`No digest subscriber ${recipient.digestSubscriberId}`);
  return row.v;
}

export function unsubscribeToken(recipient: UnsubscribeRecipient, topic: UnsubscribeTopic, version: number): string {
  const claim: UnsubscribeClaim =
    "userId" in recipient ? { r: "u", id: recipient.userId, v: version, t: topic } : { r: "d", id: recipient.digestSubscriberId, v: version, t: "weekly" };
  return signToken("unsubscribe", claim);
}

/** The link, for senders that read the recipients' versions themselves (in bulk): `base` is the app's base URL. */
export function unsubscribeUrl(base: string, recipient: UnsubscribeRecipient, topic: UnsubscribeTopic, version: number): string {
  return `${base}/api/unsubscribe/${unsubscribeToken(recipient, topic, version)}`;
}

/** The link for an email to this recipient about this topic (reads the recipient's current unsubscribe version). */
export async function unsubscribeUrlFor(tx: Executor, recipient: UnsubscribeRecipient, topic: UnsubscribeTopic): Promise<string> {
  return unsubscribeUrl(appBaseUrl(), recipient, topic, await versionOf(tx, recipient));
}

/** The claim in a token this server signed, or null (forged, altered, malformed). Revocation is checked by the caller. */
export function readUnsubscribeToken(token: string): UnsubscribeClaim | null {
  const parsed = payload.safeParse(verifyToken("unsubscribe", token));
  return parsed.success ? parsed.data : null;
}

/**
 * Resend webhooks (Svix-signed): delivery events update the outbox row they are about, and addresses that bounced
 * hard, complained or that Resend suppressed are added to `email_suppressions`, which the drain checks before every
 * send. The signature is checked on the raw body with the svix-* headers before anything is parsed or written; each
 * delivery's svix-id is applied once (its `email_webhook_events` row commits with its effects).
 */
import "server-only";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Logger } from "pino";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { z } from "zod";
import { env } from "@/env";
import { db } from "@/server/db";
import { emailOutbox, emailSuppressions, emailWebhookEvents } from "@/server/db/schema";
import { logger } from "@/server/logger";

/** The delivery events we act on; any other type is answered 200 and ignored. */
export const RESEND_DELIVERY_EVENTS = ["email.delivered", "email.delivery_delayed", "email.bounced", "email.complained", "email.suppressed", "email.failed"] as const;
type DeliveryEvent = (typeof RESEND_DELIVERY_EVENTS)[number];

const eventSchema = z.object({
  type: z.string().min(1).max(100),
  created_at: z.string().datetime({ offset: true }).optional(),
  data: z.object({
    email_id: z.string().min(1).max(200),
    to: z.union([z.string(), z.array(z.string())]).optional(),
    created_at: z.string().optional(),
    bounce: z.object({ type: z.string().optional(), subType: z.string().optional(), message: z.string().optional() }).passthrough().optional(),
  }).passthrough(),
});

export interface ResendWebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** svix-* headers, with the webhook-* names Standard Webhooks also uses accepted as a fallback. */
function svixHeaders(headers: Headers): { id: string; timestamp: string; signature: string } | null {
  const id = headers.get("svix-id") ?? headers.get("webhook-id");
  const timestamp = headers.get("svix-timestamp") ?? headers.get("webhook-timestamp");
  const signature = headers.get("svix-signature") ?? headers.get("webhook-signature");
  return id && timestamp && signature ? { id, timestamp, signature } : null;
}

/**
 * A hard bounce: Resend's email.bounced is a permanent rejection, and its `data.bounce.type` says "Permanent"; a
 * "Transient" one (a full mailbox, say) or an "Undetermined" one updates the status without suppressing the address.
 */
function isHardBounce(bounce: { type?: string } | undefined): boolean {
  const type = bounce?.type?.trim().toLowerCase();
  return !type || type === "permanent";
}

const SUPPRESSING: Partial<Record<DeliveryEvent, "bounced" | "complained" | "suppressed">> = {
  "email.bounced": "bounced",
  "email.complained": "complained",
  "email.suppressed": "suppressed",
};

/**
 * The endpoint's answer to one delivery. 404 when no signing secret is configured (the endpoint does not exist in
 * that setup), 400 for a missing or bad signature or an unreadable verified body (nothing written), 200 otherwise
 * (processed, duplicate, or ignored), 500 when the database failed (Resend retries).
 */
export async function answerResendWebhook(rawBody: string, headers: Headers, log: Logger = logger, secret: string | null = env.RESEND_WEBHOOK_SECRET ?? null, now: Date = new Date()): Promise<ResendWebhookAnswer> {
  if (!secret) return { status: 404, body: { error: "Resend webhooks are not configured on this server (RESEND_WEBHOOK_SECRET is unset)" } };
  const svix = svixHeaders(headers);
  if (!svix) return { status: 400, body: { error: "Missing svix-id, svix-timestamp or svix-signature header" } };
  let verified: unknown;
  try {
    verified = new Webhook(secret).verify(rawBody, { "webhook-id": svix.id, "webhook-timestamp": svix.timestamp, "webhook-signature": svix.signature });
  } catch (err) {
    const reason = err instanceof WebhookVerificationError ? err.message : "the signature could not be checked";
    return { status: 400, body: { error: `Webhook signature verification failed: ${reason}` } };
  }
  const parsed = eventSchema.safeParse(verified);
  if (!parsed.success) {
    const type = (verified as { type?: unknown } | null)?.type;
    // Not an email event we could read: events of other kinds (contact.*, domain.*) carry no email_id and are ignored.
    if (typeof type === "string" && !(RESEND_DELIVERY_EVENTS as readonly string[]).includes(type)) return { status: 200, body: { received: true, result: "ignored" } };
    log.warn({ svixId: svix.id, type, problem: parsed.error.issues[0]?.message }, "resend webhook: verified event with an unexpected shape; refused");
    return { status: 400, body: { error: "The event does not have the shape of a Resend email event" } };
  }
  const event = parsed.data;
  if (!(RESEND_DELIVERY_EVENTS as readonly string[]).includes(event.type)) return { status: 200, body: { received: true, result: "ignored" } };
  try {
    const result = await applyDeliveryEvent(svix.id, event.type as DeliveryEvent, event, now);
    return { status: 200, body: { received: true, result } };
  } catch (err) {
    log.error({ err, svixId: svix.id }, "resend webhook failed");
    return { status: 500, body: { error: "Webhook processing failed; Resend will retry" } };
  }
}

async function applyDeliveryEvent(svixId: string, type: DeliveryEvent, event: z.infer<typeof eventSchema>, now: Date): Promise<"processed" | "duplicate"> {
  const at = event.created_at ? new Date(event.created_at) : now;
  const status = type.slice("email.".length);
  return db.transaction(async (tx) => {
    const inserted = await tx.insert(emailWebhookEvents).values({ id: svixId, type }).onConflictDoNothing().returning({ id: emailWebhookEvents.id });
    if (!inserted.length) return "duplicate" as const;
    // Events can arrive out of order: an older one never overwrites a newer status.
    const rows = await tx
      .update(emailOutbox)
      .set({ deliveryStatus: status, deliveryUpdatedAt: at })
      .where(and(eq(emailOutbox.providerMessageId, event.data.email_id), or(isNull(emailOutbox.deliveryUpdatedAt), lt(emailOutbox.deliveryUpdatedAt, at))))
      .returning({ to: emailOutbox.to });
    const reason = SUPPRESSING[type];
    if (reason && (type !== "email.bounced" || isHardBounce(event.data.bounce))) {
      const recipients = [event.data.to ?? []].flat().concat(rows.map((r) => r.to));
      const addresses = [...new Set(recipients.map((a) => a.trim().toLowerCase()).filter((a) => a.includes("@")))];
      if (addresses.length) {
        await tx
          .insert(emailSuppressions)
          .values(addresses.map((email) => ({ email, reason, providerMessageId: event.data.email_id })))
          .onConflictDoNothing();
      }
    }
    return "processed" as const;
  });
}

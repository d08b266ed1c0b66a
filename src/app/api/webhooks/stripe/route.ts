/**
 * Stripe webhook endpoint (both modes: real Stripe, and the embedded dev checkout posting signed events here).
 * The raw body is verified against the signature before anything is parsed or written.
 */
import { receiveStripeWebhook } from "@/server/services/billing";
import { logger } from "@/server/logger";
import { readBody } from "@/server/http/respond";

export const dynamic = "force-dynamic";
const MAX_BODY_BYTES = 512 * 1024;

export async function POST(req: Request): Promise<Response> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (!body.ok) return Response.json({ error: "Payload too large" }, { status: 413 });
  try {
    const outcome = await receiveStripeWebhook(body.text, req.headers.get("stripe-signature"));
    if (outcome.status === 400) return Response.json({ error: outcome.error }, { status: 400 });
    return Response.json({ received: true, result: outcome.result });
  } catch (err) {
    // A 500 makes Stripe retry later; the event row rolled back with the failed effects.
    logger.error({ err }, "stripe webhook failed");
    return Response.json({ error: "Webhook processing failed; Stripe will retry" }, { status: 500 });
  }
}

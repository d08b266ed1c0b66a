/**
 * Stripe webhook endpoint (both modes: real Stripe, and the embedded dev checkout, whose signed events reach the same
 * code in process through services/billing/gateway.ts). The raw body is verified against the signature before
 * anything is parsed or written.
 */
import { answerStripeWebhook, getPaymentsGateway } from "@/server/services/billing";
import { readBody } from "@/server/http/respond";
import { handleRequest } from "@/server/http/service-context";

export const dynamic = "force-dynamic";
const MAX_BODY_BYTES = 512 * 1024;

export async function POST(req: Request): Promise<Response> {
  return handleRequest(req, "/api/webhooks/stripe", async ({ log }) => {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body.ok) return Response.json({ error: "Payload too large" }, { status: 413 });
    const answer = await answerStripeWebhook(getPaymentsGateway(), body.text, req.headers.get("stripe-signature"), log);
    return Response.json(answer.body, { status: answer.status });
  });
}

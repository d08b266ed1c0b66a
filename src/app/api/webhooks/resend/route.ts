/**
 * Resend webhook endpoint (delivery events; Svix-signed). The raw body is verified with the svix-* headers and
 * RESEND_WEBHOOK_SECRET before anything is parsed or written; see services/email/webhooks.ts.
 */
import { readBody } from "@/server/http/respond";
import { handleRequest } from "@/server/http/service-context";
import { answerResendWebhook } from "@/server/services/email/webhooks";

export const dynamic = "force-dynamic";
const MAX_BODY_BYTES = 256 * 1024;

export async function POST(req: Request): Promise<Response> {
  return handleRequest(req, "/api/webhooks/resend", async ({ log }) => {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body.ok) return body.response;
    const answer = await answerResendWebhook(body.text, req.headers, log);
    return Response.json(answer.body, { status: answer.status });
  });
}

/**
 * Telegram bot webhook (updates: /start <code>, /stop, the bot blocked or removed). Registered by the telegram-poll
 * job with setWebhook's `secret_token` = TELEGRAM_WEBHOOK_SECRET, which Telegram sends back in
 * X-Telegram-Bot-Api-Secret-Token; it is checked before the body is parsed. See services/channels/telegram-link.ts.
 */
import { readBody } from "@/server/http/respond";
import { handleRequest } from "@/server/http/service-context";
import { answerTelegramWebhook, telegramWebhookRefusal } from "@/server/services/channels/telegram-link";

export const dynamic = "force-dynamic";
// Updates are small (a message, a membership change); Telegram's own limit for a text is 4096 characters.
const MAX_BODY_BYTES = 256 * 1024;

export async function POST(req: Request): Promise<Response> {
  return handleRequest(req, "/api/webhooks/telegram", async ({ log }) => {
    // Who is not Telegram is answered before a byte of the body is read.
    const refused = telegramWebhookRefusal(req.headers);
    if (refused) return Response.json(refused.body, { status: refused.status });
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body.ok) return body.response;
    const answer = await answerTelegramWebhook(body.text, req.headers, log);
    return Response.json(answer.body, { status: answer.status });
  });
}

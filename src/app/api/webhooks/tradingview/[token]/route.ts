/** TradingView alert webhook: the body is the alert message (JSON or plain text). Answers well within 3 s. */
import { getDatabase } from "@/server/db";
import { handleAlert } from "@/server/services/tradingview";
import { handleRequest } from "@/server/http/service-context";
import { errorResponse, fromError, json, readBody } from "@/server/http/respond";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY = 10 * 1024;

export async function POST(req: Request, { params }: { params: Promise<{ token: string }> }) {
  return handleRequest(req, "/api/webhooks/tradingview/[token]", async (scope) => {
    try {
      const [{ token }] = await Promise.all([params, getDatabase()]);
      const body = await readBody(req, MAX_BODY);
      if (!body.ok) return errorResponse(413, "Alert messages are limited to 10 KB.");
      // No actor yet: the token says which provider acts.
      const outcome = await handleAlert(scope.service(), token, body.text, req.headers.get("content-type"));
      return json(outcome.body, outcome.status, outcome.headers);
    } catch (err) {
      return fromError(err, "POST /api/webhooks/tradingview", scope.log);
    }
  });
}

/** TradingView alert webhook: the body is the alert message (JSON or plain text). Answers well within 3 s. */
import { getDatabase } from "@/server/db";
import { handleAlert } from "@/server/services/tradingview";
import { handleRequest } from "@/server/http/service-context";
import { errorResponse, fromError, json, readBody } from "@/server/http/respond";
import { consume } from "@/server/rate-limit";
import { countAlert } from "@/server/metrics/tradingview";
import { env } from "@/env";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY = 10 * 1024;

/**
 * Alerts per webhook token, in the shared store: TradingView itself sends at most one alert per alert trigger, and a
 * provider's signals are held to SIGNAL_PUBLISH_LIMIT_PER_MINUTE anyway; this stops a leaked URL from flooding the
 * service (exits and repeats are not publishes, so that quota alone does not bound them). TradingView does not retry
 * a 4xx, so a refused alert is lost: the budget is a setting (TRADINGVIEW_TOKEN_LIMIT_PER_MINUTE, 0 = off), read per
 * request so tests can change it.
 */
const tokenLimit = () => ({ points: env.TRADINGVIEW_TOKEN_LIMIT_PER_MINUTE, seconds: 60 }) as const;
const TOKEN_SHAPE = /^tv_[A-Za-z0-9_-]{20,64}$/;

/** Counts an answer made here rather than by the service (too large, rate limited, failed) by its status. */
function counted(res: Response): Response {
  countAlert(res.status);
  return res;
}

export async function POST(req: Request, { params }: { params: Promise<{ token: string }> }) {
  return handleRequest(req, "/api/webhooks/tradingview/[token]", async (scope) => {
    try {
      const [{ token }] = await Promise.all([params, getDatabase()]);
      const body = await readBody(req, MAX_BODY);
      if (!body.ok) return counted(errorResponse(413, "Alert messages are limited to 10 KB."));
      // Per token, not per address: TradingView sends everyone's alerts from four addresses. A URL that cannot be a
      // token is answered 404 by handleAlert without a lookup, so it costs no count either.
      const limit = tokenLimit();
      if (limit.points > 0 && TOKEN_SHAPE.test(token)) {
        await consume("tradingview-token", token, limit.points, limit.seconds);
      }
      // No actor yet: the token says which provider acts.
      const outcome = await handleAlert(scope.service(), token, body.text, req.headers.get("content-type"));
      countAlert(outcome.status, outcome);
      return json(outcome.body, outcome.status, outcome.headers);
    } catch (err) {
      return counted(fromError(err, "POST /api/webhooks/tradingview", scope.log));
    }
  });
}

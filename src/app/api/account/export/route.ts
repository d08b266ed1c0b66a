/**
 * "Download your data": the signed-in user's data as a JSON file (services/privacy/export.ts). A visitor gets 401;
 * the owner is the session's user, never a parameter. At most 5 downloads an hour per account (the document can be
 * large and holds everything: a stolen session must not be able to pull it in a loop), audited `account.exported`.
 */
import { getDatabase } from "@/server/db";
import { auth } from "@/server/auth";
import { statusOf } from "@/server/errors";
import { errorResponse, fromError, privateAnswer } from "@/server/http/respond";
import { handleRequest } from "@/server/http/service-context";
import { retryAfterSeconds, take, waitPhrase } from "@/server/rate-limit";
import { exportAccount } from "@/server/services/privacy/export";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const EXPORT_LIMIT = { points: 5, seconds: 3600 } as const;

export async function GET(req: Request) {
  return handleRequest(req, "/api/account/export", async ({ log, service }) => {
    try {
      const session = await auth();
      if (!session?.user?.id) return privateAnswer(errorResponse(statusOf("unauthorized"), "Sign in to download your data"));
      await getDatabase();
      const ctx = service({ id: session.user.id, role: session.user.role });
      const refused = await take("account-export", ctx.actor.id, EXPORT_LIMIT.points, EXPORT_LIMIT.seconds);
      if (refused) {
        const res = privateAnswer(errorResponse(statusOf("limit"), `You downloaded your data several times this hour. Try again in ${waitPhrase(refused.retryAfterMs)}.`));
        res.headers.set("retry-after", String(retryAfterSeconds(refused.retryAfterMs)));
        return res;
      }
      const document = await exportAccount(ctx);
      const day = ctx.now.toISOString().slice(0, 10);
      return new Response(JSON.stringify(document, null, 2), {
        status: 200,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "content-disposition": `attachment; filename="tradsy-data-${day}.json"`,
          "cache-control": "private, no-store",
          "x-content-type-options": "nosniff",
        },
      });
    } catch (err) {
      return privateAnswer(fromError(err, "GET /api/account/export", log));
    }
  });
}

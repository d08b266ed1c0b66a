/**
 * The signed-in follower's copy orders as CSV (the journal's "Export CSV"), with the journal's filters as query
 * parameters (providerId, status, leg, from, to). A visitor gets 401; the owner is the session's user, never a
 * parameter.
 */
import { getDatabase } from "@/server/db";
import { auth } from "@/server/auth";
import { statusOf } from "@/server/errors";
import { errorResponse, fromError, privateAnswer, refuseUnsafeText } from "@/server/http/respond";
import { handleRequest } from "@/server/http/service-context";
import { ordersCsv } from "@/server/services/copy/journal";
import { orderFiltersSchema } from "@/lib/validation/copy";
import { fieldErrorsFromZod, firstFieldError } from "@/lib/validation/field-errors";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return handleRequest(req, "/api/copy/orders.csv", async ({ log, service }) => {
    try {
      const session = await auth();
      if (!session?.user?.id) return privateAnswer(errorResponse(statusOf("unauthorized"), "Sign in to download your orders"));
      const ctx = service({ id: session.user.id, role: session.user.role });
      const query = Object.fromEntries(new URL(req.url).searchParams);
      const refused = refuseUnsafeText(query);
      if (refused) return privateAnswer(refused);
      const parsed = orderFiltersSchema.safeParse(query);
      if (!parsed.success) {
        const fields = fieldErrorsFromZod(parsed.error);
        return privateAnswer(errorResponse(statusOf("invalid"), firstFieldError(fields) ?? "Those filters are not valid", fields));
      }
      await getDatabase();
      const csv = await ordersCsv(ctx.actor.id, parsed.data);
      const day = ctx.now.toISOString().slice(0, 10);
      return new Response(csv, {
        status: 200,
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="tradsy-copy-orders-${day}.csv"`,
          "cache-control": "private, no-store",
          "x-content-type-options": "nosniff",
        },
      });
    } catch (err) {
      return privateAnswer(fromError(err, "GET /api/copy/orders.csv", log));
    }
  });
}

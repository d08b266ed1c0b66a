/**
 * The admin audit log as CSV (the audit page's "Export CSV"), with the page's filters as query parameters (actor,
 * action, from, to: the same URL grammar, src/lib/audit-filters.ts). A visitor gets 401; a signed-in non-admin 403;
 * in production an admin without two-factor sign-in 403 too (as every admin page and procedure).
 */
import { getDatabase } from "@/server/db";
import { auth } from "@/server/auth";
import { statusOf } from "@/server/errors";
import { errorResponse, fromError, privateAnswer, refuseUnsafeText } from "@/server/http/respond";
import { handleRequest } from "@/server/http/service-context";
import { AUDIT_CSV_MAX_ROWS, auditCsv, mayUseAdminArea } from "@/server/services/audit/export";
import { parseAuditFilters } from "@/lib/audit-filters";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return handleRequest(req, "/api/admin/audit.csv", async ({ log }) => {
    try {
      const session = await auth();
      if (!session?.user?.id) return privateAnswer(errorResponse(statusOf("unauthorized"), "Sign in as an admin to download the audit log"));
      await getDatabase();
      const may = await mayUseAdminArea(session.user.id);
      if (may === "not_admin") return privateAnswer(errorResponse(statusOf("forbidden"), "Admins only"));
      if (may === "needs_two_factor") return privateAnswer(errorResponse(statusOf("forbidden"), "Turn on two-factor sign-in to use the admin area"));
      const query = Object.fromEntries(new URL(req.url).searchParams);
      const refused = refuseUnsafeText(query);
      if (refused) return privateAnswer(refused);
      const { stream, matching, capped } = await auditCsv(parseAuditFilters(query));
      const day = new Date().toISOString().slice(0, 10);
      return new Response(stream, {
        status: 200,
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="tradsy-audit-${day}.csv"`,
          "cache-control": "private, no-store",
          "x-content-type-options": "nosniff",
          "x-export-rows": String(Math.min(matching, AUDIT_CSV_MAX_ROWS)),
          ...(capped ? { "x-export-capped": `only the newest ${AUDIT_CSV_MAX_ROWS} of ${matching} matching entries; narrow the filters` } : {}),
        },
      });
    } catch (err) {
      return privateAnswer(fromError(err, "GET /api/admin/audit.csv", log));
    }
  });
}

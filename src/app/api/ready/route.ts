/**
 * Readiness: 200 when the database, the job runner and market data answer, 503 (with each check's status and
 * latency) when one does not, so a load balancer or orchestrator sends no traffic here meanwhile. No auth: the body
 * names components and states, never hosts, settings or error detail.
 */
import { checkReadiness } from "@/server/services/health";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const readiness = await checkReadiness();
  return Response.json(readiness, { status: readiness.status === "ready" ? 200 : 503, headers: { "cache-control": "no-store" } });
}

/** Liveness: the process answers. No database or other dependency is touched (that is `/api/ready`). */
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}

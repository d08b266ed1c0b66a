/**
 * Prometheus scrape endpoint (text exposition format). `Authorization: Bearer <METRICS_TOKEN>`; with no token
 * configured, or a missing or wrong one, the answer is the same 404 as for any unknown path, so nothing tells a
 * scanner the endpoint exists. Series: src/server/metrics/registry.ts.
 */
import { mayScrape } from "@/server/metrics/access";
import { metrics } from "@/server/metrics/registry";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  if (!mayScrape(req.headers.get("authorization"))) return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  const { registry } = metrics();
  const body = await registry.metrics();
  return new Response(body, { status: 200, headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}

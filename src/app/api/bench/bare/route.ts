/**
 * Benchmark baseline (`npm run bench`): the cheapest route handler this app can have. It reads the body and answers
 * 200, so its throughput is the framework's own ceiling that the TradingView webhook is measured against. Served
 * only when `BENCH_ROUTES=1` (the bench's own server); everywhere else it is a 404.
 */
import { env } from "@/env";
import { errorResponse } from "@/server/http/respond";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  if (!env.BENCH_ROUTES) return errorResponse(404, "Not found");
  await req.text();
  return new Response("ok");
}

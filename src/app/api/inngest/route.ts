// Inngest calls this route to register and run functions. Importing it needs no keys, so `next build` passes
// without them. In inline mode (no Inngest configured) jobs run in process and nothing may call this route: it is a
// 404 there, rather than Inngest's handler answering 500 for the missing signing key.
import { serve } from "inngest/next";
import type { NextRequest } from "next/server";
import { functions, inngest, jobsMode } from "@/server/jobs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handlers = serve({ client: inngest, functions });
type Handler = typeof handlers.GET;

const notConfigured = () =>
  Response.json({ error: { message: "Inngest is not configured on this server: background jobs run inside the app, so there is nothing to serve here." } }, { status: 404, headers: { "cache-control": "no-store" } });

// The mode is read per request (it only reads env), so tests and a restarted process with new keys agree.
const inlineOr = (handler: Handler): Handler => ((req: NextRequest, ctx: unknown) => (jobsMode() === "inline" ? notConfigured() : handler(req, ctx as never))) as Handler;

export const GET = inlineOr(handlers.GET);
export const POST = inlineOr(handlers.POST);
export const PUT = inlineOr(handlers.PUT);

import { NextRequest } from "next/server";
import { readBody } from "@/server/http/respond";
import { handleRequest } from "@/server/http/service-context";
import { handlers } from "@/server/auth";
import { answerSignInRequest } from "@/server/auth/sign-in-limits";

export const runtime = "nodejs";

const ROUTE = "/api/auth/[...nextauth]";

export function GET(req: NextRequest): Promise<Response> {
  return handleRequest(req, ROUTE, () => handlers.GET(req));
}

/**
 * A sign-in a limit refuses answers 429 with Retry-After (Auth.js alone would redirect as for a wrong password); a
 * successful one also sets the known-browser cookie.
 */
export function POST(req: NextRequest): Promise<Response> {
  return handleRequest(req, ROUTE, async () => {
    // Auth.js would read any size of form; a sign-in, sign-out or session update is a few hundred bytes.
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body.ok) return body.response;
    const capped = new NextRequest(req.url, { method: "POST", headers: req.headers, body: body.text, signal: req.signal });
    return answerSignInRequest(() => handlers.POST(capped));
  });
}

const MAX_BODY_BYTES = 64 * 1024;

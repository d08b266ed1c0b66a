import type { NextRequest } from "next/server";
import { handlers } from "@/server/auth";
import { answerSignInRequest } from "@/server/auth/sign-in-limits";

export const runtime = "nodejs";
export const { GET } = handlers;

/**
 * A sign-in a limit refuses answers 429 with Retry-After (Auth.js alone would redirect as for a wrong password); a
 * successful one also sets the known-browser cookie.
 */
export function POST(req: NextRequest): Promise<Response> {
  return answerSignInRequest(() => handlers.POST(req));
}

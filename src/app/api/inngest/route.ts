// Inngest calls this route to register and run functions. It exists in inline mode too: with no signing key the
// handler answers with a configuration error, and importing it needs no keys, so `next build` passes without them.
import { serve } from "inngest/next";
import { functions, inngest } from "@/server/jobs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, POST, PUT } = serve({ client: inngest, functions });

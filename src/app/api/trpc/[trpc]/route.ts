import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { NextRequest } from "next/server";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { auth } from "@/server/auth";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Every answer, public procedures included, is kept out of shared and disk caches: most carry the caller's own data,
 * and even public reads differ by session (a live signal's levels for an entitled viewer, the subscribe state), while
 * the URL does not. Nothing here is worth caching by HTTP: the client caches in TanStack Query. Appended, not set, so
 * the SSE stream keeps tRPC's `no-cache, no-transform` (proxies must not buffer or compress it).
 */
const PRIVATE = new Headers({ "cache-control": "private, no-store" });

const handler = (req: NextRequest) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => createTRPCContext({ headers: req.headers, session: await auth() }),
    responseMeta: () => ({ headers: PRIVATE }),
  });

export { handler as GET, handler as POST };

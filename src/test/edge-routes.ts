/**
 * The three edges a provider's write can arrive at (tRPC, the REST API, the TradingView webhook), with the session
 * the tRPC route sees set by the test. In the test file:
 *
 *   vi.mock("@/server/auth", () => import("@/test/edge-routes"));
 *   const { trpcRoute, restRoute, tradingViewRoute } = await edgeRoutes();
 *
 * and `session.user = …` to sign in (null: anonymous). The routes are imported after the mock, hence the function.
 */
import type { SessionUser } from "@/server/api/trpc";

export const session = { user: null as SessionUser | null };

/** Stands in for "@/server/auth"'s `auth()`: the test's session, valid for an hour. */
export const auth = async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 3_600_000).toISOString() } : null);

export async function edgeRoutes() {
  const [trpcRoute, restRoute, tradingViewRoute] = await Promise.all([
    import("@/app/api/trpc/[trpc]/route"),
    import("@/app/api/v1/signals/route"),
    import("@/app/api/webhooks/tradingview/[token]/route"),
  ]);
  return { trpcRoute, restRoute, tradingViewRoute };
}

import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { OPEN_POSITIONS, ORDERS_PAGE } from "./_components/live";
import { CopyTradingClient } from "./client";

export const metadata: Metadata = { title: "Copy trading" };
export const dynamic = "force-dynamic";

export default async function CopyTradingPage() {
  await requireUser("/copy");
  const qc = getQueryClient();
  // The first screen renders from the server; the client then keeps it live (./_components/live).
  await Promise.all([
    qc.prefetchQuery(trpc.copy.followings.queryOptions()),
    qc.prefetchQuery(trpc.copy.account.queryOptions()),
    qc.prefetchQuery(trpc.copy.journalStats.queryOptions()),
    qc.prefetchQuery(trpc.copy.failingExits.queryOptions()),
    qc.prefetchInfiniteQuery(trpc.copy.positions.infiniteQueryOptions(OPEN_POSITIONS, { getNextPageParam: (p) => p.nextCursor })),
    qc.prefetchInfiniteQuery(trpc.copy.orders.infiniteQueryOptions({ filters: {}, limit: ORDERS_PAGE }, { getNextPageParam: (p) => p.nextCursor })),
  ]);
  return (
    <HydrateClient>
      <CopyTradingClient />
    </HydrateClient>
  );
}

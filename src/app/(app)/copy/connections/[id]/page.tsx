import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { ControlCentreClient } from "./client";
import { ACTIVITY_PAGE } from "./_components/constants";

export const metadata: Metadata = { title: "Control centre" };
export const dynamic = "force-dynamic";

export default async function ControlCentrePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireUser(`/copy/connections/${id}`);
  const qc = getQueryClient();
  // A connection that is not the user's fails its prefetch; the client shows "not found" from its own read.
  await Promise.all([
    qc.prefetchQuery(trpc.exchanges.overview.queryOptions({ id })),
    qc.prefetchInfiniteQuery(trpc.exchanges.activity.infiniteQueryOptions({ id, limit: ACTIVITY_PAGE }, { getNextPageParam: (p) => p.nextCursor })),
    qc.prefetchQuery(trpc.exchanges.supported.queryOptions()),
    qc.prefetchQuery(trpc.exchanges.discrepancies.queryOptions({ id })),
    qc.prefetchQuery(trpc.copy.failingExits.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <ControlCentreClient id={id} />
    </HydrateClient>
  );
}

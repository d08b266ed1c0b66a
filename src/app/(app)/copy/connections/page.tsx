import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { ConnectionsClient } from "./client";

export const metadata: Metadata = { title: "Exchange connections" };
export const dynamic = "force-dynamic";

export default async function ConnectionsPage() {
  await requireUser("/copy/connections");
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.exchanges.list.queryOptions()), qc.prefetchQuery(trpc.exchanges.supported.queryOptions())]);
  return (
    <HydrateClient>
      <ConnectionsClient />
    </HydrateClient>
  );
}

import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { LabClient } from "./client";

export const metadata: Metadata = { title: "Strategy lab" };
export const dynamic = "force-dynamic";

export default async function LabPage() {
  await requireUser("/lab");
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.lab.strategies.list.queryOptions()), qc.prefetchQuery(trpc.lab.backtests.list.queryOptions({ limit: 20 }))]);
  return (
    <HydrateClient>
      <LabClient />
    </HydrateClient>
  );
}

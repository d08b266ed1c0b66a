import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { requireUser } from "@/server/auth/guards";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { StrategyEditor } from "../../_components/strategy-editor";

export const metadata: Metadata = { title: "Strategy · Strategy lab" };
export const dynamic = "force-dynamic";

export default async function StrategyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireUser(`/lab/strategies/${id}`);
  const caller = await api();
  const strategy = await caller.lab.strategies.get({ id }).catch((e: unknown) => {
    if (e instanceof TRPCError && (e.code === "NOT_FOUND" || e.code === "BAD_REQUEST")) notFound();
    throw e;
  });
  await getQueryClient().prefetchQuery(trpc.lab.symbols.queryOptions());
  return (
    <HydrateClient>
      <StrategyEditor key={`${strategy.id}-${strategy.version}`} initial={strategy} />
    </HydrateClient>
  );
}

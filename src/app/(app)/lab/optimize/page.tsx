import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { CATALOGUE } from "@/lib/strategy-library";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { OptimizeClient } from "./client";

export const metadata: Metadata = { title: "Optimise · Strategy lab" };
export const dynamic = "force-dynamic";

/** `/lab/optimize[?curated=<id>]`: the optimise form for the curated strategies, and the user's recent runs. */
export default async function OptimizePage({ searchParams }: { searchParams: Promise<{ curated?: string | string[] }> }) {
  await requireUser("/lab/optimize");
  const { curated } = await searchParams;
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.lab.symbols.queryOptions()), qc.prefetchQuery(trpc.lab.optimizations.list.queryOptions({ limit: 20 }))]);
  // Plain data: the catalogue's `create` (the engine strategy) stays on the server.
  const strategies = CATALOGUE.map((e) => ({
    id: e.id,
    name: e.name,
    description: e.description,
    params: e.params.map((p) => ({ ...p })),
    constraints: (e.constraints ?? []).map((c) => ({ ...c })),
  }));
  return (
    <HydrateClient>
      <OptimizeClient strategies={strategies} initialId={typeof curated === "string" ? curated : undefined} />
    </HydrateClient>
  );
}

import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { CATALOGUE } from "@/lib/strategy-library";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { StrategyEditor } from "../_components/strategy-editor";
import { CuratedBacktest } from "../_components/curated-backtest";

export const metadata: Metadata = { title: "New strategy · Strategy lab" };
export const dynamic = "force-dynamic";

/** The rule builder for a new strategy; `?curated=<id>` opens a backtest form for a curated library strategy instead. */
export default async function NewStrategyPage({ searchParams }: { searchParams: Promise<{ curated?: string | string[] }> }) {
  await requireUser("/lab/new");
  const { curated } = await searchParams;
  await getQueryClient().prefetchQuery(trpc.lab.symbols.queryOptions());
  const entry = typeof curated === "string" ? CATALOGUE.find((e) => e.id === curated) : undefined;
  return (
    <HydrateClient>
      {entry ? (
        <CuratedBacktest
          entry={{ id: entry.id, name: entry.name, description: entry.description, params: entry.params.map((p) => ({ ...p })), timeframes: [...entry.timeframes] }}
        />
      ) : (
        <StrategyEditor />
      )}
    </HydrateClient>
  );
}

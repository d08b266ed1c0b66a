import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { requireUser } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/card";
import { CATALOGUE } from "@/lib/strategy-library";
import type { SearchParams } from "@/lib/search-params";
import { api } from "@/trpc/server";
import { StartRunForm, type CuratedChoice, type OwnChoice } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Run a strategy live" };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function NewRunPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/lab/runs/new");
  if (user.role !== "provider" && user.role !== "admin") forbidden();
  const sp = await searchParams;
  const caller = await api();
  const [own, market] = await Promise.all([caller.lab.strategies.list(), caller.signals.symbols()]);
  const curated: CuratedChoice[] = CATALOGUE.map((e) => ({ id: e.id, name: e.name, description: e.description, params: e.params.map((p) => ({ ...p })) }));
  const mine: OwnChoice[] = own.map((s) => ({ id: s.id, name: s.name, version: s.version }));
  const wantedCurated = one(sp.curated);
  const wantedOwn = one(sp.strategy);
  const initial = wantedOwn && mine.some((s) => s.id === wantedOwn) ? `own:${wantedOwn}` : `curated:${curated.some((c) => c.id === wantedCurated) ? wantedCurated : curated[0]!.id}`;
  return (
    <>
      <PageHeader
        title="Run a strategy live"
        description="The strategy runs as an automated provider of yours: every signal it makes is published on its own hash-chained record as each candle closes."
      />
      <StartRunForm curated={curated} own={mine} symbols={market.symbols.map((s) => ({ symbol: s.symbol, market: s.market }))} initialSource={initial} />
    </>
  );
}

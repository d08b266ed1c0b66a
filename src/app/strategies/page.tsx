import type { Metadata } from "next";
import Link from "next/link";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { StrategyCard } from "@/components/strategy-library/strategy-card";
import { RISK_RULE } from "@/components/strategy-library/labels";
import type { SearchParams } from "@/lib/search-params";
import { api } from "@/trpc/server";
import { auth } from "@/server/auth";
import { isFiltered, parseLibraryFilters } from "./filter-params";
import { LibraryFiltersBar } from "./filters";
import { Recommendations } from "./recommendations";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Strategy Library",
  description: "Curated trading strategies with their hypothetical backtests on recorded market data: RSI reversion, MACD and EMA crossovers, Bollinger and Donchian breakouts.",
};

export default async function StrategiesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const caller = await api();
  const session = await auth();
  const filters = parseLibraryFilters(await searchParams);
  const items = await caller.library.list(filters);
  const recommendations = session ? await caller.library.recommendations() : null;
  const filtered = isFiltered(filters);

  return (
    <>
      <PageHeader
        title="Strategy Library"
        description="Platform strategies written as code, each with a reference backtest on recorded prices. Backtests are hypothetical: they show how the rules would have traded, not what anyone earned."
      />

      {recommendations ? <Recommendations data={recommendations} /> : null}

      <LibraryFiltersBar filters={filters} />

      <div className="mt-6 flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-slate-600" aria-live="polite">
          {items.length === 1 ? "1 strategy" : `${items.length} strategies`}
          {filtered ? " match your filters" : ""}
        </p>
        {filtered ? (
          <Link href="/strategies" className="text-sm font-medium text-brand-700 underline-offset-4 hover:underline">
            Reset filters
          </Link>
        ) : null}
      </div>

      {items.length ? (
        <>
          <ul className="mt-3 grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
            {items.map((e) => (
              <StrategyCard key={e.id} entry={e} reference={e.references.find((r) => r.market === filters.market) ?? e.references[0] ?? null} />
            ))}
          </ul>
          <p className="mt-6 text-xs text-slate-500">
            Figures: each strategy with its default parameters, $10,000 of hypothetical cash, 0.1% commission per side, orders filled at the next
            bar&apos;s open. Return and max drawdown (Max DD, the worst fall from a peak) are percentages of the account. {RISK_RULE}
          </p>
        </>
      ) : (
        <div className="mt-6">
          <EmptyState
            title="No strategies match your filters"
            action={
              <ButtonLink href="/strategies" variant="secondary">
                Reset filters
              </ButtonLink>
            }
          >
            Try another risk level or complexity: the library has no low-risk strategy by its rule yet, for one.
          </EmptyState>
        </div>
      )}
    </>
  );
}

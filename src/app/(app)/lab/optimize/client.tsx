"use client";

/** `/lab/optimize`: the optimise form, and below it the user's recent optimisations (live while one runs). */
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { ButtonLink } from "@/components/ui/button";
import { Badge, Card, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { STATUS_TONE, utcDay } from "@/components/lab/format";
import { OptimizeForm } from "@/components/lab/optimize-form";
import type { OptimizeStrategy } from "@/components/lab/optimize-form-schema";
import { KIND_LABEL, METHOD_LABEL, objectiveLabel, objectiveText, progressOf, STATUS_LABEL } from "@/components/lab/optimize-format";

export function OptimizeClient({ strategies, initialId }: { strategies: OptimizeStrategy[]; initialId?: string }) {
  return (
    <>
      <PageHeader
        title="Optimise a strategy"
        description="Search a curated strategy's parameters for the best hypothetical result on recorded prices, and check with walk-forward validation whether that result holds on data the search never saw."
        action={
          <ButtonLink href="/lab" variant="ghost" size="sm">
            Back to the lab
          </ButtonLink>
        }
      />
      <OptimizeForm strategies={strategies} initialId={initialId} />
      <RecentOptimizations />
    </>
  );
}

function RecentOptimizations() {
  const trpc = useTRPC();
  const runs = useQuery(trpc.lab.optimizations.list.queryOptions({ limit: 20 }, { refetchInterval: (q) => (q.state.data?.some((r) => r.status === "running") ? 2_000 : false) }));
  const list = runs.data ?? [];
  return (
    <section aria-labelledby="recent-optimizations" className="mt-10">
      <h2 id="recent-optimizations" className="mb-3 text-lg font-semibold text-slate-900">
        Recent optimisations
      </h2>
      {list.length === 0 ? (
        <EmptyState
          title="No optimisations yet"
          icon={
            <svg viewBox="0 0 24 24" className="size-8" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
              <path d="M3 3v18h18" />
              <path d="M7 15l4-4 3 3 5-6" />
              <circle cx="19" cy="8" r="1.5" fill="currentColor" />
            </svg>
          }
        >
          Choose a strategy and its ranges above, then start: each run appears here with its progress, and opens a heatmap of the results, the parameters that mattered and the best trials.
        </EmptyState>
      ) : (
        <Card>
          <CardHeader title="Your runs" description="Newest first. Hypothetical results over past prices." />
          <Table data-testid="optimizations-list">
            <TableHeader>
              <TableRow>
                <TableHead>Strategy</TableHead>
                <TableHead className="hidden sm:table-cell">Market</TableHead>
                <TableHead className="hidden md:table-cell">Search</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="text-right">Best</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.map((r) => {
                const p = progressOf(r);
                return (
                  <TableRow key={r.id}>
                    <TableCell>
                      <Link href={`/lab/optimize/${r.id}`} className="font-medium text-brand-800 hover:underline">
                        {r.name}
                      </Link>
                      <div className="text-xs text-slate-500">
                        {KIND_LABEL[r.kind]} · {utcDay(r.createdAt)}
                      </div>
                      {/* The columns a phone has no room for, under the name. */}
                      <div className="text-xs text-slate-500 md:hidden">
                        <span className="sm:hidden">
                          {r.symbol} · {r.timeframe} ·{" "}
                        </span>
                        {METHOD_LABEL[r.method]} · {objectiveLabel(r.objective)}
                      </div>
                    </TableCell>
                    <TableCell className="hidden whitespace-nowrap sm:table-cell">
                      {r.symbol} · {r.timeframe}
                    </TableCell>
                    <TableCell className="hidden md:table-cell">
                      <div className="whitespace-nowrap">{METHOD_LABEL[r.method]}</div>
                      <div className="text-xs text-slate-500">{objectiveLabel(r.objective)}</div>
                    </TableCell>
                    <TableCell>
                      <Badge tone={STATUS_TONE[r.status]}>{r.status === "running" ? `Running ${Math.floor(p.pct)}%` : STATUS_LABEL[r.status]}</Badge>
                      <div className="mt-0.5 text-xs whitespace-nowrap text-slate-500 tabular-nums">
                        {p.done} / {p.total} {p.unit}
                      </div>
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{r.kind === "optimize" ? objectiveText(r.bestValue) : "—"}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
    </section>
  );
}

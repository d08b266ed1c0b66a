import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { requireAdmin } from "@/server/auth/guards";
import { Badge, EmptyState, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { pageCount, Pagination } from "@/components/ui/pagination";
import { formatDate, formatUtcMonthDayTime } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import { parsePageParam, type SearchParams } from "@/lib/search-params";
import { api } from "@/trpc/server";
import { AdminStopRun } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Strategies" };

const PAGE_SIZE = 25;
const STATUSES = ["running", "stopped"] as const;
type Status = (typeof STATUSES)[number];

const pct = (fraction: string) => {
  const n = Number(fraction) * 100;
  return `${n > 0 ? "+" : ""}${n.toFixed(2)}%`;
};

const hrefOf = (status: Status | undefined, page = 1) => {
  const q = new URLSearchParams();
  if (status) q.set("status", status);
  if (page > 1) q.set("page", String(page));
  const s = q.toString();
  return `/admin/strategies${s ? `?${s}` : ""}`;
};

export default async function AdminStrategiesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireAdmin();
  const sp = await searchParams;
  const page = parsePageParam(sp.page);
  const status = STATUSES.find((s) => s === sp.status);
  const caller = await api();
  const result = await caller.admin.strategies.list({ ...(status ? { status } : {}), page, pageSize: PAGE_SIZE });
  const { totalPages, beyond } = pageCount(result.total, PAGE_SIZE, page);
  if (beyond) redirect(hrefOf(status, beyond));

  return (
    <>
      <PageHeader
        title="Strategies"
        description="Every strategy running live as an automated provider, with its owner. Stopping one ends it at once and closes its open signals at the market; the stop and its reason go to the audit log."
      />
      <nav aria-label="Filter by status" className="mb-4 flex flex-wrap gap-2">
        {([undefined, ...STATUSES] as const).map((s) => (
          <Link
            key={s ?? "all"}
            href={hrefOf(s)}
            aria-current={s === status ? "page" : undefined}
            className={cn(
              "rounded-full px-3 py-1 text-sm font-medium ring-1",
              s === status ? "bg-brand-700 text-white ring-brand-700" : "bg-white text-slate-700 ring-slate-200 hover:bg-slate-50",
            )}
          >
            {s ? s[0]!.toUpperCase() + s.slice(1) : "All"}
          </Link>
        ))}
      </nav>
      <p className="mb-3 text-sm text-slate-600">
        {formatCount(result.total)} {result.total === 1 ? "strategy" : "strategies"}
      </p>
      {result.items.length ? (
        <>
          <ul aria-label="Strategies" className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-xs">
            {result.items.map((r) => (
              <li key={r.id} className="flex flex-col gap-3 p-4 sm:flex-row sm:items-start sm:justify-between">
                <div className="min-w-0 space-y-1">
                  <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                    <span className="break-words">{r.name}</span>
                    <Badge tone={r.status === "running" ? "green" : "slate"}>{r.status === "running" ? "Running" : "Stopped"}</Badge>
                    {r.incubating ? <Badge tone="amber">Incubating until {formatDate(r.incubationEndsAt)}</Badge> : null}
                  </p>
                  <p className="text-sm text-slate-600">
                    {r.symbol} · {r.timeframe} · owner <span className="break-all">{r.owner.name ? `${r.owner.name} (${r.owner.email})` : r.owner.email}</span>
                  </p>
                  <p className="text-sm text-slate-600">
                    Started {formatUtcMonthDayTime(r.startedAt)} · today {r.figures.tradesToday}/{r.maxTradesPerDay} trades, {pct(r.figures.realisedToday)} · since start{" "}
                    {pct(r.figures.realisedTotal)} · {r.figures.openSignals} open
                  </p>
                  {r.status === "stopped" ? (
                    <p className="text-sm text-slate-500">
                      Stopped {r.stoppedAt ? formatUtcMonthDayTime(r.stoppedAt) : ""}: {r.stopReason}
                    </p>
                  ) : null}
                  <Link href={`/providers/${r.provider.slug}`} className="text-sm font-medium text-brand-700 hover:underline">
                    Provider page
                  </Link>
                </div>
                {r.status === "running" ? <AdminStopRun id={r.id} name={r.name} /> : null}
              </li>
            ))}
          </ul>
          <Pagination page={page} totalPages={totalPages} hrefFor={(p) => hrefOf(status, p)} />
        </>
      ) : (
        <EmptyState title={status ? `No ${status} strategies` : "No strategy has run live yet"}>
          Providers start strategies from the lab; each becomes an automated provider that incubates before it is listed.
        </EmptyState>
      )}
    </>
  );
}

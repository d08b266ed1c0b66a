import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { Card, CardHeader } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { formatUtcMonthDayTime } from "@/lib/format/dates";
// The kinds in words, as the follower's control centre says them: one vocabulary for the same finding.
import { DISCREPANCY_KIND } from "@/app/(app)/copy/connections/_components/discrepancy-labels";

type Row = inferRouterOutputs<AppRouter>["admin"]["copy"]["discrepancies"][number];

const COLUMNS: Column<Row>[] = [
  {
    id: "connection",
    header: "Connection · user",
    headClassName: "px-3",
    className: "px-3",
    rowHeader: true,
    cell: (d) => (
      <>
        <span className="font-medium text-slate-900">{d.connectionLabel}</span>
        <span className="block text-xs text-slate-500">{d.exchangeId}</span>
        <span className="block text-xs break-all text-slate-700">{d.userEmail}</span>
        <span className="block font-mono text-xs break-all text-slate-500">{d.userId}</span>
      </>
    ),
  },
  {
    id: "kind",
    header: "Kind",
    headClassName: "px-3",
    className: "px-3",
    cell: (d) => (
      <>
        {DISCREPANCY_KIND[d.kind]}
        {d.symbol ? <span className="block text-xs text-slate-500">{d.symbol}</span> : null}
      </>
    ),
  },
  { id: "detail", header: "Detail", headClassName: "px-3", className: "px-3 min-w-56 text-slate-700", cell: (d) => d.detail },
  { id: "found", header: "Found", headClassName: "px-3", className: "px-3 whitespace-nowrap text-slate-600", cell: (d) => formatUtcMonthDayTime(d.foundAt) },
];

/** Reconciliation's open findings across every follower (newest first): the admin monitoring view of live copying. */
export function OpenDiscrepancies({ rows }: { rows: readonly Row[] }) {
  return (
    <Card>
      <CardHeader
        title="Open discrepancies"
        description="Where a follower's exchange account and Tradsy's ledger disagree, found by reconciliation (every few minutes). Followers close orphans from their control centre."
      />
      <DataTable
        columns={COLUMNS}
        rows={rows}
        rowKey={(d) => d.id}
        caption="Open discrepancies across users"
        framed={false}
        headerClassName="bg-transparent"
        rowProps={() => ({ "data-testid": "admin-discrepancy", className: "align-top" })}
        empty={<p className="mx-5 mb-5 rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-600">No open discrepancies: every connection agrees with the ledger.</p>}
      />
    </Card>
  );
}

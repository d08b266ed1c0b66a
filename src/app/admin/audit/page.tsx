import { requireAdmin } from "@/server/auth/guards";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { DataTable, type Column } from "@/components/ui/data-table";
import { pageCount } from "@/components/ui/pagination";
import { formatClock, formatDate } from "@/lib/format/dates";
import { parsePageParam } from "@/lib/search-params";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 50;

const hrefFor = (page: number) => (page > 1 ? `/admin/audit?page=${page}` : "/admin/audit");

function compactJson(data: unknown): string | null {
  if (data == null) return null;
  if (typeof data === "object" && Object.keys(data).length === 0) return null;
  return JSON.stringify(data);
}

export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const page = parsePageParam((await searchParams).page);
  const caller = await api();
  const result = await caller.admin.audit({ page, pageSize: PAGE_SIZE });
  const { totalPages, beyond } = pageCount(result.total, PAGE_SIZE, page);
  if (beyond) redirect(hrefFor(beyond));

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Append-only record of security- and money-relevant actions, newest first. Times are UTC; entries are kept for a year."
      />

      <DataTable
        caption={`Audit log entries, page ${page} of ${totalPages}`}
        className="min-w-[48rem]"
        bodyClassName="align-top"
        columns={AUDIT_COLUMNS}
        rows={result.items}
        rowKey={(row) => row.id}
        pagination={{ page, totalPages, hrefFor, prevLabel: "Newer", nextLabel: "Older" }}
        empty={<EmptyState title="No audit entries yet">Sign-ups, sign-ins, password and role changes and API key changes are recorded here as they happen.</EmptyState>}
      />
    </>
  );
}

type AuditItem = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["admin"]["audit"]>>["items"][number];

const AUDIT_COLUMNS: Column<AuditItem>[] = [
  {
    id: "time",
    header: "Time (UTC)",
    className: "whitespace-nowrap",
    cell: (row) => (
      <time dateTime={row.createdAt.toISOString()}>
        <span className="block text-slate-900">{formatDate(row.createdAt)}</span>
        <span className="block font-mono text-xs text-slate-500">{formatClock(row.createdAt)}</span>
      </time>
    ),
  },
  {
    id: "actor",
    header: (
      <>
        Actor <span className="font-normal normal-case">and IP</span>
      </>
    ),
    cell: (row) => (
      <>
        <span className="block whitespace-nowrap text-slate-900">{row.actorEmail ?? <span className="text-slate-500 italic">System</span>}</span>
        {row.ip ? (
          <span className="block font-mono text-xs text-slate-500">
            <span className="sr-only">IP </span>
            {row.ip}
          </span>
        ) : null}
      </>
    ),
  },
  {
    id: "action",
    header: (
      <>
        Action <span className="font-normal normal-case">and target</span>
      </>
    ),
    cell: (row) => (
      <>
        <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs whitespace-nowrap text-slate-800">{row.action}</code>
        {row.targetType || row.targetId ? (
          <span className="mt-1 block text-xs text-slate-500">
            <span className="sr-only">Target </span>
            {row.targetType}
            {row.targetType && row.targetId ? " · " : null}
            {row.targetId ? <code className="font-mono break-all">{row.targetId}</code> : null}
          </span>
        ) : null}
      </>
    ),
  },
  {
    id: "data",
    header: "Data",
    headClassName: "whitespace-normal",
    className: "w-[40%]",
    cell: (row) => {
      const json = compactJson(row.data);
      return json ? <code className="block font-mono text-xs break-all text-slate-700">{json}</code> : <Dash />;
    },
  },
];

function Dash() {
  return (
    <span className="text-slate-400">
      <span aria-hidden="true">—</span>
      <span className="sr-only">None</span>
    </span>
  );
}

import { requireAdmin } from "@/server/auth/guards";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { redirect } from "next/navigation";
import { DataTable, type Column } from "@/components/ui/data-table";
import { pageCount } from "@/components/ui/pagination";
import { formatClock, formatDate } from "@/lib/format/dates";
import { parsePageParam, type SearchParams } from "@/lib/search-params";
import { auditHref, parseAuditFilters, type AuditFilters } from "@/lib/audit-filters";
import { buttonClass } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { formatCount } from "@/lib/format/numbers";
import { parseUserAgent } from "@/lib/user-agent";
import { api } from "@/trpc/server";
import { AUDIT_CSV_MAX_ROWS } from "@/server/services/audit/export";
import { AuditFiltersForm } from "./filters-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 50;

function compactJson(data: unknown): string | null {
  if (data == null) return null;
  if (typeof data === "object" && Object.keys(data).length === 0) return null;
  return JSON.stringify(data);
}

export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const sp = await searchParams;
  const page = parsePageParam(sp.page);
  // The filters (actor, action, UTC days) come from the URL: the form above the table sets them, each entry links to
  // its action's and actor's, and the CSV export takes the same query.
  const filters = parseAuditFilters(sp);
  const filtered = Object.keys(filters).length > 0;
  const hrefFor = (p: number) => auditHref(filters, p);
  const caller = await api();
  const result = await caller.admin.audit({ page, pageSize: PAGE_SIZE, ...filters });
  const { totalPages, beyond } = pageCount(result.total, PAGE_SIZE, page);
  if (beyond) redirect(hrefFor(beyond));
  const columns = auditColumns(filters);

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Append-only record of security- and money-relevant actions, newest first. Times are UTC; entries are kept for a year."
      />

      <AuditFiltersForm
        filters={filters}
        filtered={filtered}
        capNote={`Export CSV downloads every entry matching these filters, newest first (at most ${formatCount(AUDIT_CSV_MAX_ROWS)}), with IP and full user agent.`}
      />

      {filtered ? <FilterLine filters={filters} total={result.total} /> : null}

      <DataTable
        caption={`Audit log entries, page ${page} of ${totalPages}`}
        className="min-w-[48rem]"
        bodyClassName="align-top"
        columns={columns}
        rows={result.items}
        rowKey={(row) => row.id}
        pagination={{ page, totalPages, hrefFor, prevLabel: "Newer", nextLabel: "Older" }}
        empty={
          filtered ? (
            <EmptyState
              title="No entries match these filters"
              action={
                <Link href="/admin/audit" className={buttonClass("secondary", "md")}>
                  Clear filters
                </Link>
              }
            />
          ) : (
            <EmptyState title="No audit entries yet">Sign-ups, sign-ins, password and role changes and API key changes are recorded here as they happen.</EmptyState>
          )
        }
      />
    </>
  );
}

type AuditItem = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["admin"]["audit"]>>["items"][number];

/** What the list is narrowed to, with the way back to all entries. */
function FilterLine({ filters, total }: { filters: AuditFilters; total: number }) {
  const day = (d: Date) => formatDate(d);
  const parts = [
    filters.action ? (
      <>
        action <code className="rounded bg-slate-100 px-1 font-mono text-xs">{filters.action}</code>
      </>
    ) : null,
    filters.actor ? <>by {filters.actor}</> : null,
    filters.from ? <>from {day(filters.from)}</> : null,
    filters.to ? <>up to {day(new Date(filters.to.getTime() - 1))}</> : null,
  ].filter(Boolean);
  return (
    <p className="mb-3 flex flex-wrap items-center gap-x-1.5 gap-y-1 text-sm text-slate-600" data-testid="audit-filters">
      {formatCount(total)} {total === 1 ? "entry" : "entries"} with{" "}
      {parts.map((p, i) => (
        <span key={i}>
          {i ? ", " : null}
          {p}
        </span>
      ))}
      <Link href="/admin/audit" className="ml-2 font-medium text-brand-700 underline-offset-4 hover:underline">
        Clear filters
      </Link>
    </p>
  );
}

/** A link that narrows the log to entries like this one (same action, same actor). */
function FilterLink({ href, title, children }: { href: string; title: string; children: ReactNode }) {
  return (
    <Link href={href} title={title} className="underline-offset-4 hover:underline">
      {children}
    </Link>
  );
}

const auditColumns = (filters: AuditFilters): Column<AuditItem>[] => [
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
        Actor <span className="font-normal normal-case">, IP and browser</span>
      </>
    ),
    cell: (row) => (
      <>
        <span className="block whitespace-nowrap text-slate-900">
          {row.actorEmail ? (
            <FilterLink href={auditHref({ ...filters, actor: row.actorEmail })} title={`Only entries by ${row.actorEmail}`}>
              {row.actorEmail}
            </FilterLink>
          ) : (
            <span className="text-slate-500 italic">System</span>
          )}
        </span>
        {row.ip ? (
          <span className="block font-mono text-xs text-slate-500">
            <span className="sr-only">IP </span>
            {row.ip}
          </span>
        ) : null}
        {row.userAgent ? (
          <span className="block max-w-[16rem] truncate text-xs text-slate-500" title={row.userAgent}>
            <span className="sr-only">User agent </span>
            {shortUserAgent(row.userAgent)}
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
        <FilterLink href={auditHref({ ...filters, action: row.action })} title={`Only ${row.action} entries`}>
          <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs whitespace-nowrap text-slate-800">{row.action}</code>
        </FilterLink>
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

/**
 * A user agent cut to what tells browsers apart at a glance ("Firefox 133 · Linux"), read as the devices list reads
 * it (src/lib/user-agent); the whole string is the cell's title and in the CSV. Unknown shapes are cut to 40
 * characters.
 */
function shortUserAgent(ua: string): string {
  const { browser, os } = parseUserAgent(ua);
  if (browser === "Unknown browser") return ua.length > 40 ? `${ua.slice(0, 40)}…` : ua;
  return os === "Unknown OS" ? browser : `${browser} · ${os}`;
}

function Dash() {
  return (
    <span className="text-slate-400">
      <span aria-hidden="true">—</span>
      <span className="sr-only">None</span>
    </span>
  );
}

import { requireAdmin } from "@/server/auth/guards";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { DataTable, type Column } from "@/components/ui/data-table";
import { pageCount } from "@/components/ui/pagination";
import { formatDateTime } from "@/lib/format/dates";
import { EMAIL_STATUS } from "@/lib/labels";
import { parsePageParam } from "@/lib/search-params";
import { Alert, Badge, EmptyState, PageHeader } from "@/components/ui/card";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Email outbox" };

const PAGE_SIZE = 25;

type EmailItem = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["admin"]["emails"]>>["items"][number];

const EMAIL_COLUMNS: Column<EmailItem>[] = [
  {
    id: "subject",
    header: "Subject",
    className: "max-w-80",
    cell: (e) => (
      <Link href={`/admin/emails/${e.id}`} className="font-medium text-brand-700 underline-offset-4 hover:underline">
        {e.subject || "(no subject)"}
      </Link>
    ),
  },
  { id: "to", header: "To", className: "break-all text-slate-700", cell: (e) => e.to },
  {
    id: "kind",
    header: "Kind",
    cell: (e) => <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">{e.kind}</code>,
  },
  { id: "status", header: "Status", cell: (e) => <Badge tone={EMAIL_STATUS[e.status].tone}>{EMAIL_STATUS[e.status].label}</Badge> },
  {
    id: "created",
    header: "Created",
    className: "whitespace-nowrap text-slate-600",
    cell: (e) => <time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time>,
  },
];

const hrefFor = (page: number) => (page > 1 ? `/admin/emails?page=${page}` : "/admin/emails");

export default async function AdminEmailsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const page = parsePageParam((await searchParams).page);
  const caller = await api();
  const result = await caller.admin.emails({ page, pageSize: PAGE_SIZE });
  const { totalPages, beyond } = pageCount(result.total, PAGE_SIZE, page);
  if (beyond) redirect(hrefFor(beyond));

  return (
    <>
      <PageHeader
        title="Email outbox"
        description="Every email is written here before it is sent, so you can see exactly what each person received. Newest first; times in UTC."
      />
      {result.developmentMailbox ? (
        <Alert tone="warning" className="mb-6">
          <strong>Development-only mailbox:</strong> no email sender is configured, so no email leaves this server. Read
          them here; their confirmation and password-reset links work for whoever opens them.
        </Alert>
      ) : null}

      <DataTable
        caption={`Outgoing emails, page ${page} of ${totalPages}`}
        className="min-w-[52rem]"
        columns={EMAIL_COLUMNS}
        rows={result.items}
        rowKey={(e) => e.id}
        rowProps={() => ({ className: "hover:bg-slate-50" })}
        pagination={{ page, totalPages, hrefFor, prevLabel: "Newer", nextLabel: "Older" }}
        empty={
          <EmptyState title="The outbox is empty">
            Verification, password-reset and notification emails appear here as soon as they are queued.
          </EmptyState>
        }
      />
    </>
  );
}

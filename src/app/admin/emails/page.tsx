import { requireAdmin } from "@/server/auth/guards";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Pagination } from "@/components/ui/pagination";
import { formatDateTime } from "@/lib/format/dates";
import { parsePageParam } from "@/lib/search-params";
import { Alert, Badge, EmptyState, PageHeader } from "@/components/ui/card";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Email outbox" };

const PAGE_SIZE = 25;
const STATUS_TONE = { queued: "amber", sent: "green", failed: "red" } as const;

const hrefFor = (page: number) => (page > 1 ? `/admin/emails?page=${page}` : "/admin/emails");

export default async function AdminEmailsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const page = parsePageParam((await searchParams).page);
  const caller = await api();
  const result = await caller.admin.emails({ page, pageSize: PAGE_SIZE });
  const totalPages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  if (result.total > 0 && page > totalPages) redirect(hrefFor(totalPages));

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

      {result.items.length ? (
        <>
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
            <table className="w-full min-w-[52rem] text-left text-sm">
              <caption className="sr-only">
                Outgoing emails, page {page} of {totalPages}
              </caption>
              <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold tracking-wide text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-3">Subject</th>
                  <th scope="col" className="px-4 py-3">To</th>
                  <th scope="col" className="px-4 py-3">Kind</th>
                  <th scope="col" className="px-4 py-3">Status</th>
                  <th scope="col" className="px-4 py-3">Created</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {result.items.map((e) => (
                  <tr key={e.id} className="hover:bg-slate-50">
                    <td className="max-w-80 px-4 py-3">
                      <Link href={`/admin/emails/${e.id}`} className="font-medium text-brand-700 underline-offset-4 hover:underline">
                        {e.subject || "(no subject)"}
                      </Link>
                    </td>
                    <td className="px-4 py-3 break-all text-slate-700">{e.to}</td>
                    <td className="px-4 py-3">
                      <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">{e.kind}</code>
                    </td>
                    <td className="px-4 py-3">
                      <Badge tone={STATUS_TONE[e.status]}>{e.status[0]!.toUpperCase() + e.status.slice(1)}</Badge>
                    </td>
                    <td className="px-4 py-3 whitespace-nowrap text-slate-600">
                      <time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} totalPages={totalPages} hrefFor={hrefFor} prevLabel="Newer" nextLabel="Older" />
        </>
      ) : (
        <EmptyState title="The outbox is empty">
          Verification, password-reset and notification emails appear here as soon as they are queued.
        </EmptyState>
      )}
    </>
  );
}

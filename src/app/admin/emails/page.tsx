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
    cell: (e) => (
      <div className="space-y-1">
        <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">{e.kind}</code>
        <div className="text-xs text-slate-500">{EMAIL_STREAM[e.stream]}</div>
      </div>
    ),
  },
  {
    id: "status",
    header: "Status",
    cell: (e) => (
      <div className="space-y-1">
        <Badge tone={EMAIL_STATUS[e.status].tone}>{EMAIL_STATUS[e.status].label}</Badge>
        {e.attempts > 0 ? <div className="text-xs text-slate-500">{e.attempts === 1 ? "1 attempt" : `${e.attempts} attempts`}</div> : null}
        {e.lastError && e.status !== "sent" ? (
          <div className="max-w-64 text-xs break-words text-red-700" title={e.lastError}>
            {e.lastError.length > 120 ? `${e.lastError.slice(0, 119)}…` : e.lastError}
          </div>
        ) : null}
      </div>
    ),
  },
  {
    id: "delivery",
    header: "Delivery",
    className: "text-xs",
    cell: (e) =>
      e.providerMessageId ? (
        <div className="space-y-1">
          <div className="text-slate-700">{e.deliveryStatus ? deliveryLabel(e.deliveryStatus) : "Accepted by the provider"}</div>
          <code className="font-mono break-all text-slate-500">{e.providerMessageId}</code>
        </div>
      ) : (
        <span className="text-slate-400">—</span>
      ),
  },
  {
    id: "created",
    header: "Created",
    className: "whitespace-nowrap text-slate-600",
    cell: (e) => <time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time>,
  },
];

const EMAIL_STREAM = { transactional: "Transactional", notification: "Notification", marketing: "Marketing" } as const;

/** Resend's delivery events, as the webhook recorded them ("delivery_delayed" → "Delivery delayed"). */
function deliveryLabel(status: string): string {
  const words = status.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const SUPPRESSION_REASON = { bounced: "Bounced", complained: "Complained (marked as spam)", suppressed: "Suppressed by the provider" } as const;

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
      ) : result.senderConfigured ? null : (
        <Alert tone="warning" className="mb-6">
          <strong>No email sender is configured:</strong> emails are queued here and not sent. Set RESEND_API_KEY and
          EMAIL_FROM to send them through Resend.
        </Alert>
      )}

      <DataTable
        caption={`Outgoing emails, page ${page} of ${totalPages}`}
        className="min-w-[64rem]"
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

      <section aria-labelledby="suppressed-heading" className="mt-10">
        <h2 id="suppressed-heading" className="text-lg font-semibold text-slate-900">
          Suppressed addresses <span className="font-normal text-slate-500">({result.suppressions.total})</span>
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Nothing more is sent to these: they bounced for good, complained, or the provider suppressed them (from its
          webhooks). Emails queued for them are marked not sent.
        </p>
        {result.suppressions.recent.length ? (
          <ul className="mt-3 divide-y divide-slate-200 rounded border border-slate-200 bg-white text-sm">
            {result.suppressions.recent.map((s) => (
              <li key={s.email} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
                <span className="break-all text-slate-800">{s.email}</span>
                <span className="text-xs text-slate-500">
                  {SUPPRESSION_REASON[s.reason]} · <time dateTime={s.createdAt.toISOString()}>{formatDateTime(s.createdAt)}</time>
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-3 text-sm text-slate-500">No address is suppressed.</p>
        )}
        {result.suppressions.total > result.suppressions.recent.length ? (
          <p className="mt-2 text-xs text-slate-500">The {result.suppressions.recent.length} most recent of {result.suppressions.total}.</p>
        ) : null}
      </section>
    </>
  );
}

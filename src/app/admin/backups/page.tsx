import type { Metadata } from "next";
import { requireAdmin } from "@/server/auth/guards";
import { Icon } from "@/components/shell/icons";
import { Alert, Badge, EmptyState, PageHeader } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { formatUtcMonthDayTime } from "@/lib/format/dates";
import { api } from "@/trpc/server";
import { CreateBackupButton, DownloadLink, HeldReview, VerifyButton } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Backups" };

type Caller = Awaited<ReturnType<typeof api>>;
type Row = Awaited<ReturnType<Caller["admin"]["backups"]["page"]>>["items"][number];

function size(bytes: number | null): string {
  if (bytes == null) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

const STATUS_TONE = { completed: "green", running: "amber", failed: "red" } as const;

const columnsFor = (canDownload: boolean): Column<Row>[] => [
  {
    id: "when",
    header: "Started",
    rowHeader: true,
    cell: (r) => (
      <div className="whitespace-nowrap">
        <div className="font-medium text-slate-900">{formatUtcMonthDayTime(r.startedAt)}</div>
        <div className="text-xs text-slate-500">
          {r.kind} · <span className="font-mono">{r.id}</span>
        </div>
      </div>
    ),
  },
  {
    id: "status",
    header: "Status",
    cell: (r) => (
      <div className="space-y-1">
        <Badge tone={r.prunedAt ? "slate" : STATUS_TONE[r.status as keyof typeof STATUS_TONE] ?? "slate"}>{r.prunedAt ? "Pruned" : r.status[0]!.toUpperCase() + r.status.slice(1)}</Badge>
        {r.prunedAt ? <div className="text-xs text-slate-500">removed {formatUtcMonthDayTime(r.prunedAt)}</div> : null}
        {r.error ? <div className="max-w-56 text-xs text-red-700">{r.error}</div> : null}
      </div>
    ),
  },
  { id: "size", header: "Size", className: "whitespace-nowrap tabular-nums", cell: (r) => size(r.sizeBytes) },
  {
    id: "where",
    header: "Engine · storage",
    className: "whitespace-nowrap text-slate-600",
    cell: (r) => `${r.engine === "postgres" ? "PostgreSQL" : "PGlite"} · ${r.storage === "s3" ? "S3" : "local"}`,
  },
  {
    id: "verification",
    header: "Verification",
    cell: (r) =>
      r.verification ? (
        <div className="space-y-1">
          <Badge tone={r.verification === "passed" ? "green" : "red"}>{r.verification === "passed" ? "Passed" : "Failed"}</Badge>
          <div className="text-xs text-slate-500">{r.verifiedAt ? formatUtcMonthDayTime(r.verifiedAt) : null}</div>
          {r.verificationError ? <div className="max-w-64 text-xs text-red-700">{r.verificationError}</div> : null}
        </div>
      ) : (
        <span className="text-sm text-slate-500">Not verified yet</span>
      ),
  },
  {
    id: "actions",
    header: <span className="sr-only">Actions</span>,
    headClassName: "text-right",
    className: "text-right",
    cell: (r) =>
      r.downloadable ? (
        <div className="flex flex-wrap justify-end gap-2">
          <VerifyButton id={r.id} />
          <DownloadLink id={r.id} allowed={canDownload} />
        </div>
      ) : null,
  },
];

export default async function AdminBackupsPage() {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const caller = await api();
  const data = await caller.admin.backups.page();
  const heldTotal = Object.values(data.held.counts).reduce((a, b) => a + b, 0);
  return (
    <>
      <PageHeader
        title="Backups"
        description={`Daily at 02:00 UTC (kept 7), weekly on Sunday at 03:00 (kept 4), monthly on the 1st at 04:00 (kept 12); the newest is verified every day by restoring it into a scratch database. Stored in ${data.storage.kind === "s3" ? "an S3 bucket" : "a local directory"}: ${data.storage.where}. Times in UTC.`}
        action={<CreateBackupButton />}
      />
      <Alert tone="warning" className="mb-6">
        <strong>Recovery point: up to 24 hours.</strong> Backups run daily and there is no WAL archiving, so a restore
        brings the database back as it was at the last backup: anything written since is lost. Restoring is an operator
        command (<code className="font-mono">npm run backup:restore -- &lt;id&gt;</code>), not a button.
      </Alert>
      {data.maintenance ? (
        <Alert tone="warning" className="mb-6">
          <strong>A maintenance window is open</strong> ({data.maintenance.reason}, since {formatUtcMonthDayTime(data.maintenance.startedAt)}): jobs and
          email and channel sends are paused until it closes.
        </Alert>
      ) : null}
      {!data.canDownload ? (
        <p className="mb-4 text-sm text-slate-600">Downloading a backup needs two-factor sign-in on your account, in every environment: a backup holds every account&apos;s data.</p>
      ) : null}
      {heldTotal > 0 ? <HeldReview counts={data.held.counts} items={data.held.items} /> : null}
      <DataTable
        columns={columnsFor(data.canDownload)}
        rows={data.items}
        rowKey={(r) => r.id}
        caption="Backups, newest first"
        empty={
          <EmptyState icon={<Icon name="archive" className="size-8" />} title="No backups yet" action={<CreateBackupButton />}>
            The first scheduled backup runs tonight at 02:00 UTC. Make one now to have a restore point before then.
          </EmptyState>
        }
      />
    </>
  );
}

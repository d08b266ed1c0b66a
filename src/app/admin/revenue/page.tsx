import type { Metadata } from "next";
import Link from "next/link";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { DataTable, type Column } from "@/components/ui/data-table";
import { Icon } from "@/components/shell/icons";
import { formatMonthYear, formatUtcDateTime } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import { formatCents } from "@/lib/money";
import { requireAdmin } from "@/server/auth/guards";
import { testClock } from "@/server/services/billing/test-clock";
import { api } from "@/trpc/server";
import { ClockControls } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Revenue" };

const MONTHS = 12;

function monthLabel(ym: string): string {
  const [y, m] = ym.split("-").map(Number);
  return y && m ? formatMonthYear(new Date(Date.UTC(y, m - 1, 1))) : ym;
}

export default async function AdminRevenuePage() {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const caller = await api();
  const data = await caller.billing.platformRevenue({ months: MONTHS });
  const clock = await testClock();
  const t = data.totals;

  return (
    <>
      <PageHeader title="Revenue" description="Subscription payments across Tradsy from the payments ledger: what subscribers paid, the platform's 30% and the providers' 70%." />

      {clock ? (
        <Card className="mb-6 border-amber-300">
          <div className="rounded-t-lg border-b border-amber-200 bg-amber-50 px-5 py-2.5 text-sm text-amber-900" role="note">
            <strong className="font-semibold">Test mode — no money moves.</strong> Payments run on the embedded stand-in for Stripe; this clock moves its
            billing time for everyone.
          </div>
          <CardHeader
            title="Billing test clock"
            description="Moves billing time forward, as Stripe's test clocks do: renewals are charged, cards set to decline fail, and subscriptions set to cancel end."
          />
          <CardBody className="grid gap-5 sm:grid-cols-[auto_1fr] sm:items-start">
            <div>
              <p className="text-sm text-slate-500">Billing time now</p>
              <p className="mt-1 text-lg font-semibold text-slate-900 tabular-nums" data-testid="billing-clock">
                {formatUtcDateTime(clock.now)}
              </p>
              <p className="text-xs text-slate-500">
                {clock.aheadDays === 0 ? "Same as the wall clock" : `${clock.aheadDays === 1 ? "1 day" : `${clock.aheadDays} days`} ahead of the wall clock`}
              </p>
            </div>
            <ClockControls />
          </CardBody>
        </Card>
      ) : null}

      <section aria-labelledby="totals-title">
        <h2 id="totals-title" className="text-sm font-semibold tracking-wide text-slate-500 uppercase">
          All time <span className="font-normal normal-case">· {formatCount(t.invoices)} paid invoices</span>
        </h2>
        <dl className="mt-3 grid grid-cols-2 gap-4 lg:grid-cols-4">
          <Stat label="Gross" value={formatCents(t.grossCents)} hint="Paid by subscribers" />
          <Stat label="Platform (30%)" value={formatCents(t.platformFeeCents)} hint="Tradsy's application fees" strong />
          <Stat label="Providers (70%)" value={formatCents(t.providerShareCents)} hint="Sent to connected accounts" />
          <Stat label="Refunded" value={formatCents(t.refundedCents)} hint="Returned to subscribers" />
        </dl>
        <p className="mt-3 text-sm text-slate-600">
          {formatCount(data.subscriptions.live)} live subscriptions
          {data.subscriptions.byStatus.past_due ? `, ${data.subscriptions.byStatus.past_due} past due` : ""} · {data.subscriptions.canceledLast30d} ended in
          the last 30 days
        </p>
      </section>

      <div className="mt-8 space-y-6">
        <Card>
          <CardHeader title="By provider" description="All time, largest first." />
          {data.byProvider.length ? (
            <SplitTable
              caption="Revenue by provider, all time"
              rows={data.byProvider}
              rowKey={(p, i) => p.providerId ?? `deleted-${i}`}
              first={{
                id: "provider",
                header: "Provider",
                cell: (p) =>
                  p.slug ? (
                    <Link href={`/providers/${p.slug}`} className="hover:text-brand-700 hover:underline">
                      {p.displayName}
                    </Link>
                  ) : (
                    <span className="text-slate-500 italic">Deleted provider</span>
                  ),
              }}
            />
          ) : (
            <CardBody>
              <EmptyState icon={<Icon name="dollar" className="size-10" />} title="No payments yet">
                Paid invoices appear here as Stripe reports them.
              </EmptyState>
            </CardBody>
          )}
        </Card>

        <Card>
          <CardHeader title="By month" description={`The last ${MONTHS} months with payments, by payment date (UTC).`} />
          {data.byMonth.length ? (
            <SplitTable
              caption={`Revenue by month, last ${MONTHS} months`}
              rows={data.byMonth}
              rowKey={(m) => m.month}
              first={{ id: "month", header: "Month", className: "whitespace-nowrap", cell: (m) => monthLabel(m.month) }}
            />
          ) : (
            <CardBody>
              <EmptyState icon={<Icon name="list" className="size-10" />} title={`No payments in the last ${MONTHS} months`} />
            </CardBody>
          )}
        </Card>
      </div>
    </>
  );
}

function Stat({ label, value, hint, strong }: { label: string; value: string; hint: string; strong?: boolean }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-4 shadow-xs sm:px-5">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className={`mt-1 text-2xl font-semibold tracking-tight tabular-nums ${strong ? "text-brand-700" : "text-slate-900"}`}>{value}</dd>
      <dd className="mt-0.5 text-xs text-slate-500">{hint}</dd>
    </div>
  );
}

interface Split {
  invoices: number;
  grossCents: number;
  platformFeeCents: number;
  providerShareCents: number;
}

/** A revenue breakdown inside a Card: a row-header column, then invoices and the 30/70 split, right-aligned. */
function SplitTable<Row extends Split>({ caption, rows, rowKey, first }: { caption: string; rows: Row[]; rowKey: (row: Row, index: number) => string; first: Column<Row> }) {
  const num = (id: string, header: string, value: (row: Row) => string, last = false): Column<Row> => ({
    id,
    header,
    headClassName: cn("py-2 pl-0 text-right font-medium", last ? "pr-5" : "pr-4"),
    className: cn("py-2.5 pl-0 text-right tabular-nums text-slate-700", last ? "pr-5" : "pr-4"),
    cell: value,
  });
  return (
    <DataTable
      framed={false}
      caption={caption}
      className="min-w-[32rem]"
      headerClassName="bg-transparent font-normal tracking-normal"
      rows={rows}
      rowKey={rowKey}
      columns={[
        { ...first, rowHeader: true, headClassName: "px-5 py-2 font-medium", className: cn("px-5 py-2.5 font-medium text-slate-900", first.className) },
        num("invoices", "Invoices", (r) => formatCount(r.invoices)),
        num("gross", "Gross", (r) => formatCents(r.grossCents)),
        num("platform", "Platform", (r) => formatCents(r.platformFeeCents)),
        num("share", "Provider", (r) => formatCents(r.providerShareCents), true),
      ]}
    />
  );
}

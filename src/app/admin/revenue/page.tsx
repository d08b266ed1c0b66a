import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Icon } from "@/components/shell/icons";
import { formatMonthYear, formatUtcDateTime } from "@/lib/format/dates";
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
          All time <span className="font-normal normal-case">· {t.invoices.toLocaleString("en-US")} paid invoices</span>
        </h2>
        <dl className="mt-3 grid grid-cols-2 gap-4 lg:grid-cols-4">
          <Stat label="Gross" value={formatCents(t.grossCents)} hint="Paid by subscribers" />
          <Stat label="Platform (30%)" value={formatCents(t.platformFeeCents)} hint="Tradsy's application fees" strong />
          <Stat label="Providers (70%)" value={formatCents(t.providerShareCents)} hint="Sent to connected accounts" />
          <Stat label="Refunded" value={formatCents(t.refundedCents)} hint="Returned to subscribers" />
        </dl>
        <p className="mt-3 text-sm text-slate-600">
          {data.subscriptions.live.toLocaleString("en-US")} live subscriptions
          {data.subscriptions.byStatus.past_due ? `, ${data.subscriptions.byStatus.past_due} past due` : ""} · {data.subscriptions.canceledLast30d} ended in
          the last 30 days
        </p>
      </section>

      <div className="mt-8 space-y-6">
        <Card>
          <CardHeader title="By provider" description="All time, largest first." />
          {data.byProvider.length ? (
            <Table caption="Revenue by provider, all time" head={["Provider", "Invoices", "Gross", "Platform", "Provider"]}>
              {data.byProvider.map((p) => (
                <tr key={p.providerId}>
                  <th scope="row" className="px-5 py-2.5 text-left font-medium text-slate-900">
                    {p.slug ? (
                      <Link href={`/providers/${p.slug}`} className="hover:text-brand-700 hover:underline">
                        {p.displayName}
                      </Link>
                    ) : (
                      <span className="text-slate-500 italic">Deleted provider</span>
                    )}
                  </th>
                  <Num>{p.invoices.toLocaleString("en-US")}</Num>
                  <Num>{formatCents(p.grossCents)}</Num>
                  <Num>{formatCents(p.platformFeeCents)}</Num>
                  <Num last>{formatCents(p.providerShareCents)}</Num>
                </tr>
              ))}
            </Table>
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
            <Table caption={`Revenue by month, last ${MONTHS} months`} head={["Month", "Invoices", "Gross", "Platform", "Provider"]}>
              {data.byMonth.map((m) => (
                <tr key={m.month}>
                  <th scope="row" className="px-5 py-2.5 text-left font-medium whitespace-nowrap text-slate-900">
                    {monthLabel(m.month)}
                  </th>
                  <Num>{m.invoices.toLocaleString("en-US")}</Num>
                  <Num>{formatCents(m.grossCents)}</Num>
                  <Num>{formatCents(m.platformFeeCents)}</Num>
                  <Num last>{formatCents(m.providerShareCents)}</Num>
                </tr>
              ))}
            </Table>
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

function Table({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[32rem] text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
          <tr>
            {head.map((h, i) => (
              <th key={h + i} scope="col" className={i === 0 ? "px-5 py-2 text-left font-medium" : `py-2 text-right font-medium ${i === head.length - 1 ? "pr-5" : "pr-4"}`}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

function Num({ children, last }: { children: ReactNode; last?: boolean }) {
  return <td className={`py-2.5 text-right tabular-nums text-slate-700 ${last ? "pr-5" : "pr-4"}`}>{children}</td>;
}

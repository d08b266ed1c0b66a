import type { Metadata } from "next";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { requireProvider } from "@/server/auth/require-provider";
import { api } from "@/trpc/server";
import { Badge, Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { pageCount } from "@/components/ui/pagination";
import { Icon } from "@/components/shell/icons";
import { formatDate } from "@/lib/format/dates";
import { formatRatio } from "@/lib/format/numbers";
import { SUBSCRIPTION_STATUS } from "@/lib/labels";
import { formatCents } from "@/lib/money";
import { firstParam, hrefWith, parsePageParam, type SearchParams } from "@/lib/search-params";
import { PriceForm } from "@/components/billing/price-form";
import { OnboardingNotice, PayoutsAction } from "./client";

export const metadata: Metadata = { title: "Revenue" };
export const dynamic = "force-dynamic";

const PAYMENT_STATUS = {
  paid: { label: "Paid", tone: "green" },
  refunded: { label: "Refunded", tone: "slate" },
  partially_refunded: { label: "Part refunded", tone: "amber" },
} as const;

export default async function RevenuePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireProvider("/revenue");
  const sp = await searchParams;
  const page = parsePageParam(sp.page);
  const onboarding = firstParam(sp.onboarding);
  const caller = await api();
  const [payouts, revenue] = await Promise.all([caller.billing.payouts(), caller.billing.revenue({ page })]);
  const inv = revenue.invoices;
  const { totalPages, beyond } = pageCount(inv.total, inv.pageSize, page);
  const hrefFor = (p: number) => `${hrefWith("/revenue", { page: p })}#invoices`;
  if (beyond) redirect(hrefFor(beyond));

  const ready = payouts.chargesEnabled && payouts.payoutsEnabled;
  const l = revenue.lifetime;
  const churn = revenue.churn30d;

  return (
    <>
      <PageHeader title="Revenue" description="Your subscription income, your price and payouts through Stripe Connect. Subscribers pay monthly; you keep 70% of every payment." />

      {onboarding === "return" || onboarding === "refresh" ? (
        <OnboardingNotice kind={onboarding} ready={ready} detailsSubmitted={payouts.detailsSubmitted} />
      ) : null}

      <div className="grid items-start gap-6 lg:grid-cols-2">
        <Card id="payouts">
          <CardHeader
            title="Payouts"
            description="Stripe Connect pays your 70% straight into your bank account."
            action={<PayoutBadge connected={payouts.connected} ready={ready} detailsSubmitted={payouts.detailsSubmitted} />}
          />
          <CardBody className="space-y-4">
            <ul className="space-y-2 text-sm" aria-label="Payout account status">
              <Check done={payouts.connected}>Stripe account created</Check>
              <Check done={payouts.detailsSubmitted}>Business and bank details submitted</Check>
              <Check done={payouts.chargesEnabled}>Can take card payments</Check>
              <Check done={payouts.payoutsEnabled}>Payouts to your bank enabled</Check>
            </ul>
            {ready ? (
              <p className="text-sm text-slate-600">
                {payouts.acceptingSubscribers
                  ? "You're taking subscribers. Stripe sends your share to your bank on its regular payout schedule."
                  : "Your payout account is ready. Save your price below to open subscriptions."}
              </p>
            ) : (
              <p className="text-sm text-slate-600">
                Traders can subscribe once Stripe has verified your details. It takes a few minutes: your identity, a business name and the bank
                account for payouts.
              </p>
            )}
            {ready ? null : <PayoutsAction label={payouts.connected ? "Continue onboarding" : "Set up payouts with Stripe"} />}
            {payouts.mode === "embedded" ? (
              <p className="text-xs text-slate-500">Test mode: onboarding runs on a stand-in for Stripe and no money moves.</p>
            ) : null}
          </CardBody>
        </Card>

        <Card id="price">
          <CardHeader
            title="Your price"
            description="What a trader pays each month. A new price applies to new subscribers; existing subscribers keep theirs."
            action={
              payouts.acceptingSubscribers ? <Badge tone="green">Open for subscribers</Badge> : <Badge tone="amber">Not open yet</Badge>
            }
          />
          <CardBody>
            <PriceForm priceCents={payouts.priceCents} trialDays={payouts.trialDays} priceReady={payouts.priceReady} />
          </CardBody>
        </Card>
      </div>

      <section aria-labelledby="figures-title" className="mt-8">
        <h2 id="figures-title" className="text-sm font-semibold tracking-wide text-slate-500 uppercase">
          Subscribers and income
        </h2>
        <dl className="mt-3 grid grid-cols-2 gap-4 lg:grid-cols-4">
          <Figure label="Monthly recurring revenue" value={formatCents(revenue.mrrCents)} hint="Active and past-due subscriptions, at their price" />
          <Figure label="Active subscribers" value={revenue.activeSubscribers.toLocaleString("en-US")} hint={`${revenue.trialing} in a free trial`} />
          <Figure
            label={SUBSCRIPTION_STATUS.past_due.label}
            value={revenue.pastDue.toLocaleString("en-US")}
            hint={revenue.paused ? `${revenue.paused} paused` : "Stripe retries failed payments"}
            tone={revenue.pastDue ? "amber" : undefined}
          />
          <Figure
            label="Churn, last 30 days"
            value={formatRatio(churn.rate)}
            hint={
              churn.liveAtStart
                ? `${churn.ended} of ${churn.liveAtStart} ended${revenue.endingAtPeriodEnd ? ` · ${revenue.endingAtPeriodEnd} ending at period end` : ""}`
                : revenue.endingAtPeriodEnd
                  ? `${revenue.endingAtPeriodEnd} ending at period end`
                  : "No subscriptions a month ago"
            }
          />
        </dl>
      </section>

      <Card className="mt-6">
        <CardHeader title="Lifetime" description={`Every payment so far. Your share in the last 30 days: ${formatCents(revenue.last30dShareCents)}.`} />
        <CardBody>
          <dl className="grid grid-cols-2 gap-x-6 gap-y-4 sm:grid-cols-4">
            <Amount label="Gross paid by subscribers" cents={l.grossCents} />
            <Amount label="Tradsy fee (30%)" cents={l.platformFeeCents} />
            <Amount label="Your share (70%)" cents={l.providerShareCents} strong />
            <Amount label="Refunded" cents={l.refundedCents} />
          </dl>
        </CardBody>
      </Card>

      {revenue.bySource.length > 1 ? (
        <Card className="mt-6">
          <CardHeader
            title="By source"
            description="Your own signals and each strategy you run live take subscribers at their own price; every payment goes to your one payout account."
          />
          <CardBody>
            <DataTable
              framed={false}
              caption="Income by source"
              className="min-w-[520px]"
              headerClassName="bg-transparent font-normal tracking-normal"
              columns={SOURCE_COLUMNS}
              rows={revenue.bySource}
              rowKey={(r) => r.providerId}
            />
          </CardBody>
        </Card>
      ) : null}

      <section id="invoices" aria-labelledby="invoices-title" className="mt-6 scroll-mt-20">
        <Card>
          <CardHeader title={<span id="invoices-title">Payments</span>} description="Each paid invoice and how it was split. Newest first; dates in UTC." />
          {inv.items.length ? (
            <CardBody>
              <DataTable
                framed={false}
                caption={`Payments, page ${inv.page} of ${totalPages}`}
                className="min-w-[640px]"
                headerClassName="bg-transparent font-normal tracking-normal"
                columns={revenue.bySource.length > 1 ? PAYMENT_COLUMNS_WITH_SOURCE : PAYMENT_COLUMNS}
                rows={inv.items}
                rowKey={(p) => p.id}
                rowProps={() => ({ "data-testid": "payment-row" })}
                pagination={{ page: inv.page, totalPages, hrefFor }}
              />
            </CardBody>
          ) : (
            <CardBody>
              <EmptyState icon={<Icon name="dollar" className="size-10" />} title="No payments yet">
                {payouts.acceptingSubscribers
                  ? "When a subscriber pays, the invoice appears here with Tradsy's 30% and your 70%. Trials are paid when they end."
                  : "Set up payouts and save your price to open subscriptions. Payments appear here as they arrive."}
              </EmptyState>
            </CardBody>
          )}
        </Card>
      </section>
    </>
  );
}

type Payment = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["billing"]["revenue"]>>["invoices"]["items"][number];

const head = "py-2 pr-4 pl-0 font-medium";
const cell = "py-2.5 pr-4 pl-0";
const PAYMENT_COLUMNS: Column<Payment>[] = [
  { id: "paid", header: "Paid", headClassName: head, className: `${cell} whitespace-nowrap text-slate-700`, cell: (p) => (p.paidAt ? formatDate(p.paidAt) : "—") },
  { id: "subscriber", header: "Subscriber", headClassName: head, className: `${cell} text-slate-900`, cell: (p) => p.subscriber ?? "A trader" },
  {
    id: "period",
    header: "Period",
    headClassName: head,
    className: `${cell} whitespace-nowrap text-slate-600`,
    cell: (p) => (p.periodStart && p.periodEnd ? `${formatDate(p.periodStart)} – ${formatDate(p.periodEnd)}` : "—"),
  },
  { id: "amount", header: "Amount", headClassName: `${head} text-right`, className: `${cell} text-right tabular-nums text-slate-900`, cell: (p) => formatCents(p.amountCents) },
  { id: "fee", header: "Tradsy", headClassName: `${head} text-right`, className: `${cell} text-right tabular-nums text-slate-600`, cell: (p) => formatCents(p.platformFeeCents) },
  {
    id: "share",
    header: "You",
    headClassName: `${head} text-right`,
    className: `${cell} text-right font-medium tabular-nums text-slate-900`,
    cell: (p) => (
      <>
        {formatCents(p.providerShareCents)}
        {p.refundedCents ? <span className="block text-xs font-normal text-slate-500">−{formatCents(p.refundedCents)} refunded</span> : null}
      </>
    ),
  },
  {
    id: "status",
    header: "Status",
    headClassName: "py-2 px-0 font-medium",
    className: "py-2.5 px-0",
    cell: (p) => {
      const status = PAYMENT_STATUS[p.status];
      return <Badge tone={status.tone}>{status.label}</Badge>;
    },
  },
];

/** The payments table with the source each payment was for, when there is more than one. */
const PAYMENT_COLUMNS_WITH_SOURCE: Column<Payment>[] = [
  ...PAYMENT_COLUMNS.slice(0, 2),
  {
    id: "source",
    header: "For",
    headClassName: head,
    className: `${cell} text-slate-700`,
    cell: (p) => (p.source ? (p.source.automated ? p.source.displayName : "Your signals") : "—"),
  },
  ...PAYMENT_COLUMNS.slice(2),
];

type Source = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["billing"]["revenue"]>>["bySource"][number];

const SOURCE_COLUMNS: Column<Source>[] = [
  {
    id: "source",
    header: "Source",
    headClassName: head,
    className: `${cell} text-slate-900`,
    cell: (r) => (
      <span className="flex flex-wrap items-center gap-2">
        {r.automated ? r.displayName : "Your signals"}
        {r.automated ? <Badge tone="brand">Automated strategy</Badge> : null}
      </span>
    ),
  },
  { id: "subs", header: "Subscribers", headClassName: `${head} text-right`, className: `${cell} text-right tabular-nums text-slate-700`, cell: (r) => r.liveSubscribers.toLocaleString("en-US") },
  { id: "mrr", header: "Monthly recurring", headClassName: `${head} text-right`, className: `${cell} text-right tabular-nums text-slate-700`, cell: (r) => formatCents(r.mrrCents) },
  {
    id: "share",
    header: "Your share, lifetime",
    headClassName: "py-2 px-0 font-medium text-right",
    className: "py-2.5 px-0 text-right font-medium tabular-nums text-slate-900",
    cell: (r) => formatCents(r.lifetimeShareCents),
  },
];

function PayoutBadge({ connected, ready, detailsSubmitted }: { connected: boolean; ready: boolean; detailsSubmitted: boolean }) {
  if (ready) return <Badge tone="green">Payouts enabled</Badge>;
  if (!connected) return <Badge>Not set up</Badge>;
  return <Badge tone="amber">{detailsSubmitted ? "Under review" : "Onboarding incomplete"}</Badge>;
}

function Check({ done, children }: { done: boolean; children: ReactNode }) {
  return (
    <li className="flex items-center gap-2.5">
      <span
        aria-hidden="true"
        className={`flex size-5 shrink-0 items-center justify-center rounded-full text-[11px] font-bold ${done ? "bg-emerald-600 text-white" : "border border-slate-300 text-transparent"}`}
      >
        ✓
      </span>
      <span className={done ? "text-slate-900" : "text-slate-500"}>
        {children}
        <span className="sr-only">{done ? " (done)" : " (not yet)"}</span>
      </span>
    </li>
  );
}

function Figure({ label, value, hint, tone }: { label: string; value: string; hint: string; tone?: "amber" }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-4 shadow-xs sm:px-5">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className={`mt-1 text-2xl font-semibold tracking-tight tabular-nums ${tone === "amber" ? "text-amber-700" : "text-slate-900"}`}>{value}</dd>
      <dd className="mt-0.5 text-xs text-slate-500">{hint}</dd>
    </div>
  );
}

function Amount({ label, cents, strong }: { label: string; cents: number; strong?: boolean }) {
  return (
    <div>
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className={`mt-1 text-xl tabular-nums ${strong ? "font-semibold text-emerald-700" : "font-medium text-slate-900"}`}>{formatCents(cents)}</dd>
    </div>
  );
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Alert, Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { formatDate } from "@/lib/format/dates";
import { SUBSCRIPTION_STATUS, type SubscriptionStatusName } from "@/lib/labels";
import { formatCents } from "@/lib/money";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { firstParam, hrefWith, type SearchParams } from "@/lib/search-params";
import { requireUser } from "@/server/auth/guards";
import { actionServiceContext } from "@/server/http/service-context";
import { ownPortal, providerNames } from "@/server/services/billing/embedded-pages";
import { embeddedOr404 } from "../../guard";
import { FailNextToggle, PayInvoiceButton, SubscriptionActions } from "./client";

export const metadata: Metadata = { title: "Billing" };

const INVOICE_STATUS: Record<string, { label: string; tone: "green" | "amber" | "slate" }> = {
  paid: { label: "Paid", tone: "green" },
  open: { label: "Open", tone: "amber" },
  void: { label: "Void", tone: "slate" },
  uncollectible: { label: "Uncollectible", tone: "slate" },
};

/** Stands in for the Stripe customer portal: subscriptions, invoices, and switches to play failed renewals. */
export default async function DevPortalPage({ params, searchParams }: { params: Promise<{ customer: string }>; searchParams: Promise<SearchParams> }) {
  const gateway = await embeddedOr404();
  const [{ customer: customerId }, sp] = await Promise.all([params, searchParams]);
  const returnUrl = safeRedirectPath(firstParam(sp.return_url), "/subscriptions");
  const user = await requireUser(hrefWith(`/dev/stripe/portal/${encodeURIComponent(customerId)}`, { return_url: returnUrl }));
  const view = await ownPortal(await actionServiceContext(user), gateway, customerId);
  if (!view) notFound();
  const nameOf = await providerNames(view.subscriptions.map((s) => s.providerId));
  const failsNext = view.nextPaymentFails;

  return (
    <>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-sm font-medium text-slate-500">Billing for {view.customer.email}</p>
          <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">Manage your subscriptions</h1>
        </div>
        <ButtonLink href={returnUrl} variant="secondary">
          <span aria-hidden="true">←</span> Return to Tradsy
        </ButtonLink>
      </div>

      {firstParam(sp.notice) === "paid" ? (
        <Alert tone="success" className="mt-6">
          Invoice paid with the test card. Stripe retried the charge and the subscription is active again.
        </Alert>
      ) : null}

      <Card className="mt-6">
        <CardHeader title="Subscriptions" />
        {view.subscriptions.length ? (
          <ul className="divide-y divide-slate-100">
            {view.subscriptions.map((s) => {
              const status = s.paused && s.status !== "canceled" ? SUBSCRIPTION_STATUS.paused : (SUBSCRIPTION_STATUS[s.status as SubscriptionStatusName] ?? { label: s.status, tone: "slate" as const });
              const name = (s.providerId && nameOf.get(s.providerId)) ?? "Signal subscription";
              return (
                <li key={s.id} className="flex flex-col gap-3 px-5 py-4 sm:flex-row sm:items-center sm:justify-between" data-testid="portal-subscription">
                  <div className="min-w-0">
                    <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                      {name} <Badge tone={status.tone}>{status.label}</Badge>
                    </p>
                    <p className="mt-0.5 text-sm text-slate-600">
                      <span className="tabular-nums">{formatCents(s.amountCents)}</span> / month ·{" "}
                      {s.status === "canceled"
                        ? "ended"
                        : s.cancelAtPeriodEnd
                          ? `ends ${formatDate(s.currentPeriodEnd)}`
                          : s.paused
                            ? `payments paused; period ends ${formatDate(s.currentPeriodEnd)}`
                            : `renews ${formatDate(s.currentPeriodEnd)}`}
                    </p>
                  </div>
                  {s.status === "canceled" ? null : (
                    <SubscriptionActions customerId={customerId} subscriptionId={s.id} name={name} cancelAtPeriodEnd={s.cancelAtPeriodEnd} paused={s.paused} />
                  )}
                </li>
              );
            })}
          </ul>
        ) : (
          <CardBody>
            <p className="text-sm text-slate-600">No subscriptions yet.</p>
          </CardBody>
        )}
      </Card>

      <Card className="mt-6">
        <CardHeader title="Payment method" description="Visa ending 4242 (test card)" />
        <CardBody>
          <FailNextToggle customerId={customerId} fails={failsNext} />
        </CardBody>
      </Card>

      <Card className="mt-6">
        <CardHeader title="Invoices" description="Newest first. Dates in UTC." />
        {view.invoices.length ? (
          <DataTable
            framed={false}
            caption="Invoices"
            className="min-w-[20rem]"
            headerClassName="bg-transparent font-normal tracking-normal"
            rows={view.invoices}
            rowKey={(i) => i.id}
            columns={[
              { id: "date", header: "Date", headClassName: "px-5 py-2 font-medium", className: "px-5 py-2.5 whitespace-nowrap text-slate-700", cell: (i) => formatDate(i.created) },
              {
                id: "number",
                header: "Number",
                headClassName: "hidden py-2 pr-4 pl-0 font-medium sm:table-cell",
                className: "hidden py-2.5 pr-4 pl-0 font-mono text-xs text-slate-600 sm:table-cell",
                cell: (i) => i.number,
              },
              {
                id: "amount",
                header: "Amount",
                headClassName: "py-2 pr-4 pl-0 text-right font-medium",
                className: "py-2.5 pr-4 pl-0 text-right tabular-nums text-slate-900",
                cell: (i) => formatCents(i.amountCents),
              },
              {
                id: "status",
                header: "Status",
                headClassName: "py-2 pr-5 pl-0 font-medium",
                className: "py-2.5 pr-5 pl-0",
                cell: (i) => {
                  const status = INVOICE_STATUS[i.status] ?? { label: i.status, tone: "slate" as const };
                  return (
                    <span className="flex flex-wrap items-center gap-2">
                      <Badge tone={status.tone}>{status.label}</Badge>
                      {i.status === "open" ? <PayInvoiceButton customerId={customerId} invoiceId={i.id} amount={formatCents(i.amountCents)} returnUrl={returnUrl} /> : null}
                    </span>
                  );
                },
              },
            ]}
          />
        ) : (
          <CardBody>
            <p className="text-sm text-slate-600">No invoices yet. Trials are invoiced when they end.</p>
          </CardBody>
        )}
      </Card>
    </>
  );
}

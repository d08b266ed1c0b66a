import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/server/auth/guards";
import { api } from "@/trpc/server";
import { env } from "@/env";
import { Alert, Badge, Card, CardBody, EmptyState, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { SubscriptionStatusBadge } from "@/components/billing/subscription-status";
import { Icon } from "@/components/shell/icons";
import { formatDate } from "@/lib/format/dates";
import { formatCents } from "@/lib/money";
import { ManageBillingButton, ManageSubscription } from "./client";

export const metadata: Metadata = { title: "Subscriptions" };
export const dynamic = "force-dynamic";

type Sub = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["subscriptions"]["mine"]>>[number];

/** One line on where the subscription stands: when it renews or ends, or what is wrong. */
function when(s: Sub): string {
  const end = s.currentPeriodEnd ? formatDate(s.currentPeriodEnd) : null;
  switch (s.status) {
    case "canceled":
      return "Ended. Subscribe again from the provider's page.";
    case "paused":
      return "Payments paused: no charges, and open signals are hidden until you resume.";
    case "incomplete":
      return "Waiting for the first payment to go through.";
    case "past_due": {
      const graceEnds = s.pastDueSince ? formatDate(new Date(s.pastDueSince.getTime() + env.BILLING_GRACE_DAYS * 86_400_000)) : null;
      return s.entitled && graceEnds
        ? `The last payment failed. Stripe is retrying; update your card before ${graceEnds} to keep access.`
        : "The last payment failed and access is suspended. Update your card to restore it.";
    }
    case "trialing":
      if (!end) return "Free trial";
      return s.cancelAtPeriodEnd ? `Trial ends ${end}; you won't be charged.` : `Trial ends ${end}, then billed monthly.`;
    case "active":
      if (!end) return "Billed monthly";
      return s.cancelAtPeriodEnd ? `Ends ${end}. You keep access until then.` : `Renews ${end}`;
  }
}

export default async function SubscriptionsPage() {
  await requireUser("/subscriptions");
  const caller = await api();
  const [subs, free] = await Promise.all([caller.subscriptions.mine(), caller.billing.freeTier()]);
  const billed = subs.some((s) => s.billed);
  const exhausted = free.used >= free.limit;
  const freePct = Math.min(100, Math.round((free.used / Math.max(1, free.limit)) * 100));

  return (
    <>
      <PageHeader
        title="Subscriptions"
        description="Providers you follow. While a subscription is active you see their open signals in full, live on your dashboard."
        action={
          subs.length ? (
            <div className="flex flex-wrap items-start gap-3">
              {billed ? <ManageBillingButton /> : null}
              <ButtonLink href="/providers" variant="secondary">
                Browse the marketplace
              </ButtonLink>
            </div>
          ) : null
        }
      />

      {subs.length ? (
        <Card>
          <ul className="divide-y divide-slate-100">
            {subs.map((s) => {
              const price = s.priceCents ?? s.provider.priceCents;
              const ending = s.cancelAtPeriodEnd && s.status !== "canceled";
              return (
                <li key={s.id} className="flex flex-col gap-4 px-5 py-4 sm:flex-row sm:items-center sm:justify-between" data-testid="subscription">
                  <div className="min-w-0">
                    <p className="flex flex-wrap items-center gap-2">
                      <Link href={`/providers/${s.provider.slug}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
                        {s.provider.displayName}
                      </Link>
                      <SubscriptionStatusBadge status={s.status} />
                      {ending ? <Badge tone="amber">Cancels at period end</Badge> : null}
                    </p>
                    {s.provider.tagline ? <p className="mt-0.5 truncate text-sm text-slate-500">{s.provider.tagline}</p> : null}
                    <p className="mt-1 text-sm text-slate-600">
                      <span className="font-medium text-slate-900 tabular-nums">{formatCents(price)}</span>/month · {when(s)}
                    </p>
                  </div>
                  {s.status === "canceled" ? (
                    <ButtonLink href={`/providers/${s.provider.slug}`} variant="secondary" size="sm" className="self-start sm:self-auto">
                      Subscribe again
                    </ButtonLink>
                  ) : s.strategyStopped ? (
                    <p className="text-sm text-slate-600 sm:max-w-64 sm:text-right">
                      This strategy stopped running, so it publishes no more signals. The subscription ends{" "}
                      {s.currentPeriodEnd ? formatDate(s.currentPeriodEnd) : "at the close of the period"}, with no further charge.
                    </p>
                  ) : s.billed ? (
                    <ManageSubscription
                      subscriptionId={s.id}
                      providerName={s.provider.displayName}
                      status={s.status}
                      cancelAtPeriodEnd={s.cancelAtPeriodEnd}
                      endsOn={s.currentPeriodEnd ? formatDate(s.currentPeriodEnd) : null}
                    />
                  ) : (
                    <p className="text-xs text-slate-500 sm:max-w-48 sm:text-right">Complimentary: not billed, so there is nothing to manage.</p>
                  )}
                </li>
              );
            })}
          </ul>
        </Card>
      ) : (
        <EmptyState icon={<Icon name="star" className="size-10" />} title="You don't follow any providers yet" action={<ButtonLink href="/providers">Browse the marketplace</ButtonLink>}>
          Pick a provider by their verified track record. Each subscription is monthly and can be cancelled at any time; you can copy up to{" "}
          {free.limit} signals on paper before you subscribe.
        </EmptyState>
      )}

      <section aria-labelledby="free-tier-title" className="mt-6">
      <Card>
        <CardBody className="space-y-3">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h2 id="free-tier-title" className="text-base font-semibold text-slate-900">
              Free paper copies: {free.used} of {free.limit} used
            </h2>
            <span className="text-sm text-slate-500">{exhausted ? "None left" : `${free.limit - free.used} left`}</span>
          </div>
          <div
            className="h-2 overflow-hidden rounded-full bg-slate-100"
            role="progressbar"
            aria-labelledby="free-tier-title"
            aria-valuemin={0}
            aria-valuemax={free.limit}
            aria-valuenow={free.used}
          >
            <div className={`h-full rounded-full ${exhausted ? "bg-amber-500" : "bg-brand-600"}`} style={{ width: `${freePct}%` }} />
          </div>
          <p className="text-sm text-slate-600">
            Without a subscription you can copy {free.limit} signals into your paper account to see how following works. Signals from providers you
            subscribe to never count.
          </p>
          {exhausted ? (
            <Alert tone="warning" className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
              <span>
                <span className="font-medium">You&rsquo;ve used all your free copies.</span> Subscribe to a provider to keep copying their signals and see
                their open trades in full.
              </span>
              <ButtonLink href="/providers" size="sm" className="shrink-0">
                Find a provider
              </ButtonLink>
            </Alert>
          ) : null}
        </CardBody>
      </Card>
      </section>
    </>
  );
}

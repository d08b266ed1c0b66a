import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/server/auth/guards";
import { api } from "@/trpc/server";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { Icon } from "@/components/shell/icons";
import { formatCents } from "@/lib/money";

export const metadata: Metadata = { title: "Subscriptions" };

const dateFmt = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });
const STATUS = {
  incomplete: { label: "Incomplete", tone: "amber" },
  trialing: { label: "Trial", tone: "brand" },
  active: { label: "Active", tone: "green" },
  past_due: { label: "Payment due", tone: "amber" },
  paused: { label: "Paused", tone: "slate" },
  canceled: { label: "Canceled", tone: "red" },
} as const;

export default async function SubscriptionsPage() {
  await requireUser("/subscriptions");
  const subs = await (await api()).subscriptions.mine();
  return (
    <>
      <PageHeader
        title="Subscriptions"
        description="Providers you follow. While a subscription is active you see their open signals in full, live on your dashboard."
        action={<ButtonLink href="/providers" variant="secondary">Browse the marketplace</ButtonLink>}
      />
      {subs.length ? (
        <Card>
          <ul className="divide-y divide-slate-100">
            {subs.map((s) => {
              const status = STATUS[s.status];
              return (
                <li key={s.id} className="flex flex-wrap items-center justify-between gap-4 px-5 py-4">
                  <div className="min-w-0">
                    <Link href={`/providers/${s.provider.slug}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
                      {s.provider.displayName}
                    </Link>
                    <p className="truncate text-sm text-slate-500">{s.provider.tagline}</p>
                  </div>
                  <div className="flex flex-wrap items-center gap-4 text-sm text-slate-600">
                    <span className="tabular-nums">{formatCents(s.provider.priceCents)}/month</span>
                    {s.currentPeriodEnd ? (
                      <span>
                        {s.cancelAtPeriodEnd ? "Ends" : "Renews"} {dateFmt.format(s.currentPeriodEnd)}
                      </span>
                    ) : null}
                    <Badge tone={status.tone}>{status.label}</Badge>
                  </div>
                </li>
              );
            })}
          </ul>
        </Card>
      ) : (
        <EmptyState icon={<Icon name="star" className="size-10" />} title="You don't follow any providers yet" action={<ButtonLink href="/providers">Browse the marketplace</ButtonLink>}>
          Pick a provider by their verified track record. Each subscription is monthly and can be cancelled at any time; you can
          copy up to 4 signals on paper before you subscribe.
        </EmptyState>
      )}
    </>
  );
}

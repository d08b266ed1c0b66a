import type { Metadata } from "next";
import { requireProvider } from "@/server/auth/require-provider";
import { Card, CardBody, EmptyState, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { SubscriptionStatusBadge } from "@/components/billing/subscription-status";
import { Icon } from "@/components/shell/icons";
import { formatDate } from "@/lib/format/dates";
import { getProviderByUserId } from "@/server/services/providers";
import { api } from "@/trpc/server";
import { ExecutionQuality } from "@/components/copy/execution-quality";

export const metadata: Metadata = { title: "Subscribers" };

export default async function SubscribersPage() {
  const user = await requireProvider("/subscribers");
  const caller = await api();
  const [provider, subs] = await Promise.all([getProviderByUserId(user.id), caller.subscriptions.subscribers()]);
  const [execution, copiers] = provider ? await Promise.all([caller.copy.executionQuality({ providerId: provider.id }), caller.copy.copiers()]) : [null, null];
  const live = subs.filter((s) => s.status === "active" || s.status === "trialing" || s.status === "past_due").length;
  return (
    <>
      <PageHeader title="Subscribers" description="Who follows you and since when. Names only: subscribers' emails stay private." />
      {subs.length ? (
        <>
          <div className="mb-4 grid gap-4 sm:grid-cols-3">
            <Card>
              <CardBody>
                <p className="text-sm text-slate-500">Following now</p>
                <p className="mt-1 text-2xl font-semibold tabular-nums">{live}</p>
              </CardBody>
            </Card>
            <Card>
              <CardBody>
                <p className="text-sm text-slate-500">All time</p>
                <p className="mt-1 text-2xl font-semibold tabular-nums">{subs.length}</p>
              </CardBody>
            </Card>
            {copiers ? (
              <Card>
                <CardBody>
                  <p className="text-sm text-slate-500">Followers copying</p>
                  <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="followers-copying">
                    {copiers.copying}
                  </p>
                  <p className="mt-1 text-xs text-slate-500">
                    {copiers.openCopies} open {copiers.openCopies === 1 ? "copy" : "copies"}
                    {copiers.paused ? ` · ${copiers.paused} paused` : ""}
                  </p>
                </CardBody>
              </Card>
            ) : null}
          </div>
          <Card>
            <ul className="divide-y divide-slate-100">
              {subs.map((s) => (
                <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 px-5 py-3 text-sm">
                  <span className="font-medium text-slate-900">{s.name ?? "A trader"}</span>
                  <span className="flex items-center gap-3 text-slate-600">
                    since {formatDate(s.since)}
                    <SubscriptionStatusBadge status={s.status} />
                  </span>
                </li>
              ))}
            </ul>
          </Card>
        </>
      ) : (
        <EmptyState
          icon={<Icon name="users" className="size-10" />}
          title="No subscribers yet"
          action={provider ? <ButtonLink href={`/providers/${provider.slug}`} variant="secondary">See your public profile</ButtonLink> : null}
        >
          Traders subscribe from your public profile once your payouts are set up. A complete profile and a steady record win followers.
        </EmptyState>
      )}
      {execution ? (
        <section aria-labelledby="execution-title" className="mt-6">
          <Card>
            <div className="border-b border-slate-100 px-5 py-4">
              <h2 id="execution-title" className="text-base font-semibold text-slate-900">
                Execution quality
              </h2>
              <p className="mt-0.5 text-sm text-slate-500">How followers&rsquo; copies of your signals filled. Shown on your public profile too.</p>
            </div>
            <CardBody>
              <ExecutionQuality data={execution} headingId="execution-title" />
            </CardBody>
          </Card>
        </section>
      ) : null}
    </>
  );
}

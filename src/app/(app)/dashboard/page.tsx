import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/server/auth/guards";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { Alert, Badge, Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { formatCents, splitRevenue } from "@/lib/money";
import { progress, providerChecklist, traderChecklist, type ChecklistStep, type StepState } from "@/lib/checklist";
import { ResendVerification } from "../settings/client";
import { FEED_INPUT, nextFeedCursor } from "./feed-query";
import { LiveFeed } from "./live-feed";

export const metadata: Metadata = { title: "Dashboard" };

const STEP_MARK: Record<StepState, { mark: string; className: string; sr: string }> = {
  done: { mark: "✓", className: "bg-brand-700 text-white", sr: "(done)" },
  todo: { mark: "", className: "border border-slate-300 text-slate-400", sr: "(to do)" },
  // Not a checkbox: nothing in the app completes this step yet, so it is shown as information.
  info: { mark: "i", className: "bg-slate-100 text-slate-500 italic", sr: "(for your information)" },
};

/** One checklist step; its state comes from `traderChecklist`/`providerChecklist` (src/lib/checklist), never a literal. */
function Step({ steps, id, title, children }: { steps: ChecklistStep[]; id: string; title: string; children: React.ReactNode }) {
  const state = steps.find((s) => s.id === id)?.state ?? "todo";
  const m = STEP_MARK[state];
  return (
    <li className="flex gap-3 py-3" data-testid={`step-${id}`} data-state={state}>
      <span aria-hidden="true" className={`mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold ${m.className}`}>
        {m.mark}
      </span>
      <div>
        <p className="text-sm font-medium text-slate-900">
          {title} <span className="sr-only">{m.sr}</span>
        </p>
        <div className="text-sm text-slate-600">{children}</div>
      </div>
    </li>
  );
}

function ProgressNote({ steps }: { steps: ChecklistStep[] }) {
  const p = progress(steps);
  return <span className="text-sm text-slate-500">{p.done === p.total ? "All done" : `${p.done} of ${p.total} done`}</span>;
}

export default async function DashboardPage() {
  const user = await requireUser("/dashboard");
  const caller = await api();
  const me = await caller.account.me();
  const firstName = (me.name ?? "").split(" ")[0] || "there";
  await getQueryClient().prefetchInfiniteQuery(trpc.signals.feed.infiniteQueryOptions(FEED_INPUT, { getNextPageParam: nextFeedCursor }));

  const verifyBanner = !me.emailVerified ? (
    <Alert tone="warning" className="mb-6 flex flex-wrap items-center justify-between gap-3">
      <span>Confirm your email address: we sent a link to {me.email}.</span>
      <ResendVerification />
    </Alert>
  ) : null;

  if (user.role === "provider" && me.provider) {
    const keys = await caller.apiKeys.list();
    const activeKeys = keys.filter((k) => !k.revokedAt).length;
    const p = me.provider;
    const steps = providerChecklist({ emailVerified: Boolean(me.emailVerified), profile: p, activeApiKeys: activeKeys, payoutsEnabled: p.payoutsEnabled });
    return (
      <HydrateClient>
        <PageHeader title="Dashboard" description={`Welcome back, ${firstName}. Here is where your provider account stands.`} action={<ButtonLink href={`/providers/${p.slug}`} variant="secondary">View public profile</ButtonLink>} />
        {verifyBanner}
        <div className="grid gap-4 sm:grid-cols-3">
          <Card>
            <CardBody>
              <p className="text-sm text-slate-500">Monthly price</p>
              <p className="mt-1 text-2xl font-semibold">{formatCents(p.priceCents)}</p>
              <p className="text-xs text-slate-500">You receive 70%: {formatCents(splitRevenue(p.priceCents).providerCents)}</p>
            </CardBody>
          </Card>
          <Card>
            <CardBody>
              <p className="text-sm text-slate-500">Active API keys</p>
              <p className="mt-1 text-2xl font-semibold">{activeKeys}</p>
              <p className="text-xs text-slate-500">For publishing through the REST API</p>
            </CardBody>
          </Card>
          <Card>
            <CardBody>
              <p className="text-sm text-slate-500">Payouts</p>
              <p className="mt-1 text-2xl font-semibold">{p.payoutsEnabled ? "Enabled" : "Not set up"}</p>
              <p className="text-xs text-slate-500">Stripe Connect, from the Revenue page</p>
            </CardBody>
          </Card>
        </div>
        <div className="mt-6">
          <LiveFeed input={FEED_INPUT} audience="provider" ownProvider={{ id: p.id, name: p.displayName, slug: p.slug }} />
        </div>
        <Card className="mt-6">
          <CardHeader title="Get ready to publish" description="Traders choose providers by their verified record, so set up the basics first." action={<ProgressNote steps={steps} />} />
          <CardBody>
            <ol className="divide-y divide-slate-100">
              <Step steps={steps} id="email" title="Confirm your email">
                We use it for billing and security notices.
              </Step>
              <Step steps={steps} id="profile" title="Complete your public profile">
                A tagline, a bio describing your method, and the markets you trade. <Link href="/settings#provider-profile" className="font-medium text-brand-700 hover:underline">Edit profile</Link>
              </Step>
              <Step steps={steps} id="api-key" title="Create an API key">
                Needed to publish from your own code. <Link href="/settings#api-keys" className="font-medium text-brand-700 hover:underline">Manage API keys</Link>
              </Step>
              <Step steps={steps} id="payouts" title="Set up payouts">
                Subscribers can pay you once your Stripe Connect account is active.{" "}
                <Link href="/revenue#payouts" className="font-medium text-brand-700 hover:underline">
                  {p.payoutsEnabled ? "See revenue" : "Set up payouts"}
                </Link>
              </Step>
            </ol>
          </CardBody>
        </Card>
      </HydrateClient>
    );
  }

  const [market, subs, free] = await Promise.all([caller.providers.list({ page: 1, pageSize: 3 }), caller.subscriptions.mine(), caller.billing.freeTier()]);
  const steps = traderChecklist({ emailVerified: Boolean(me.emailVerified), subscriptions: subs, freeCopies: free });
  const following = subs.filter((s) => s.entitled);
  return (
    <HydrateClient>
      <PageHeader title="Dashboard" description={`Welcome, ${firstName}. Follow providers with verified records and copy their signals under your own risk limits.`} />
      {verifyBanner}
      <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <LiveFeed input={FEED_INPUT} audience="subscriber" />
        </div>
        <div className="space-y-6">
          <Card>
            <CardHeader title="Getting started" action={<ProgressNote steps={steps} />} />
            <CardBody>
              <ol className="divide-y divide-slate-100">
                <Step steps={steps} id="email" title="Confirm your email">
                  So we can send you signal alerts and receipts.
                </Step>
                <Step steps={steps} id="provider" title="Choose a provider">
                  {following.length ? (
                    <>
                      You follow {following.map((s) => s.provider.displayName).join(", ")}.{" "}
                      <Link href="/subscriptions" className="font-medium text-brand-700 hover:underline">
                        Manage subscriptions
                      </Link>
                    </>
                  ) : (
                    <>
                      Compare track records in the{" "}
                      <Link href="/providers" className="font-medium text-brand-700 hover:underline">
                        marketplace
                      </Link>
                      .
                    </>
                  )}
                </Step>
                {free.used > 0 ? (
                  <Step steps={steps} id="paper" title="Copy on paper first">
                    You have copied {free.used} of your {free.limit} free signals on paper.
                  </Step>
                ) : (
                  <Step steps={steps} id="paper" title="Free paper copies">
                    Copying into a paper account is not in the app yet. When it is, a free account can copy {free.limit} signals on paper before
                    subscribing.
                  </Step>
                )}
              </ol>
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Marketplace" description={`${market.total} provider${market.total === 1 ? "" : "s"} publishing`} action={<Link href="/providers" className="text-sm font-medium text-brand-700 hover:underline">Browse all</Link>} />
            <CardBody>
              {market.items.length ? (
                <ul className="space-y-3">
                  {market.items.map((p) => (
                    <li key={p.id}>
                      <Link href={`/providers/${p.slug}`} className="block rounded-md p-2 hover:bg-slate-50">
                        <span className="flex items-center justify-between gap-2">
                          <span className="font-medium text-slate-900">{p.displayName}</span>
                          <Badge>{formatCents(p.priceCents)}/mo</Badge>
                        </span>
                        <span className="mt-0.5 block truncate text-sm text-slate-500">{p.tagline}</span>
                      </Link>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-sm text-slate-600">No providers have joined yet.</p>
              )}
            </CardBody>
          </Card>
        </div>
      </div>
    </HydrateClient>
  );
}

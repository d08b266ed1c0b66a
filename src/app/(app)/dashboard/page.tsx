import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/server/auth/guards";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { Alert, Badge, Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { formatCents, splitRevenue } from "@/lib/money";
import { ResendVerification } from "../settings/client";
import { LiveFeed } from "./live-feed";

export const metadata: Metadata = { title: "Dashboard" };

/** The live feed's first page, rendered on the server and continued by the live stream in the browser. */
const FEED_INPUT = { sinceDays: 30, limit: 50 };

function Step({ done, title, children }: { done: boolean; title: string; children: React.ReactNode }) {
  return (
    <li className="flex gap-3 py-3">
      <span
        aria-hidden="true"
        className={`mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold ${done ? "bg-brand-700 text-white" : "border border-slate-300 text-slate-400"}`}
      >
        {done ? "✓" : ""}
      </span>
      <div>
        <p className="text-sm font-medium text-slate-900">
          {title} <span className="sr-only">{done ? "(done)" : "(to do)"}</span>
        </p>
        <div className="text-sm text-slate-600">{children}</div>
      </div>
    </li>
  );
}

export default async function DashboardPage() {
  const user = await requireUser("/dashboard");
  const caller = await api();
  const me = await caller.account.me();
  const firstName = (me.name ?? "").split(" ")[0] || "there";
  await getQueryClient().prefetchQuery(trpc.signals.feed.queryOptions(FEED_INPUT));

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
    const profileComplete = Boolean(p.tagline && p.bio && p.markets.length);
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
          <CardHeader title="Get ready to publish" description="Traders choose providers by their verified record, so set up the basics first." />
          <CardBody>
            <ol className="divide-y divide-slate-100">
              <Step done={Boolean(me.emailVerified)} title="Confirm your email">We use it for billing and security notices.</Step>
              <Step done={profileComplete} title="Complete your public profile">
                A tagline, a bio describing your method, and the markets you trade. <Link href="/settings#provider-profile" className="font-medium text-brand-700 hover:underline">Edit profile</Link>
              </Step>
              <Step done={activeKeys > 0} title="Create an API key">
                Needed to publish from your own code. <Link href="/settings#api-keys" className="font-medium text-brand-700 hover:underline">Manage API keys</Link>
              </Step>
              <Step done={p.payoutsEnabled} title="Set up payouts">
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

  const market = await caller.providers.list({ page: 1, pageSize: 3 });
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
            <CardHeader title="Getting started" />
            <CardBody>
              <ol className="divide-y divide-slate-100">
                <Step done={Boolean(me.emailVerified)} title="Confirm your email">So we can send you signal alerts and receipts.</Step>
                <Step done={false} title="Choose a provider">
                  Compare track records in the <Link href="/providers" className="font-medium text-brand-700 hover:underline">marketplace</Link>.
                </Step>
                <Step done={false} title="Copy on paper first">Your free tier copies up to 4 signals into a paper account before you subscribe.</Step>
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

import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/server/auth/guards";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { Alert, Badge, Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { formatCents, splitRevenue } from "@/lib/money";
import { ResendVerification } from "../settings/client";
import { FEED_INPUT, nextFeedCursor } from "./feed-query";
import { LiveFeed } from "./live-feed";
import { OnboardingChecklist } from "./checklist";
import { cookies } from "next/headers";
import { PROFILE_STEP_SKIPPED_COOKIE } from "./profile-step-cookie";
import { TradingProfileStep } from "./trading-profile-step";

export const metadata: Metadata = { title: "Dashboard" };

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
    const checklist = await caller.onboarding.checklist();
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
        <div className="mt-6">
          <OnboardingChecklist title="Get ready to publish" steps={checklist.steps} progress={checklist.progress} skipped={checklist.skippedAt !== null} />
        </div>
      </HydrateClient>
    );
  }

  const [market, checklist, tradingProfile] = await Promise.all([
    caller.providers.list({ page: 1, pageSize: 3 }),
    caller.onboarding.checklist(),
    caller.library.tradingProfile(),
  ]);
  // The optional risk/experience step: until either is answered, unless skipped in this browser.
  const askProfile = !tradingProfile.riskTolerance && !tradingProfile.experience && !(await cookies()).has(PROFILE_STEP_SKIPPED_COOKIE);
  return (
    <HydrateClient>
      <PageHeader title="Dashboard" description={`Welcome, ${firstName}. Follow providers with verified records and copy their signals under your own risk limits.`} />
      {verifyBanner}
      {askProfile ? <TradingProfileStep /> : null}
      <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <LiveFeed input={FEED_INPUT} audience="subscriber" />
        </div>
        <div className="space-y-6">
          <OnboardingChecklist title="Getting started" steps={checklist.steps} progress={checklist.progress} skipped={checklist.skippedAt !== null} />
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

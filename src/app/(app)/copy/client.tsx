"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { ButtonLink } from "@/components/ui/button";
import { Alert, Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Icon } from "@/components/shell/icons";
import { StreamStatus } from "@/components/signals/stream-status";
import { percent, toneClass } from "@/components/track-record/format";
import { bps, latency, orderReason, signedMoney } from "@/components/copy/format";
import { FailingExitsBanner } from "./_components/failing-exits-banner";
import { FollowingCard } from "./_components/following-card";
import { FollowerKillSwitch } from "./_components/kill-switch";
import { REFRESH_MS, useCopyLive } from "./_components/live";
import { OrdersJournal } from "./_components/orders-journal";
import { PaperAccountCard } from "./_components/paper-account";
import { PositionsCard } from "./_components/positions";

/** The copy trading page: paper account and kill switch, the providers followed with their settings, positions, orders. */
export function CopyTradingClient() {
  const trpc = useTRPC();
  const live = useCopyLive();
  const list = useQuery(trpc.copy.followings.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const followings = list.data?.followings ?? [];
  const copying = followings.filter((f) => f.enabled).length;
  const openPositions = followings.reduce((n, f) => n + f.openPositions, 0);
  const platformStopped = followings.some((f) => f.killSwitch === "platform");
  const free = list.data?.freeTier;

  return (
    <>
      <FailingExitsBanner />
      <PageHeader
        title="Copy trading"
        description="Copy the providers you follow into your paper account or your own exchange accounts, sized by your own rules."
        action={
          <div className="flex flex-wrap items-center gap-3">
            <StreamStatus status={live.status} liveTitle="Positions and orders update without reloading" />
            <ButtonLink href="/copy/connections" variant="secondary" size="sm">
              <Icon name="link" className="size-4" />
              Exchange connections
            </ButtonLink>
          </div>
        }
      />

      {platformStopped ? (
        <Alert tone="warning" className="mb-6">
          <span className="font-medium">Copying is paused platform-wide.</span> No new copies open anywhere for now; exits of open copies still run.
        </Alert>
      ) : null}

      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <PaperAccountCard />
        <div className="space-y-6">
          <FollowerKillSwitch copying={copying} openPositions={openPositions} loaded={Boolean(list.data)} />
          <JournalStats />
        </div>
      </div>

      <section aria-labelledby="followings-title" className="mt-8">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="followings-title" className="text-lg font-semibold text-slate-900">
            Providers you copy
          </h2>
          {free ? (
            <p className="text-sm text-slate-500">
              Free paper copies: {free.used} of {free.limit} used
            </p>
          ) : null}
        </div>
        {list.isError && !list.data ? (
          <Alert tone="error">Couldn&rsquo;t load the providers you follow. {list.error.message}</Alert>
        ) : !list.data ? (
          <div className="h-32 animate-pulse rounded-lg bg-white" role="status" aria-label="Loading" />
        ) : followings.length ? (
          <div className="space-y-4">
            {followings.map((f) => (
              <FollowingCard key={f.provider.id} following={f} startOpen={followings.length === 1 && !f.saved} />
            ))}
          </div>
        ) : (
          <EmptyState
            icon={<Icon name="store" className="size-10" />}
            title="No providers to copy yet"
            action={<ButtonLink href="/providers">Browse the marketplace</ButtonLink>}
          >
            Subscribe to a provider, or use one of your {free?.limit ?? 4} free paper copies from a provider&rsquo;s profile, then turn copying on here. Every
            signal they publish then opens a paper copy sized by your settings.
          </EmptyState>
        )}
      </section>

      <section aria-label="Positions" className="mt-8">
        <PositionsCard hasFollowings={followings.some((f) => f.enabled)} />
      </section>

      <section aria-label="Orders" className="mt-8">
        <OrdersJournal providers={followings.map((f) => ({ id: f.provider.id, displayName: f.provider.displayName }))} />
      </section>
    </>
  );
}

/** The follower's own execution ledger: how their copies filled and how they did against the published results. */
function JournalStats() {
  const trpc = useTRPC();
  const stats = useQuery(trpc.copy.journalStats.queryOptions(undefined, { refetchInterval: REFRESH_MS * 6 }));
  const s = stats.data;
  if (!s) return null;
  const net = signedMoney(s.realisedNet);
  const skipped = s.orders.skipped ?? 0;
  return (
    <Card>
      <CardHeader title="Your execution" />
      <CardBody>
        {s.filledEntries === 0 && s.closedPositions === 0 ? (
          <p className="text-sm text-slate-600">Slippage, latency and your returns next to the published ones appear after your first copy fills.</p>
        ) : (
          <dl className="space-y-2 text-sm">
            <Row label="Copies filled">{s.filledEntries}</Row>
            <Row label="Skipped by your rules">{skipped}</Row>
            <Row label="Median slippage">{bps(s.medianSlippageBps)}</Row>
            <Row label="Median latency">{latency(s.medianLatencyMs)}</Row>
            <Row label="Closed (won)">
              {s.closedPositions} ({s.wins})
            </Row>
            <Row label="Realised after fees">
              <span className={toneClass[net.tone]}>{net.text}</span>
            </Row>
            <Row label="Your median return">
              <span className={toneClass[percent(s.medianReturn).tone]}>{percent(s.medianReturn).text}</span>
            </Row>
            <Row label="Published median">
              <span className={toneClass[percent(s.publishedMedianReturn).tone]}>{percent(s.publishedMedianReturn).text}</span>
            </Row>
          </dl>
        )}
        {s.skipReasons.length ? (
          <p className="mt-3 text-xs text-slate-500">
            Most skips: {s.skipReasons
              .slice(0, 2)
              .map((r) => `${(orderReason(r.reason)?.code ?? r.reason).replace(/_/g, " ")} (${r.n})`)
              .join(", ")}
            .
          </p>
        ) : null}
      </CardBody>
    </Card>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex justify-between gap-3">
      <dt className="text-slate-500">{label}</dt>
      <dd className="font-medium text-slate-900 tabular-nums">{children}</dd>
    </div>
  );
}

"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useMemo, useRef, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { Alert, Card, CardHeader, EmptyState } from "@/components/ui/card";
import { Button, ButtonLink } from "@/components/ui/button";
import { useHydrated } from "@/components/ui/use-hydrated";
import { Icon } from "@/components/shell/icons";
import { StreamStatus } from "@/components/signals/stream-status";
import { mergeFeed } from "@/lib/feed";
import type { FullSignalView } from "@/server/services/signals/views";
import { FeedItem, FeedSkeleton, type FeedRow, type ProviderRef } from "./feed-item";
import { nextFeedCursor } from "./feed-query";

type FeedInput = { limit: number };
/** One stream delivery: the signal's latest version, what changed, and its place in arrival order (to retire it after a refetch). */
type LiveDelivery = { signal: FullSignalView; kind: string; arrival: number };

const HIGHLIGHT_MS = 6000;
/** Live arrivals kept beside the fetched feed (one per signal). */
const MAX_LIVE = 200;

const CHANGE_LABEL: Record<string, string> = {
  published: "New",
  filled: "Entry filled",
  stop_moved: "Stop moved",
  partial_close: "Partly closed",
  closed: "Closed",
  cancelled: "Cancelled",
  expired: "Expired",
};

/**
 * "Live signals" on both dashboards: the viewer's feed (providers they follow, or a provider's own signals) in two
 * sections, open signals first and then recent changes, rendered from the server and paged by "Load more". The live
 * stream's deliveries replace the fetched version of the same signal, so a change moves a row (an open signal that
 * closes goes from "Open now" to the top of "Recent changes") instead of adding a second one (src/lib/feed).
 */
export function LiveFeed({ input, audience, ownProvider }: { input: FeedInput; audience: "subscriber" | "provider"; ownProvider?: ProviderRef & { id: string } }) {
  const trpc = useTRPC();
  const feed = useInfiniteQuery(trpc.signals.feed.infiniteQueryOptions(input, { getNextPageParam: nextFeedCursor }));
  const [live, setLive] = useState<LiveDelivery[]>([]);
  const [fresh, setFresh] = useState<Record<string, number>>({});
  /** Counts deliveries, so a refetch can tell which ones arrived before it began. */
  const arrivals = useRef(0);
  const hydrated = useHydrated();

  const pages = feed.data?.pages;
  const names = useMemo(() => {
    const m = new Map<string, ProviderRef>();
    if (ownProvider) m.set(ownProvider.id, { name: ownProvider.name, slug: ownProvider.slug });
    for (const page of pages ?? []) {
      for (const item of [...(page.open ?? []), ...page.recent]) m.set(item.providerId, { name: item.providerName, slug: item.providerSlug });
    }
    return m;
  }, [pages, ownProvider]);

  const refetch = () => {
    const started = arrivals.current;
    // Deliveries from before the refetch began are in its answer (or superseded by it); later ones may be newer.
    void feed.refetch().then((r) => {
      if (r.isSuccess) setLive((prev) => prev.filter((x) => x.arrival > started));
    });
  };

  const sub = useSubscription(
    trpc.signals.live.subscriptionOptions(undefined, {
      // Whatever changed between the server render (or a dropped connection) and this stream starting is caught
      // up by one refetch; from here on the stream is complete.
      onStarted: refetch,
      onData: ({ kind, signal }) => {
        if (signal.visibility !== "full") return;
        setLive((prev) => [{ signal, kind, arrival: ++arrivals.current }, ...prev.filter((x) => x.signal.id !== signal.id)].slice(0, MAX_LIVE));
        setFresh((f) => ({ ...f, [signal.id]: (f[signal.id] ?? 0) + 1 }));
        window.setTimeout(() => {
          setFresh((f) => {
            if (!(signal.id in f)) return f;
            const next = { ...f };
            delete next[signal.id];
            return next;
          });
        }, HIGHLIGHT_MS);
        // The stream carries the signal but not its provider's name: refetch the feed (which has it) for a
        // provider we have not seen yet, typically the first signal of a newly followed provider.
        if (!names.has(signal.providerId)) refetch();
      },
    }),
  );

  const sections = useMemo(() => {
    const kindOf = new Map(live.map((x) => [x.signal.id, x.kind]));
    const merged = mergeFeed<FullSignalView>(
      { open: pages?.[0]?.open ?? [], recent: (pages ?? []).flatMap((p) => p.recent) },
      live.map((x) => x.signal),
    );
    const row = (signal: FullSignalView): FeedRow => ({ signal, provider: names.get(signal.providerId) ?? null, change: CHANGE_LABEL[kindOf.get(signal.id) ?? ""] ?? null });
    return { open: merged.open.map(row), recent: merged.recent.map(row) };
  }, [pages, live, names]);

  const openMore = pages?.[0]?.openMore ?? [];
  const loaded = Boolean(pages);
  const failed = feed.isError && !pages;
  const empty = loaded && !sections.open.length && !sections.recent.length;
  const description =
    audience === "provider" ? "Your signals as subscribers see them, updated the moment anything changes." : "Signals from the providers you follow, as they are published and managed.";

  return (
    <Card className="overflow-hidden">
      <CardHeader title="Live signals" description={description} action={<StreamStatus status={sub.status} liveTitle="New signals appear without reloading" />} />
      <div data-testid="live-feed">
        {failed ? (
          <div className="px-5 py-4">
            <Alert tone="error">
              Couldn&apos;t load your feed.{" "}
              <Button variant="ghost" size="sm" disabled={!hydrated} onClick={refetch}>
                Try again
              </Button>
            </Alert>
          </div>
        ) : null}
        {!loaded && !failed ? <FeedSkeleton /> : null}
        {empty ? <EmptyFeed audience={audience} /> : null}

        {/* Both lists stay in the DOM so screen readers are already listening when the first signal arrives. */}
        <section aria-labelledby="feed-open-title" data-testid="feed-open" hidden={!loaded || empty}>
          <SectionTitle id="feed-open-title" count={sections.open.length}>
            Open now
          </SectionTitle>
          <ul aria-labelledby="feed-open-title" aria-live="polite" aria-relevant="additions" className="divide-y divide-slate-100">
            {sections.open.map((r) => (
              <FeedItem key={r.signal.id} row={r} highlight={Boolean(fresh[r.signal.id])} />
            ))}
          </ul>
          {!sections.open.length ? (
            <p className="px-5 py-3 text-sm text-slate-600">
              {audience === "provider" ? "You have no open or pending signals." : "None of the providers you follow has an open or pending signal right now."}
            </p>
          ) : null}
          {openMore.map((m) => (
            <p key={m.providerId} className="border-t border-slate-100 px-5 py-3 text-sm text-slate-600">
              {m.providerName} has {m.more} more open signal{m.more === 1 ? "" : "s"}:{" "}
              <Link href={`/providers/${m.providerSlug}`} className="font-medium text-brand-700 hover:underline">
                see them all on their profile
              </Link>
              .
            </p>
          ))}
        </section>

        <section aria-labelledby="feed-recent-title" data-testid="feed-recent" hidden={!loaded || empty}>
          <SectionTitle id="feed-recent-title">Recent changes</SectionTitle>
          <ul aria-labelledby="feed-recent-title" aria-live="polite" aria-relevant="additions" className="divide-y divide-slate-100">
            {sections.recent.map((r) => (
              <FeedItem key={r.signal.id} row={r} highlight={Boolean(fresh[r.signal.id])} />
            ))}
          </ul>
          {!sections.recent.length ? <p className="px-5 py-3 text-sm text-slate-600">No closed, cancelled or expired signals yet.</p> : null}
          {feed.hasNextPage ? (
            <div className="border-t border-slate-100 px-5 py-3 text-center">
              <Button variant="secondary" size="sm" disabled={!hydrated} loading={feed.isFetchingNextPage} onClick={() => void feed.fetchNextPage()}>
                Load more
              </Button>
            </div>
          ) : null}
          {feed.isFetchNextPageError ? (
            <p role="alert" className="px-5 pb-3 text-center text-sm text-red-700">
              Couldn&apos;t load more. Try again.
            </p>
          ) : null}
        </section>
      </div>
    </Card>
  );
}

function SectionTitle({ id, count, children }: { id: string; count?: number; children: React.ReactNode }) {
  return (
    <h3 id={id} className="flex items-center gap-2 border-y border-slate-100 bg-slate-50 px-5 py-2 text-xs font-semibold tracking-wide text-slate-600 uppercase">
      {children}
      {count !== undefined ? <span className="font-normal text-slate-500 normal-case">({count})</span> : null}
    </h3>
  );
}

function EmptyFeed({ audience }: { audience: "subscriber" | "provider" }) {
  return (
    <div className="p-5">
      {audience === "provider" ? (
        <EmptyState icon={<Icon name="signal" className="size-10" />} title="Nothing published yet" action={<ButtonLink href="/signals">Publish a signal</ButtonLink>}>
          Your signals show up here exactly as your subscribers receive them.
        </EmptyState>
      ) : (
        <EmptyState icon={<Icon name="store" className="size-10" />} title="No signals in your feed yet" action={<ButtonLink href="/providers">Browse the marketplace</ButtonLink>}>
          Follow a provider with a verified record and their signals arrive here the moment they are published, with entry, stop and targets.
        </EmptyState>
      )}
    </div>
  );
}

"use client";

import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { Alert, Badge, Card, CardHeader, EmptyState } from "@/components/ui/card";
import { Button, ButtonLink } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Icon } from "@/components/shell/icons";
import { SideBadge, StatusBadge } from "@/components/signals/badges";
import { formatR, formatReturn, formatShare, resultTone } from "@/components/signals/format";
import { exitReasonLabel } from "@/lib/labels";
import { SignalLevels } from "@/components/signals/levels";
import { RelativeTime } from "@/components/signals/relative-time";
import { StreamStatus } from "@/components/signals/stream-status";
import type { FullSignalView } from "@/server/services/signals/views";

type FeedInput = { sinceDays: number; limit: number };
type ProviderRef = { name: string; slug: string };
type FeedEntry = { signal: FullSignalView; provider: ProviderRef | null; change: string | null };

const PAGE = 8;
const HIGHLIGHT_MS = 6000;
/** Live arrivals kept beside the fetched feed; older ones fall off the end like the feed itself. */
const MAX_LIVE = 50;

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
 * "Live signals" on the dashboard: the viewer's feed (providers they follow, or their own signals for a provider)
 * rendered from the server, with changes from the live stream put on top as they happen, without a reload.
 */
export function LiveFeed({ input, audience, ownProvider }: { input: FeedInput; audience: "subscriber" | "provider"; ownProvider?: ProviderRef & { id: string } }) {
  const trpc = useTRPC();
  const feed = useQuery(trpc.signals.feed.queryOptions(input));
  // Stream deliveries, newest first, one per signal: its latest version and what changed.
  const [live, setLive] = useState<{ signal: FullSignalView; kind: string }[]>([]);
  const [fresh, setFresh] = useState<Record<string, number>>({});
  const [shown, setShown] = useState(PAGE);

  const names = useMemo(() => {
    const m = new Map<string, ProviderRef>();
    if (ownProvider) m.set(ownProvider.id, { name: ownProvider.name, slug: ownProvider.slug });
    for (const item of feed.data ?? []) m.set(item.providerId, { name: item.providerName, slug: item.providerSlug });
    return m;
  }, [feed.data, ownProvider]);

  const sub = useSubscription(
    trpc.signals.live.subscriptionOptions(undefined, {
      // Whatever changed between the server render (or a dropped connection) and this stream starting is caught
      // up by one refetch; from here on the stream is complete.
      onStarted: () => void feed.refetch(),
      onData: ({ kind, signal }) => {
        if (signal.visibility !== "full") return;
        setLive((prev) => [{ signal, kind }, ...prev.filter((x) => x.signal.id !== signal.id)].slice(0, MAX_LIVE));
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
        if (!names.has(signal.providerId)) void feed.refetch();
      },
    }),
  );

  const entries = useMemo<FeedEntry[]>(() => {
    const seen = new Set<string>();
    const out: FeedEntry[] = [];
    for (const { signal, kind } of live) {
      seen.add(signal.id);
      out.push({ signal, provider: names.get(signal.providerId) ?? null, change: CHANGE_LABEL[kind] ?? null });
    }
    for (const item of feed.data ?? []) {
      if (item.visibility !== "full" || seen.has(item.id)) continue;
      out.push({ signal: item, provider: { name: item.providerName, slug: item.providerSlug }, change: null });
    }
    return out;
  }, [live, feed.data, names]);

  const visible = entries.slice(0, Math.max(shown, PAGE + Object.keys(fresh).length));
  const description =
    audience === "provider" ? "Your signals as subscribers see them, updated the moment anything changes." : "Signals from the providers you follow, as they are published and managed.";

  return (
    <Card className="overflow-hidden">
      <CardHeader title="Live signals" description={description} action={<StreamStatus status={sub.status} liveTitle="New signals appear without reloading" />} />
      <div data-testid="live-feed">
        {feed.isError && !feed.data ? (
          <div className="px-5 py-4">
            <Alert tone="error">
              Couldn&apos;t load your feed.{" "}
              <button type="button" className="font-medium underline" onClick={() => void feed.refetch()}>
                Try again
              </button>
            </Alert>
          </div>
        ) : null}
        {/* Always in the DOM so screen readers are already listening when the first signal arrives. */}
        <ul aria-label="Live signals" aria-live="polite" aria-relevant="additions" className="divide-y divide-slate-100">
          {visible.map((e) => (
            <FeedItem key={e.signal.id} entry={e} highlight={Boolean(fresh[e.signal.id])} />
          ))}
        </ul>
        {feed.isPending && !entries.length ? <FeedSkeleton /> : null}
        {!feed.isPending && !entries.length && !(feed.isError && !feed.data) ? (
          <div className="p-5">
            {audience === "provider" ? (
              <EmptyState
                icon={<Icon name="signal" className="size-10" />}
                title="Nothing published in the last 30 days"
                action={<ButtonLink href="/signals">Publish a signal</ButtonLink>}
              >
                Your signals show up here exactly as your subscribers receive them.
              </EmptyState>
            ) : (
              <EmptyState
                icon={<Icon name="store" className="size-10" />}
                title="No signals in your feed yet"
                action={<ButtonLink href="/providers">Browse the marketplace</ButtonLink>}
              >
                Follow a provider with a verified record and their signals arrive here the moment they are published, with entry, stop and
                targets.
              </EmptyState>
            )}
          </div>
        ) : null}
        {entries.length > visible.length ? (
          <div className="border-t border-slate-100 px-5 py-3 text-center">
            <Button variant="ghost" size="sm" onClick={() => setShown((n) => n + PAGE * 2)}>
              Show more ({entries.length - visible.length})
            </Button>
          </div>
        ) : null}
      </div>
    </Card>
  );
}

function FeedItem({ entry, highlight }: { entry: FeedEntry; highlight: boolean }) {
  const { signal: s, provider, change } = entry;
  const tone = resultTone(s.resultPct);
  return (
    <li
      data-testid="feed-item"
      className={cn(
        "relative px-5 py-4 transition-colors duration-1000",
        highlight ? "bg-brand-50" : "bg-white",
        highlight && "before:absolute before:inset-y-0 before:left-0 before:w-1 before:bg-brand-600",
      )}
    >
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1">
        <p className="min-w-0 truncate text-sm">
          {provider ? (
            <Link href={`/providers/${provider.slug}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
              {provider.name}
            </Link>
          ) : (
            <span className="font-medium text-slate-500">A provider you follow</span>
          )}
          <span className="text-slate-400"> · </span>
          <span className="text-slate-500">
            <RelativeTime date={s.publishedAt} />
          </span>
        </p>
        <div className="flex items-center gap-2">
          {change && highlight ? <Badge tone="brand">{change}</Badge> : null}
          <StatusBadge status={s.status} />
        </div>
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <SideBadge side={s.side} />
        <span className="font-mono font-semibold text-slate-900">{s.symbol}</span>
        <span className="font-mono text-xs text-slate-500">#{s.number}</span>
        {s.entryType === "limit" ? <Badge>Limit</Badge> : null}
      </div>
      <div className="mt-3 flex flex-wrap items-end justify-between gap-x-6 gap-y-2">
        <SignalLevels signal={s} />
        {s.status === "open" && s.remaining !== "1" ? <p className="text-xs text-slate-500">{formatShare(s.remaining)} still open</p> : null}
        {s.status === "closed" ? (
          <p className="text-right text-sm">
            <span className={cn("font-mono font-semibold", tone === "up" ? "text-emerald-700" : tone === "down" ? "text-red-700" : "text-slate-700")}>
              {formatReturn(s.resultPct)}
            </span>{" "}
            <span className="text-xs text-slate-500">
              {formatR(s.resultR)} · {exitReasonLabel(s.exitReason)}
            </span>
          </p>
        ) : null}
      </div>
      {s.note ? <p className="mt-2 line-clamp-2 text-sm text-slate-600">{s.note}</p> : null}
    </li>
  );
}

function FeedSkeleton() {
  return (
    <ul aria-hidden="true" className="divide-y divide-slate-100">
      {[0, 1, 2].map((i) => (
        <li key={i} className="animate-pulse space-y-3 px-5 py-4">
          <div className="h-3 w-40 rounded bg-slate-100" />
          <div className="h-4 w-56 rounded bg-slate-100" />
          <div className="h-3 w-72 max-w-full rounded bg-slate-100" />
        </li>
      ))}
    </ul>
  );
}

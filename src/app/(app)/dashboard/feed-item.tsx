import Link from "next/link";
import { Badge } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { ListSkeleton } from "@/components/ui/skeleton";
import { SideBadge, StatusBadge } from "@/components/signals/badges";
import { formatR, formatReturn, formatShare, resultTone } from "@/components/signals/format";
import { SignalLevels } from "@/components/signals/levels";
import { RelativeTime } from "@/components/signals/relative-time";
import { exitReasonLabel } from "@/lib/labels";
import { feedEvent, type FeedEventKind } from "@/lib/feed";
import type { FullSignalView } from "@/server/services/signals/views";

export type ProviderRef = { name: string; slug: string };
export interface FeedRow {
  signal: FullSignalView;
  provider: ProviderRef | null;
  /** What the live stream just said changed, while the row is highlighted. */
  change: string | null;
}

/** The change that places the row in time, as the row's time label says it ("Closed 2 hr. ago"). */
const EVENT_LABEL: Record<FeedEventKind, string> = {
  published: "Published",
  filled: "Filled",
  closed: "Closed",
  cancelled: "Cancelled",
  expired: "Expired",
};

export function FeedItem({ row, highlight }: { row: FeedRow; highlight: boolean }) {
  const { signal: s, provider, change } = row;
  const event = feedEvent(s);
  const tone = resultTone(s.resultPct);
  return (
    <li
      data-testid="feed-item"
      data-signal-id={s.id}
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
            {EVENT_LABEL[event.kind]} <RelativeTime date={event.at} />
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

export function FeedSkeleton() {
  return <ListSkeleton bars={["h-3 w-40", "h-4 w-56", "h-3 w-72 max-w-full"]} />;
}

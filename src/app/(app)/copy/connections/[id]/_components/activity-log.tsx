"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card, CardHeader, EmptyState } from "@/components/ui/card";
import { ListSkeleton } from "@/components/ui/skeleton";
import { LEG_LABEL, ORDER_STATUS_LABEL, ORDER_STATUS_TONE, orderReason } from "@/components/copy/format";
import { Price, Quantity } from "@/components/copy/figures";
import { formatDateTimeSeconds } from "@/lib/format/dates";
import { ACTIVITY_PAGE } from "./constants";
import type { ActivityItem } from "../../_components/types";

const base = (symbol: string) => symbol.split("/")[0] ?? symbol;
const quote = (symbol: string) => symbol.split("/")[1] ?? "";

/** What the engine did on this connection, newest first: fills at the exchange's price and fee, skips and rejections with their reasons. */
export function ActivityLog({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useInfiniteQuery(trpc.exchanges.activity.infiniteQueryOptions({ id, limit: ACTIVITY_PAGE }, { getNextPageParam: (p) => p.nextCursor, refetchInterval: 10_000 }));
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader title="Activity" description="Every order the copy engine planned or placed on this account, and why. Updates live." />
      {q.isError && !q.data ? (
        <div className="p-5">
          <Alert tone="error">Couldn&rsquo;t load the activity. {q.error.message}</Alert>
        </div>
      ) : !q.data ? (
        <div role="status" aria-label="Loading activity">
          <ListSkeleton rows={3} bars={["h-4 w-1/2", "h-3 w-1/3"]} />
        </div>
      ) : rows.length ? (
        <ol className="divide-y divide-slate-100" aria-label="Activity on this connection, newest first" aria-live="polite" data-testid="activity-log">
          {rows.map((o) => (
            <ActivityRow key={o.id} o={o} />
          ))}
        </ol>
      ) : (
        <div className="p-5">
          <EmptyState title="Nothing yet">Orders appear here as soon as the engine plans them: placed, filled with the exchange&rsquo;s price and fee, or skipped and rejected with the reason.</EmptyState>
        </div>
      )}
      {q.hasNextPage ? (
        <div className="border-t border-slate-100 px-5 py-3">
          <Button variant="secondary" size="sm" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
            Load older
          </Button>
        </div>
      ) : null}
    </Card>
  );
}

function ActivityRow({ o }: { o: ActivityItem }) {
  const reason = orderReason(o.reason);
  return (
    <li className="flex flex-col gap-1 px-5 py-3 sm:flex-row sm:items-start sm:justify-between" data-testid="activity-row" data-status={o.status}>
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2 text-sm text-slate-900">
          <Badge tone={ORDER_STATUS_TONE[o.status]}>{ORDER_STATUS_LABEL[o.status]}</Badge>
          <span className="font-medium">
            {LEG_LABEL[o.leg] ?? o.leg} · {o.side === "buy" ? "Buy" : "Sell"} <Quantity value={o.quantity} /> {base(o.symbol)}
          </span>
          <span className="text-slate-500">{o.provider.displayName}</span>
        </p>
        {o.status === "filled" ? (
          <p className="mt-0.5 text-sm text-slate-700" data-testid="activity-fill">
            Filled at <Price value={o.fillPrice} /> {quote(o.symbol)} · fee <span className="tabular-nums">{o.fee}</span> {quote(o.symbol)}
            {o.venueOrderId ? <span className="text-slate-500"> · exchange order {o.venueOrderId}</span> : null}
          </p>
        ) : o.status === "planned" ? (
          <p className="mt-0.5 text-sm text-slate-600">Queued for the exchange{o.requestedPrice ? <> (provider&rsquo;s price <Price value={o.requestedPrice} />)</> : null}.</p>
        ) : null}
        {reason ? (
          <p className={`mt-0.5 text-sm ${o.status === "rejected" ? "text-red-700" : o.status === "skipped" ? "text-amber-800" : "text-slate-600"}`}>{reason.text}</p>
        ) : null}
      </div>
      <time className="shrink-0 text-xs text-slate-500 tabular-nums" dateTime={new Date(o.filledAt ?? o.createdAt).toISOString()}>
        {formatDateTimeSeconds(o.filledAt ?? o.createdAt)}
      </time>
    </li>
  );
}

"use client";

import type { QueryKey } from "@tanstack/react-query";
import { Badge } from "@/components/ui/card";
import { Spinner } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { SideBadge, StatusBadge } from "@/components/signals/badges";
import { formatPrice, formatR, formatReturn, formatShare, resultTone, sourceLabel } from "@/components/signals/format";
import { SignalLevels } from "@/components/signals/levels";
import { RelativeTime } from "@/components/signals/relative-time";
import { exitReasonLabel } from "@/lib/labels";
import type { FullSignalView } from "@/server/services/signals/views";
import { ActionButtons, ActionPanel, useSignalActions } from "./row-actions";

/** One of the provider's signals in their book: its levels and result, and, while it is live, its actions. */
export function SignalRow({
  signal: s,
  precision,
  flash,
  queryKey,
  onDone,
}: {
  signal: FullSignalView;
  precision?: number;
  flash: boolean;
  queryKey: QueryKey;
  onDone: (message: string, rowLeaves: boolean) => void;
}) {
  const actions = useSignalActions({ signal: s, precision, queryKey, onDone });
  const live = s.status === "open" || s.status === "pending";
  const tone = resultTone(s.resultPct);

  return (
    <li
      data-testid="signal-row"
      aria-busy={actions.busy || undefined}
      className={cn("px-5 py-4 transition-colors duration-1000", flash ? "bg-brand-50" : "bg-white", actions.busy && "opacity-75")}
    >
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <span className="font-mono text-sm text-slate-500">#{s.number}</span>
          <span className="font-mono font-semibold text-slate-900">{s.symbol}</span>
          <SideBadge side={s.side} />
          <StatusBadge status={s.status} />
          {s.entryType === "limit" ? <Badge>Limit</Badge> : null}
          {actions.pendingLabel ? (
            <span className="inline-flex items-center gap-1.5 text-xs font-medium text-slate-600">
              <Spinner className="size-3" /> {actions.pendingLabel}
            </span>
          ) : null}
        </div>
        <p className="text-xs text-slate-500">
          {live ? "Published " : s.closedAt ? `${s.status === "closed" ? "Closed" : s.status === "cancelled" ? "Cancelled" : "Expired"} ` : ""}
          <RelativeTime date={live || !s.closedAt ? s.publishedAt : s.closedAt} /> · {sourceLabel(s.source)}
        </p>
      </div>

      <div className="mt-3 flex flex-wrap items-end justify-between gap-x-6 gap-y-3">
        <SignalLevels signal={s} precision={precision} />
        {live ? (
          s.status === "open" && s.remaining !== "1" ? (
            <p className="text-xs text-slate-500">
              <span className="font-mono text-sm text-slate-900">{formatShare(s.remaining)}</span> still open
            </p>
          ) : null
        ) : (
          <div className="text-right">
            {s.status === "closed" ? (
              <p className={cn("font-mono text-lg font-semibold tabular-nums", tone === "up" ? "text-emerald-700" : tone === "down" ? "text-red-700" : "text-slate-700")}>
                {formatReturn(s.resultPct)}
              </p>
            ) : null}
            <p className="text-xs text-slate-500">
              {s.status === "closed" ? (
                <>
                  {formatR(s.resultR)} · exit <span className="[&_input]:font-mono [&_input::placeholder]:font-sans">{formatPrice(s.exitPrice, precision)}</span> · {exitReasonLabel(s.exitReason)}
                </>
              ) : s.status === "cancelled" ? (
                "Cancelled before it filled; not a trade"
              ) : (
                "Expired before it filled; not a trade"
              )}
            </p>
          </div>
        )}
      </div>
      {s.note ? <p className="mt-2 line-clamp-2 text-sm text-slate-600">{s.note}</p> : null}

      {live ? <ActionButtons signal={s} actions={actions} /> : null}
      <ActionPanel signal={s} actions={actions} />
      {actions.error ? (
        <p className="mt-2 text-sm text-red-700" role="alert">
          {actions.error}
        </p>
      ) : null}
    </li>
  );
}

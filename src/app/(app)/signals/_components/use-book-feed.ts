"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { formatReturn, formatShare } from "@/components/signals/format";
import type { FullSignalView } from "@/server/services/signals/views";

function describeKind(kind: string, s: FullSignalView): string {
  switch (kind) {
    case "published":
      return s.status === "pending" ? "limit entry is pending" : "now open";
    case "filled":
      return `limit entry filled at ${s.fillPrice ?? s.entryPrice}`;
    case "stop_moved":
      return `stop moved to ${s.stopLoss}`;
    case "partial_close":
      return `partly closed, ${formatShare(s.remaining)} still open`;
    case "closed":
      return `closed at ${s.exitPrice ?? "market"} (${formatReturn(s.resultPct)})`;
    case "cancelled":
      return "cancelled";
    case "expired":
      return "expired without filling";
    default:
      return kind.replace(/_/g, " ");
  }
}

/**
 * The live stream of the provider's own feed, wired to the signal book: each change of one of their signals refreshes
 * the book, flashes the row for a few seconds and is announced to screen readers.
 */
export function useBookFeed(providerId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [flash, setFlash] = useState<Record<string, number>>({});
  const [announcement, setAnnouncement] = useState("");

  const markChanged = (id: string, message: string) => {
    setFlash((f) => ({ ...f, [id]: (f[id] ?? 0) + 1 }));
    setAnnouncement(message);
    window.setTimeout(() => {
      setFlash((f) => {
        const next = { ...f };
        delete next[id];
        return next;
      });
    }, 4000);
  };

  const sub = useSubscription(
    trpc.signals.live.subscriptionOptions(undefined, {
      // Catches up on changes made before the stream (re)connected, e.g. by the price monitor.
      onStarted: () => void queryClient.invalidateQueries({ queryKey: trpc.signals.mine.pathKey() }),
      onData: ({ kind, signal }) => {
        if (signal.providerId !== providerId || signal.visibility !== "full") return;
        markChanged(signal.id, `Signal #${signal.number} ${signal.symbol}: ${describeKind(kind, signal)}`);
        void queryClient.invalidateQueries({ queryKey: trpc.signals.mine.pathKey() });
      },
    }),
  );

  return { status: sub.status, flash, announcement };
}

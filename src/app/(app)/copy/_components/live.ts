"use client";

import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/trpc/react";

/** The journal's pages and how often they are re-read while the page is visible (TanStack pauses it when hidden). */
export const OPEN_POSITIONS = { status: "open" as const, limit: 50 };
export const CLOSED_POSITIONS = { status: "closed" as const, limit: 20 };
export const ORDERS_PAGE = 25;
export const REFRESH_MS = 5_000;
/** A signal event reaches the copies through the fan-out job a moment later: read again after this too. */
const FANOUT_LAG_MS = 1_500;

/** Re-reads the copy queries (failing exits among them) and the connections' reads that show the same orders and positions (the control centre, its discrepancies). */
function invalidateCopyReads(queryClient: QueryClient, trpc: ReturnType<typeof useTRPC>) {
  void queryClient.invalidateQueries(trpc.copy.pathFilter());
  for (const q of [trpc.exchanges.list, trpc.exchanges.overview, trpc.exchanges.activity, trpc.exchanges.discrepancies]) void queryClient.invalidateQueries(q.pathFilter());
}

/**
 * Keeps the copy page (and a connection's control centre) current without a reload. `copy.live` ticks whenever this user's positions or orders change
 * (a fill, an exit, a close, a reset) and every copy query is re-read at once. The signal stream (`signals.live`)
 * is the fallback: a change to a followed provider's signal re-reads now and again after the fan-out's usual lag.
 * On top, the queries re-read every REFRESH_MS while the page is visible (marks move without a fill).
 * Returns the copy stream's state for the "Live" dot.
 */
export function useCopyLive() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  /** Counts signal events; each one (re)starts the follow-up read after the fan-out's lag. */
  const [signalEvents, setSignalEvents] = useState(0);
  const invalidate = () => invalidateCopyReads(queryClient, trpc);
  useEffect(() => {
    if (!signalEvents) return;
    const t = window.setTimeout(() => invalidateCopyReads(queryClient, trpc), FANOUT_LAG_MS);
    return () => window.clearTimeout(t);
  }, [signalEvents, queryClient, trpc]);
  useSubscription(
    trpc.signals.live.subscriptionOptions(undefined, {
      onData: () => {
        invalidate();
        setSignalEvents((n) => n + 1);
      },
    }),
  );
  return useSubscription(
    trpc.copy.live.subscriptionOptions(undefined, {
      // Whatever changed before the stream started (or while it was reconnecting) is caught up by one read.
      onStarted: invalidate,
      onData: invalidate,
    }),
  );
}

"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { Alert, Card, CardHeader, EmptyState } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ListSkeleton } from "@/components/ui/skeleton";
import { Icon } from "@/components/shell/icons";
import { StreamStatus } from "@/components/signals/stream-status";
import type { SymbolInfo } from "@/lib/market-data/types";
import type { MineData } from "./book-types";
import { SignalRow } from "./signal-row";
import { useBookFeed } from "./use-book-feed";

const BOOK_PAGE_SIZE = 10;

type Tab = "live" | "done";

function BookSkeleton() {
  return <ListSkeleton bars={["h-4 w-48", "h-3 w-72 max-w-full"]} />;
}

/** The provider's own signals, Live and History, kept current by the live stream of their own feed. */
export function SignalBook({ providerId, symbols }: { providerId: string; symbols: SymbolInfo[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tab, setTab] = useState<Tab>("live");
  const [pages, setPages] = useState<Record<Tab, number>>({ live: 1, done: 1 });
  const [notice, setNotice] = useState<{ text: string; focus: boolean } | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const tabIds = { live: useId(), done: useId() };
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ live: null, done: null });
  const feed = useBookFeed(providerId);

  const precision = useMemo(() => new Map(symbols.map((s) => [s.symbol, s.pricePrecision])), [symbols]);
  const liveInput = { status: "live" as const, page: pages.live, pageSize: BOOK_PAGE_SIZE };
  const doneInput = { status: "done" as const, page: pages.done, pageSize: BOOK_PAGE_SIZE };
  const live = useQuery({ ...trpc.signals.mine.queryOptions(liveInput), placeholderData: keepPreviousData });
  const done = useQuery({ ...trpc.signals.mine.queryOptions(doneInput), placeholderData: keepPreviousData, enabled: tab === "done" });
  const current = tab === "live" ? live : done;

  // A closed or cancelled row leaves the list, taking focus with it: the confirmation takes focus instead.
  useEffect(() => {
    if (notice?.focus) noticeRef.current?.focus();
  }, [notice]);

  const onActionDone = (message: string, rowLeaves: boolean) => {
    setNotice({ text: message, focus: rowLeaves });
    void queryClient.invalidateQueries({ queryKey: trpc.signals.mine.pathKey() });
  };

  const selectTab = (t: Tab, focus = false) => {
    setTab(t);
    setNotice(null);
    if (focus) tabRefs.current[t]?.focus();
  };

  const data = current.data as MineData | undefined;
  const totalPages = data ? Math.max(1, Math.ceil(data.total / BOOK_PAGE_SIZE)) : 1;
  // Closing the last signal of the last page leaves that page empty: step back to the new last page.
  const overshoot = data && !current.isPlaceholderData && !data.items.length && data.page > totalPages;
  // (Adjusting state while rendering, the pattern React documents for state derived from new data.)
  if (overshoot && pages[tab] !== totalPages) setPages((p) => ({ ...p, [tab]: totalPages }));
  const count = (q: typeof live) => (q.data ? ` (${(q.data as MineData).total})` : "");

  return (
    <Card className="overflow-hidden">
      <CardHeader
        title="Your signals"
        description="Open and pending signals update by themselves as the market reaches their levels."
        action={<StreamStatus status={feed.status} liveTitle="Receiving changes as they happen" />}
      />
      <div className="border-b border-slate-100 px-5">
        <div role="tablist" aria-label="Signal book" className="-mb-px flex gap-6">
          {(["live", "done"] as const).map((t) => (
            <button
              key={t}
              ref={(el) => {
                tabRefs.current[t] = el;
              }}
              id={`${tabIds[t]}-tab`}
              type="button"
              role="tab"
              aria-selected={tab === t}
              aria-controls={`${tabIds[t]}-panel`}
              tabIndex={tab === t ? 0 : -1}
              onClick={() => selectTab(t)}
              onKeyDown={(e) => {
                if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                  e.preventDefault();
                  selectTab(t === "live" ? "done" : "live", true);
                }
              }}
              className={cn(
                "border-b-2 py-3 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600",
                tab === t ? "border-brand-700 text-brand-800" : "border-transparent text-slate-500 hover:text-slate-800",
              )}
            >
              {t === "live" ? `Live${count(live)}` : `History${count(done)}`}
            </button>
          ))}
        </div>
      </div>
      <div id={`${tabIds[tab]}-panel`} role="tabpanel" aria-labelledby={`${tabIds[tab]}-tab`} aria-busy={current.isFetching || undefined}>
        <p className="sr-only" aria-live="polite">
          {feed.announcement}
        </p>
        {notice ? (
          <div ref={noticeRef} tabIndex={-1} className="px-5 pt-4 outline-none">
            <Alert tone="success" className="flex items-center justify-between gap-3">
              <span>{notice.text}</span>
              <Button type="button" variant="ghost" size="sm" onClick={() => setNotice(null)}>
                Dismiss
              </Button>
            </Alert>
          </div>
        ) : null}
        {current.isPending ? (
          <BookSkeleton />
        ) : current.isError && !data ? (
          <div className="p-5">
            <Alert tone="error">
              Couldn&apos;t load your signals: {current.error.message}{" "}
              <button type="button" className="font-medium underline" onClick={() => void current.refetch()}>
                Try again
              </button>
            </Alert>
          </div>
        ) : !data?.items.length ? (
          <div className="p-5">
            {tab === "live" ? (
              <EmptyState icon={<Icon name="signal" className="size-10" />} title="No live signals">
                Signals you publish appear here while they are pending or open, with their stop, targets and actions.
              </EmptyState>
            ) : (
              <EmptyState icon={<Icon name="list" className="size-10" />} title="No closed signals yet">
                Closed, cancelled and expired signals land here with their verified results.
              </EmptyState>
            )}
          </div>
        ) : (
          <>
            <ul className={cn("divide-y divide-slate-100 transition-opacity", current.isPlaceholderData && "opacity-60")}>
              {data.items.map((s) =>
                s.visibility === "full" ? (
                  <SignalRow
                    key={s.id}
                    signal={s}
                    precision={precision.get(s.symbol)}
                    flash={Boolean(feed.flash[s.id])}
                    queryKey={trpc.signals.mine.queryKey(tab === "live" ? liveInput : doneInput)}
                    onDone={onActionDone}
                  />
                ) : null,
              )}
            </ul>
            {totalPages > 1 ? (
              <nav aria-label={`${tab === "live" ? "Live" : "History"} pages`} className="flex items-center justify-between gap-4 border-t border-slate-100 px-5 py-3">
                <Button variant="secondary" size="sm" disabled={data.page <= 1} onClick={() => setPages((p) => ({ ...p, [tab]: p[tab] - 1 }))}>
                  <span aria-hidden="true">←</span> Newer
                </Button>
                <p className="text-sm text-slate-600">
                  Page <span className="font-medium text-slate-900">{data.page}</span> of <span className="font-medium text-slate-900">{totalPages}</span>
                </p>
                <Button variant="secondary" size="sm" disabled={data.page >= totalPages} onClick={() => setPages((p) => ({ ...p, [tab]: p[tab] + 1 }))}>
                  Older <span aria-hidden="true">→</span>
                </Button>
              </nav>
            ) : null}
          </>
        )}
      </div>
    </Card>
  );
}

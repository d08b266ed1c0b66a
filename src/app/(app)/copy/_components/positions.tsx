"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import Decimal from "decimal.js";
import Link from "next/link";
import { useId, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button, ButtonLink } from "@/components/ui/button";
import { Alert, Card, CardHeader, EmptyState } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/sonner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { percent, toneClass, utcStamp } from "@/components/track-record/format";
import { FigureText, SideLabel } from "@/components/track-record/signal-history";
import { exact, signedMoney } from "@/components/copy/format";
import { Price, Quantity, StackedDetails } from "@/components/copy/figures";
import { CLOSED_POSITIONS, OPEN_POSITIONS, REFRESH_MS } from "./live";
import type { PositionItem } from "./types";

type Tab = "open" | "closed";

/** Open copies with their P&L at the mark (re-read live) and closed copies with their result next to the signal's. */
export function PositionsCard({ hasFollowings }: { hasFollowings: boolean }) {
  const trpc = useTRPC();
  const [tab, setTab] = useState<Tab>("open");
  const ids = { open: useId(), closed: useId(), panel: useId() };
  const open = useInfiniteQuery(trpc.copy.positions.infiniteQueryOptions(OPEN_POSITIONS, { getNextPageParam: (p) => p.nextCursor, refetchInterval: REFRESH_MS }));
  const closed = useInfiniteQuery(
    trpc.copy.positions.infiniteQueryOptions(CLOSED_POSITIONS, { getNextPageParam: (p) => p.nextCursor, refetchInterval: tab === "closed" ? REFRESH_MS : false }),
  );
  const q = tab === "open" ? open : closed;
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  const openCount = open.data?.pages.flatMap((p) => p.items).length;

  return (
    <Card>
      <CardHeader
        title="Positions"
        description="Each copy is kept per provider, so two providers' signals on one symbol are two positions. Prices and P&L in USDT."
      />
      <div role="tablist" aria-label="Positions" className="flex gap-1 border-b border-slate-100 px-5">
        {(["open", "closed"] as const).map((t) => (
          <button
            key={t}
            id={ids[t]}
            role="tab"
            type="button"
            aria-selected={tab === t}
            aria-controls={ids.panel}
            onClick={() => setTab(t)}
            className={cn(
              "-mb-px border-b-2 px-3 py-2.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-brand-600",
              tab === t ? "border-brand-700 text-brand-800" : "border-transparent text-slate-600 hover:text-slate-900",
            )}
          >
            {t === "open" ? `Open${openCount !== undefined ? ` (${openCount}${open.hasNextPage ? "+" : ""})` : ""}` : "Closed"}
          </button>
        ))}
      </div>
      <div id={ids.panel} role="tabpanel" aria-labelledby={ids[tab]} data-testid={`positions-${tab}`}>
        {q.isError && !q.data ? (
          <div className="p-5">
            <Alert tone="error">Couldn&rsquo;t load your positions. {q.error.message}</Alert>
          </div>
        ) : !q.data ? (
          <div className="m-5 h-24 animate-pulse rounded bg-slate-50" role="status" aria-label="Loading positions" />
        ) : !rows.length ? (
          <div className="p-5">
            {tab === "open" ? (
              <EmptyState
                title="No open copies"
                action={hasFollowings ? null : <ButtonLink href="/providers">Find a provider to copy</ButtonLink>}
              >
                {hasFollowings
                  ? "When a provider you copy publishes a signal, its copy opens here within a second or two, sized by your settings, and its P&L moves with the market."
                  : "Copies open here once you follow a provider and turn copying on."}
              </EmptyState>
            ) : (
              <EmptyState title="No closed copies yet">
                A copy closes when its signal hits the stop or a target, when the provider closes it, or when you close it here. Its result then sits next to
                the signal&rsquo;s published one.
              </EmptyState>
            )}
          </div>
        ) : tab === "open" ? (
          <OpenTable rows={rows} />
        ) : (
          <ClosedTable rows={rows} />
        )}
        {q.hasNextPage ? (
          <div className="border-t border-slate-100 px-5 py-3">
            <Button variant="secondary" size="sm" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
              Load more
            </Button>
          </div>
        ) : null}
      </div>
    </Card>
  );
}

const Provider = ({ p }: { p: PositionItem["provider"] }) => (
  <Link href={`/providers/${p.slug}`} className="text-slate-600 hover:text-brand-700 hover:underline">
    {p.displayName}
  </Link>
);

function OpenTable({ rows }: { rows: PositionItem[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const { confirm, confirmDialog } = useConfirm();
  const close = useMutation(
    trpc.copy.closePosition.mutationOptions({
      onSuccess: () => {
        toast.success("Position closed at market.");
        void queryClient.invalidateQueries(trpc.copy.pathFilter());
      },
      onError: (err) => toast.error(err.message),
    }),
  );
  const onClose = async (p: PositionItem) => {
    const ok = await confirm({
      title: `Close your ${p.symbol} ${p.side} copy of ${p.provider.displayName}?`,
      description: `${exact(p.quantity)} ${base(p.symbol)} is sold${p.side === "short" ? " back" : ""} at the market price now. The provider's signal stays open; this copy stops following it.`,
      confirmLabel: "Close position",
      destructive: true,
    });
    if (ok) close.mutate({ positionId: p.id });
  };
  const closeButton = (p: PositionItem) => (
    <Button
      variant="secondary"
      size="sm"
      onClick={() => void onClose(p)}
      loading={close.isPending && close.variables?.positionId === p.id}
      disabled={!hydrated}
      aria-label={`Close ${p.symbol} ${p.side} copy of ${p.provider.displayName}`}
    >
      Close
    </Button>
  );
  return (
    <>
      {confirmDialog}
      <Table containerProps={{ role: "region", "aria-label": "Open positions", tabIndex: 0 }}>
        <TableCaption className="sr-only">Open copy positions with live P&amp;L at the mark price</TableCaption>
        <TableHeader className="bg-transparent">
          <TableRow>
            <TableHead className="px-3 sm:px-4">Position · provider</TableHead>
            <TableHead className="hidden px-3 text-right md:table-cell">Entry</TableHead>
            <TableHead className="hidden px-3 text-right md:table-cell">Mark</TableHead>
            <TableHead className="px-3 text-right">Open P&amp;L</TableHead>
            <TableHead className="hidden px-3 text-right md:table-cell">Stop</TableHead>
            <TableHead className="hidden px-3 lg:table-cell">Opened (UTC)</TableHead>
            <TableHead className="hidden px-3 sm:px-4 md:table-cell">
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((p) => {
            const pnl = signedMoney(p.unrealizedPnl);
            const cost = new Decimal(p.avgEntry).times(p.quantity);
            const pnlPct = p.unrealizedPnl && cost.gt(0) ? new Decimal(p.unrealizedPnl).div(cost).toString() : null;
            return (
              <TableRow key={p.id} data-testid="open-position">
                <TableHead scope="row" className="px-3 font-medium whitespace-nowrap text-slate-900 normal-case sm:px-4">
                  <span className="text-sm tracking-normal">{p.symbol}</span>
                  <SideLabel side={p.side} />
                  <span className="block text-xs font-normal tracking-normal text-slate-700">
                    <Quantity value={p.quantity} /> {base(p.symbol)}
                  </span>
                  <span className="block text-xs font-normal tracking-normal">
                    <Provider p={p.provider} />
                  </span>
                  <span className="hidden text-xs font-normal tracking-normal text-slate-500 md:block lg:hidden">{utcStamp(p.openedAt)} UTC</span>
                  <StackedDetails
                    items={[
                      { label: "Entry", value: <Price value={p.avgEntry} /> },
                      { label: "Mark", value: <Price value={p.markPrice} /> },
                      { label: "Stop", value: <Price value={p.stopLoss} /> },
                      { label: "Opened", value: `${utcStamp(p.openedAt)} UTC` },
                    ]}
                  />
                </TableHead>
                <TableCell className="hidden px-3 text-right md:table-cell">
                  <Price value={p.avgEntry} />
                </TableCell>
                <TableCell className="hidden px-3 text-right md:table-cell">
                  <Price value={p.markPrice} />
                </TableCell>
                <TableCell className={cn("px-3 text-right align-top font-medium whitespace-nowrap tabular-nums md:align-middle", toneClass[pnl.tone])}>
                  {pnl.text}
                  {pnlPct ? <span className="block text-xs font-normal">{percent(pnlPct).text}</span> : null}
                  {/* Phones: the action sits under the P&L rather than in a column of its own. */}
                  <span className="mt-2 block md:hidden">{closeButton(p)}</span>
                </TableCell>
                <TableCell className="hidden px-3 text-right md:table-cell">
                  <Price value={p.stopLoss} />
                </TableCell>
                <TableCell className="hidden px-3 whitespace-nowrap text-slate-600 tabular-nums lg:table-cell">{utcStamp(p.openedAt)}</TableCell>
                <TableCell className="hidden px-3 text-right sm:px-4 md:table-cell">{closeButton(p)}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </>
  );
}

function ClosedTable({ rows }: { rows: PositionItem[] }) {
  return (
    <Table containerProps={{ role: "region", "aria-label": "Closed positions", tabIndex: 0 }}>
      <TableCaption className="sr-only">Closed copy positions with their result after fees and the signal&rsquo;s published result</TableCaption>
      <TableHeader className="bg-transparent">
        <TableRow>
          <TableHead className="px-3 sm:px-4">Position · provider</TableHead>
          <TableHead className="hidden px-3 text-right md:table-cell">Entry → exit</TableHead>
          <TableHead className="px-3 text-right">Net P&amp;L</TableHead>
          <TableHead className="hidden px-3 text-right md:table-cell">
            Your return
            <span className="block font-normal normal-case">signal&rsquo;s</span>
          </TableHead>
          <TableHead className="hidden px-3 sm:px-4 md:table-cell">Closed (UTC)</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((p) => {
          const net = signedMoney(new Decimal(p.realizedPnl).minus(p.fees).toString());
          const closedAt = p.closedAt ? utcStamp(p.closedAt) : "—";
          return (
            <TableRow key={p.id} data-testid="closed-position">
              <TableHead scope="row" className="px-3 font-medium whitespace-nowrap text-slate-900 normal-case sm:px-4">
                <span className="text-sm tracking-normal">{p.symbol}</span>
                <SideLabel side={p.side} />
                <span className="block text-xs font-normal tracking-normal text-slate-700">
                  <Quantity value={p.initialQuantity} /> {base(p.symbol)}
                </span>
                <span className="block text-xs font-normal tracking-normal">
                  <Provider p={p.provider} />
                </span>
                <StackedDetails
                  items={[
                    { label: "Entry", value: <Price value={p.avgEntry} /> },
                    { label: "Exit", value: <Price value={p.avgExit} /> },
                    { label: "Closed", value: `${closedAt}${p.closedAt ? " UTC" : ""}` },
                  ]}
                />
              </TableHead>
              <TableCell className="hidden px-3 text-right whitespace-nowrap md:table-cell">
                <Price value={p.avgEntry} />
                <span className="block text-xs text-slate-500">
                  → <Price value={p.avgExit} className="text-slate-700" />
                </span>
              </TableCell>
              <TableCell className={cn("px-3 text-right align-top font-medium whitespace-nowrap tabular-nums md:align-middle", toneClass[net.tone])}>
                {net.text}
                <span className="block text-xs font-normal md:hidden">
                  <FigureText figure={percent(p.returnPct)} />
                </span>
                <span className="block text-xs font-normal text-slate-500 md:hidden">
                  signal&rsquo;s <FigureText figure={percent(p.signalResultPct)} />
                </span>
              </TableCell>
              <TableCell className="hidden px-3 text-right whitespace-nowrap md:table-cell">
                <FigureText figure={percent(p.returnPct)} />
                <span className="block text-xs text-slate-500">
                  <FigureText figure={percent(p.signalResultPct)} />
                </span>
              </TableCell>
              <TableCell className="hidden px-3 whitespace-nowrap text-slate-600 tabular-nums sm:px-4 md:table-cell">{closedAt}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** "BTC/USDT" → "BTC"; a stock ticker stays itself. */
const base = (symbol: string) => symbol.split("/")[0] ?? symbol;

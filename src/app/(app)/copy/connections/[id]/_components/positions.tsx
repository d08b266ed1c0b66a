"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Decimal from "decimal.js";
import { useTRPC } from "@/trpc/react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, EmptyState } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/sonner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { percent, toneClass, utcStamp } from "@/components/track-record/format";
import { SideLabel } from "@/components/track-record/signal-history";
import { exact, signedMoney } from "@/components/copy/format";
import { Price, Quantity } from "@/components/copy/figures";
import type { OverviewData } from "../../_components/types";

type Position = OverviewData["positions"][number];
const base = (symbol: string) => symbol.split("/")[0] ?? symbol;

/** Copies open on this connection, with a close button each (a closing order the connection places at market). */
export function ConnectionPositions({ positions }: { positions: Position[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const { confirm, confirmDialog } = useConfirm();
  const close = useMutation(
    trpc.copy.closePosition.mutationOptions({
      onSuccess: () => {
        toast.success("Closing order sent to the exchange.");
        void queryClient.invalidateQueries(trpc.exchanges.pathFilter());
        void queryClient.invalidateQueries(trpc.copy.pathFilter());
      },
      onError: (err) => toast.error(err.message),
    }),
  );
  const onClose = async (p: Position) => {
    const ok = await confirm({
      title: `Close your ${p.symbol} ${p.side} copy of ${p.provider.displayName}?`,
      description: `A market order for ${exact(p.quantity)} ${base(p.symbol)} goes to the exchange now. The provider's signal stays open; this copy stops following it.`,
      confirmLabel: "Close position",
      destructive: true,
    });
    if (ok) close.mutate({ positionId: p.id });
  };

  return (
    <Card>
      {confirmDialog}
      <CardHeader title="Open positions" description="Copies open on this account, at the exchange's fill prices. P&L in the quote currency." />
      {positions.length ? (
        <Table containerProps={{ role: "region", "aria-label": "Open positions on this connection", tabIndex: 0 }}>
          <TableCaption className="sr-only">Copies open on this connection</TableCaption>
          <TableHeader className="bg-transparent">
            <TableRow>
              <TableHead className="px-3 sm:px-4">Position · provider</TableHead>
              <TableHead className="px-3 text-right">Open P&amp;L</TableHead>
              <TableHead className="px-3 sm:px-4">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {positions.map((p) => {
              const pnl = signedMoney(p.unrealizedPnl);
              const cost = new Decimal(p.avgEntry).times(p.quantity);
              return (
                <TableRow key={p.id} data-testid="connection-position">
                  <TableHead scope="row" className="px-3 font-medium whitespace-nowrap text-slate-900 normal-case sm:px-4">
                    <span className="text-sm tracking-normal">{p.symbol}</span>
                    <SideLabel side={p.side} />
                    <span className="block text-xs font-normal tracking-normal text-slate-700">
                      <Quantity value={p.quantity} /> {base(p.symbol)} · {p.provider.displayName}
                    </span>
                    {/* Entry and mark under the position: the control centre's column is narrow beside the followings. */}
                    <span className="block text-xs font-normal tracking-normal text-slate-700">
                      entry <Price value={p.avgEntry} /> · mark <Price value={p.markPrice} />
                    </span>
                    <span className="block text-xs font-normal tracking-normal text-slate-500">opened {utcStamp(p.openedAt)} UTC</span>
                  </TableHead>
                  <TableCell className={cn("px-3 text-right font-medium whitespace-nowrap tabular-nums", toneClass[pnl.tone])}>
                    {pnl.text}
                    {cost.gt(0) ? <span className="block text-xs font-normal">{percent(new Decimal(p.unrealizedPnl).div(cost).toString()).text}</span> : null}
                  </TableCell>
                  <TableCell className="px-3 text-right sm:px-4">
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
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      ) : (
        <div className="p-5">
          <EmptyState title="No copies open here">A copy opens here when a provider you copy to this account publishes a signal; it shows within seconds.</EmptyState>
        </div>
      )}
    </Card>
  );
}

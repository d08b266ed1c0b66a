"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { useConfirm, type ConfirmOptions } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { toast } from "@/components/ui/sonner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { exact } from "@/components/copy/format";
import { formatDateTime } from "@/lib/format/dates";
import { DISCREPANCY_KIND, resolutionText } from "../../_components/discrepancy-labels";
import type { DiscrepancyItem } from "../../_components/types";

/** Resolved findings shown under the open ones (collapsed): the most recent few are enough to see what happened. */
const RECENT_RESOLVED = 10;

const amount = (d: DiscrepancyItem) => (d.quantity && d.asset ? `${exact(d.quantity)} ${d.asset}` : d.asset ?? d.symbol ?? "it");

/** What the one-click close does for this kind, said before it is done (services/exchanges/reconcile.ts closeOrphan). */
function closeDialog(d: DiscrepancyItem, exchange: string): ConfirmOptions {
  switch (d.kind) {
    case "orphan_ledger":
      return {
        title: `Close your ${d.symbol ?? ""} copy in Tradsy only?`,
        description: `${exchange} no longer holds this copy, so no order is sent: the copy is closed in your ledger, with nothing to sell.`,
        confirmLabel: "Close in Tradsy",
      };
    case "dust":
      return {
        title: `Close the ${d.symbol ?? ""} dust in Tradsy only?`,
        description: `${amount(d)} is below ${exchange}'s minimum order, so it cannot be sold. The copy is closed in your ledger without an order; the ${d.asset ?? "coins"} stay on your exchange account.`,
        confirmLabel: "Close in Tradsy",
      };
    default:
      return {
        title: `Sell ${amount(d)} on ${exchange}?`,
        description: `A market sell order goes to ${exchange} now for what Tradsy's orders bought there that no open copy accounts for. Tradsy records it as a copy and the sale in your ledger; this finding clears once reconciliation sees the sale.`,
        confirmLabel: "Send sell order",
        destructive: true,
      };
  }
}

/**
 * Where the exchange and Tradsy's ledger disagree on this connection (reconciliation, every few minutes and on
 * demand): open findings with their one-click close, a "Reconcile now" button, and the recently resolved ones
 * collapsed. Kept current by the copy stream: a reconciliation run notifies the follower's feed (useCopyLive).
 */
export function ConnectionDiscrepancies({ id, exchange, lastReconciledAt, canReconcile }: { id: string; exchange: string; lastReconciledAt: Date | null; canReconcile: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const { confirm, confirmDialog } = useConfirm();
  /** When "Reconcile now" was asked, and the last run then: a later run answers the request. */
  const [requested, setRequested] = useState<{ at: Date; before: number | null } | null>(null);
  const list = useQuery(trpc.exchanges.discrepancies.queryOptions({ id }, { refetchInterval: 30_000 }));
  const refresh = () => {
    void queryClient.invalidateQueries(trpc.exchanges.pathFilter());
    void queryClient.invalidateQueries(trpc.copy.pathFilter());
  };
  const reconcile = useMutation(
    trpc.exchanges.reconcileNow.mutationOptions({
      onSuccess: () => setRequested({ at: new Date(), before: lastReconciledAt?.getTime() ?? null }),
      onError: (err) => toast.error(err.message),
    }),
  );
  const close = useMutation(
    trpc.exchanges.closeOrphan.mutationOptions({
      onSuccess: (r) => {
        toast.success(r.status === "closed" ? "Closed in your ledger." : "Sell order planned: it goes to the exchange now.");
        refresh();
      },
      onError: (err) => {
        toast.error(err.message);
        refresh();
      },
    }),
  );
  const onClose = async (d: DiscrepancyItem) => {
    if (await confirm(closeDialog(d, exchange))) close.mutate({ discrepancyId: d.id });
  };

  const all = list.data ?? [];
  const open = all.filter((d) => d.status === "open");
  const resolved = all.filter((d) => d.status === "resolved").slice(0, RECENT_RESOLVED);
  // The run asked for moves last_reconciled_at (the overview re-reads it live): the request is then answered.
  const answered = requested && lastReconciledAt && lastReconciledAt.getTime() !== requested.before;

  return (
    <section aria-labelledby="discrepancies-title" data-testid="discrepancies">
      {confirmDialog}
      <Card>
        <CardHeader
          title={<span id="discrepancies-title">Discrepancies</span>}
          description={`Where ${exchange} and Tradsy's records disagree: missed fills, unknown orders, orphan positions.`}
          action={
            canReconcile ? (
              <Button variant="secondary" size="sm" onClick={() => reconcile.mutate({ id })} loading={reconcile.isPending} disabled={!hydrated}>
                Reconcile now
              </Button>
            ) : null
          }
        />
        <CardBody className="space-y-4">
          <p role="status" className="text-xs text-slate-600 empty:hidden">
            {answered ? `Reconciled at ${formatDateTime(lastReconciledAt)}.` : requested ? `Reconciliation requested at ${formatDateTime(requested.at)}; what it finds shows here when it finishes.` : ""}
          </p>
          {list.isError && !list.data ? (
            <Alert tone="error">Couldn&rsquo;t load the discrepancies. {list.error.message}</Alert>
          ) : !list.data ? (
            <div className="h-16 animate-pulse rounded-md bg-slate-50" role="status" aria-label="Loading discrepancies" />
          ) : open.length ? (
            <ul className="divide-y divide-slate-100 rounded-md border border-slate-200" aria-label="Open discrepancies">
              {open.map((d) => (
                <li key={d.id} className="space-y-2 px-4 py-3 text-sm" data-testid="discrepancy">
                  <div className="flex flex-wrap items-center gap-2">
                    <Badge tone={d.kind === "dust" ? "slate" : "amber"}>{DISCREPANCY_KIND[d.kind]}</Badge>
                    {d.symbol ? <span className="font-medium text-slate-900">{d.symbol}</span> : null}
                  </div>
                  <p className="break-words text-slate-700">{d.detail}</p>
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <span className="text-xs text-slate-500">Found {formatDateTime(d.foundAt)}</span>
                    {d.closing ? (
                      <span className="text-xs font-medium text-slate-600">Selling on the exchange…</span>
                    ) : d.closable ? (
                      <Button
                        variant="secondary"
                        size="sm"
                        onClick={() => void onClose(d)}
                        loading={close.isPending && close.variables?.discrepancyId === d.id}
                        disabled={!hydrated}
                        aria-label={`Close: ${DISCREPANCY_KIND[d.kind]}${d.symbol ? ` ${d.symbol}` : ""}`}
                      >
                        Close
                      </Button>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <div className="rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-900" data-testid="discrepancies-empty">
              <p className="font-medium">Tradsy and {exchange} agree.</p>
              <p className="mt-0.5 text-xs">
                {lastReconciledAt ? `Last reconciled ${formatDateTime(lastReconciledAt)}.` : "Not reconciled yet: it runs every few minutes, or now with the button."}
              </p>
            </div>
          )}
          {open.length && lastReconciledAt ? <p className="text-xs text-slate-500">Last reconciled {formatDateTime(lastReconciledAt)}.</p> : null}
          {resolved.length ? (
            <details className="group rounded-md border border-slate-200">
              <summary className="cursor-pointer px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50">Recently resolved ({resolved.length})</summary>
              <ul className="divide-y divide-slate-100 border-t border-slate-200" aria-label="Recently resolved discrepancies">
                {resolved.map((d) => (
                  <li key={d.id} className="space-y-1 px-4 py-3 text-sm">
                    <div className="flex flex-wrap items-center gap-2">
                      <Badge tone="green">{DISCREPANCY_KIND[d.kind]}</Badge>
                      {d.symbol ? <span className="font-medium text-slate-900">{d.symbol}</span> : null}
                    </div>
                    <p className="break-words text-slate-700">{d.detail}</p>
                    <p className="text-xs text-slate-500">
                      Found {formatDateTime(d.foundAt)}
                      {d.resolvedAt ? ` · ${resolutionText(d.resolution)} ${formatDateTime(d.resolvedAt)}` : ` · ${resolutionText(d.resolution)}`}
                    </p>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </CardBody>
      </Card>
    </section>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Alert, Card, CardBody, CardHeader } from "@/components/ui/card";
import { toast } from "@/components/ui/sonner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { toneClass } from "@/components/track-record/format";
import { money, signedMoney } from "@/components/copy/format";
import { PaperEquityChart } from "@/components/copy/paper-equity-chart";
import { formatDate } from "@/lib/format/dates";
import { REFRESH_MS } from "./live";

/** The paper account: balance, equity at the marks, realised P&L and fees since the last reset, the curve, and the reset. */
export function PaperAccountCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const account = useQuery(trpc.copy.account.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const { confirm, confirmDialog } = useConfirm();
  const reset = useMutation(
    trpc.copy.resetAccount.mutationOptions({
      onSuccess: (r) => {
        toast.success(`Paper account reset to ${money(r.balanceAfter)}${r.closed ? `; ${r.closed} open position${r.closed === 1 ? "" : "s"} closed first` : ""}.`);
        void queryClient.invalidateQueries(trpc.copy.pathFilter());
      },
    }),
  );
  const a = account.data;

  const onReset = async () => {
    const open = a?.openPositions ?? 0;
    const ok = await confirm({
      title: "Reset your paper account?",
      description: (
        <>
          {open
            ? `Your ${open} open position${open === 1 ? " is" : "s are"} closed first, at the market price now. `
            : "You have no open positions. "}
          The balance goes back to {money(a?.startingBalance ?? "10000")} and the equity curve starts again. The reset is recorded and your old
          orders stay in the journal.
        </>
      ),
      confirmLabel: open ? "Close positions and reset" : "Reset account",
      destructive: true,
    });
    if (ok) reset.mutate();
  };

  return (
    <Card>
      {confirmDialog}
      <CardHeader
        title="Paper account"
        description={a?.since ? `Simulated USDT since ${formatDate(a.since)}. Fills at market with modelled slippage and a 0.1% fee.` : "Simulated USDT. Copies fill here at market with modelled slippage and a 0.1% fee."}
        action={
          <Button variant="secondary" size="sm" onClick={onReset} loading={reset.isPending} disabled={!hydrated || !a}>
            Reset paper account
          </Button>
        }
      />
      <CardBody>
        {account.isError && !a ? (
          <Alert tone="error">
            Couldn&rsquo;t load your paper account. {account.error.message}{" "}
            <Button variant="ghost" size="sm" onClick={() => void account.refetch()}>
              Try again
            </Button>
          </Alert>
        ) : !a ? (
          <div className="h-64 animate-pulse rounded bg-slate-50" aria-label="Loading your paper account" role="status" />
        ) : (
          <>
            {reset.isError ? (
              <Alert tone="error" className="mb-4">
                {reset.error.message}
              </Alert>
            ) : null}
            <dl className="grid grid-cols-2 gap-x-4 gap-y-4 sm:grid-cols-3">
              <Figure label="Equity" value={money(a.equity, a.currency)} strong />
              <Figure label="Balance" value={money(a.balance, a.currency)} />
              <Figure label="Open P&L" value={signedMoney(a.unrealisedPnl, a.currency).text} tone={signedMoney(a.unrealisedPnl, a.currency).tone} />
              <Figure label="Realised P&L" value={signedMoney(a.realisedPnl, a.currency).text} tone={signedMoney(a.realisedPnl, a.currency).tone} />
              <Figure label="Fees paid" value={money(a.fees, a.currency)} />
              <Figure label="Resets" value={String(a.resets)} hint={a.lastReset ? `Last ${formatDate(a.lastReset.at)}` : "Never"} />
            </dl>
            <div className="mt-5">
              <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Realised equity by day</h3>
              <PaperEquityChart
                points={a.curve}
                label={`Paper account realised equity from ${money(a.curve[0]?.value ?? a.startingBalance)} on ${a.curve[0]?.time ?? "the start"} to ${money(a.curve.at(-1)?.value ?? a.balance)} on ${a.curve.at(-1)?.time ?? "today"}`}
              />
            </div>
          </>
        )}
      </CardBody>
    </Card>
  );
}

function Figure({ label, value, tone = "flat", strong, hint }: { label: string; value: string; tone?: "gain" | "loss" | "flat"; strong?: boolean; hint?: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`mt-0.5 tabular-nums ${strong ? "text-xl font-semibold" : "text-base font-medium"} ${toneClass[tone]}`}>{value}</dd>
      {hint ? <dd className="text-xs text-slate-500">{hint}</dd> : null}
    </div>
  );
}

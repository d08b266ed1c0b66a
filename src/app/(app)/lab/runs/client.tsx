"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { serverFieldErrors } from "@/trpc/field-errors";
import { useTRPC } from "@/trpc/react";

/**
 * The kill switch: after a confirmation, the run stops at once (no further candle publishes) and its open signals
 * are closed at the market through the provider's normal close, which the followers' copies follow.
 */
export function StopRunButton({ id, name, openSignals }: { id: string; name: string; openSignals: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  const refresh = () => startTransition(() => router.refresh());
  const stop = useMutation(trpc.strategyRuns.stop.mutationOptions({ onSuccess: refresh, onError: refresh }));
  const { confirm, confirmDialog } = useConfirm();

  const onStop = async () => {
    const ok = await confirm({
      title: `Stop ${name} now?`,
      description:
        (openSignals > 0
          ? `Its ${openSignals === 1 ? "open signal is" : `${openSignals} open signals are`} closed at the market price now, as the Close button closes them (followers' copies close too). `
          : "It has no open signal. ") + "No further candle publishes anything. This cannot be undone: to run it again, start a new run.",
      confirmLabel: "Stop now",
      cancelLabel: "Keep running",
      destructive: true,
    });
    if (ok) stop.mutate({ id });
  };

  return (
    <div className="flex flex-col items-end gap-1">
      {confirmDialog}
      <Button variant="danger" size="sm" onClick={onStop} disabled={stop.isPending || refreshing}>
        {stop.isPending ? "Stopping…" : "Stop now"}
      </Button>
      {stop.error ? (
        <p role="alert" className="text-xs text-red-700">
          {stop.error.message}
        </p>
      ) : null}
    </div>
  );
}

/** The owner's daily limits, edited in place; they apply from the next candle. */
export function EditLimits({ id, maxDailyLoss, maxTradesPerDay }: { id: string; maxDailyLoss: string; maxTradesPerDay: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [lossPct, setLossPct] = useState(String(Number((Number(maxDailyLoss) * 100).toFixed(2))));
  const [trades, setTrades] = useState(String(maxTradesPerDay));
  const [refreshing, startTransition] = useTransition();
  const save = useMutation(
    trpc.strategyRuns.updateLimits.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        startTransition(() => router.refresh());
      },
    }),
  );
  const errors = serverFieldErrors(save.error);
  if (!open) {
    return (
      <Button variant="ghost" size="sm" onClick={() => setOpen(true)} disabled={refreshing}>
        Edit limits
      </Button>
    );
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const loss = Number(lossPct);
    save.mutate({ id, maxDailyLoss: Number.isFinite(loss) ? String(Number((loss / 100).toFixed(4))) : lossPct, maxTradesPerDay: Number(trades) });
  };
  return (
    <form onSubmit={onSubmit} noValidate className="grid w-full gap-3 rounded-md border border-slate-200 p-4 sm:grid-cols-2">
      <TextField label="Daily loss limit (%)" type="number" inputMode="decimal" min={0.1} max={50} step={0.1} value={lossPct} onChange={(e) => setLossPct(e.target.value)} errors={errors.maxDailyLoss} />
      <TextField label="Most trades a day" type="number" inputMode="numeric" min={1} max={100} step={1} value={trades} onChange={(e) => setTrades(e.target.value)} errors={errors.maxTradesPerDay} />
      {save.error && !Object.keys(errors).length ? (
        <p role="alert" className="text-sm text-red-700 sm:col-span-2">
          {save.error.message}
        </p>
      ) : null}
      <div className="flex gap-2 sm:col-span-2">
        <Button type="submit" size="sm" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save limits"}
        </Button>
        <Button type="button" variant="ghost" size="sm" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

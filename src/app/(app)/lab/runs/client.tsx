"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
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

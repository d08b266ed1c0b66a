"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { toast } from "@/components/ui/sonner";
import { useHydrated } from "@/components/ui/use-hydrated";

/** The follower's kill switch: every following paused and every copy closed at market, now. */
export function FollowerKillSwitch({ copying, openPositions }: { copying: number; openPositions: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const { confirm, confirmDialog } = useConfirm();
  const kill = useMutation(
    trpc.copy.killAll.mutationOptions({
      onSuccess: (r) => {
        toast.success(`Copying stopped: ${r.paused} following${r.paused === 1 ? "" : "s"} paused, ${r.closed} position${r.closed === 1 ? "" : "s"} closed.`);
        void queryClient.invalidateQueries(trpc.copy.pathFilter());
      },
    }),
  );
  const onKill = async () => {
    const ok = await confirm({
      title: "Close all copies and stop copying?",
      description: `${openPositions ? `Your ${openPositions} open position${openPositions === 1 ? " is" : "s are"} closed at the market price now, ` : "No positions are open; "}and copying is stopped for every provider you follow. Nothing is copied until you turn a provider back on.`,
      confirmLabel: "Close all and stop",
      cancelLabel: "Keep copying",
      destructive: true,
    });
    if (ok) kill.mutate();
  };
  return (
    <section aria-labelledby="kill-switch-title" className="rounded-lg border border-red-200 bg-red-50/60 p-5">
      {confirmDialog}
      <h2 id="kill-switch-title" className="flex items-center gap-2 text-base font-semibold text-red-900">
        <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true">
          <path d="M12 2v10M18.4 6.6a9 9 0 1 1-12.8 0" />
        </svg>
        Kill switch
      </h2>
      <p className="mt-1 text-sm text-red-900/80">
        Closes every open copy at market and stops copying everyone.{" "}
        {copying ? `${copying} provider${copying === 1 ? " is" : "s are"} being copied now.` : "Nothing is being copied now."}
      </p>
      {kill.isError ? (
        <Alert tone="error" className="mt-3">
          {kill.error.message}
        </Alert>
      ) : null}
      <Button variant="danger" className="mt-4 w-full" onClick={onKill} loading={kill.isPending} disabled={!hydrated}>
        Close all copies and stop copying
      </Button>
    </section>
  );
}

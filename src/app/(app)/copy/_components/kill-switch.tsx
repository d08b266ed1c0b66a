"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { toast } from "@/components/ui/sonner";
import { useHydrated } from "@/components/ui/use-hydrated";

/**
 * The follower's kill switch: every following paused and every copy closed at market, now. With nothing copied and
 * nothing open it has nothing to do, so it goes neutral and disabled and says so rather than offering a red button.
 */
export function FollowerKillSwitch({ copying, openPositions, loaded }: { copying: number; openPositions: number; loaded: boolean }) {
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
  const idle = loaded && !copying && !openPositions;
  return (
    <section
      aria-labelledby="kill-switch-title"
      data-testid="kill-switch"
      data-idle={idle || undefined}
      className={cn("rounded-lg border p-5", idle ? "border-slate-200 bg-white" : "border-red-200 bg-red-50/60")}
    >
      {confirmDialog}
      <h2 id="kill-switch-title" className={cn("flex items-center gap-2 text-base font-semibold", idle ? "text-slate-700" : "text-red-900")}>
        <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true">
          <path d="M12 2v10M18.4 6.6a9 9 0 1 1-12.8 0" />
        </svg>
        Kill switch
      </h2>
      {idle ? (
        <p className="mt-1 text-sm text-slate-600">Nothing to close: no copies open and no provider being copied.</p>
      ) : (
        <p className="mt-1 text-sm text-red-900/80">
          Closes every open copy at market and stops copying everyone.{" "}
          {copying ? `${copying} provider${copying === 1 ? " is" : "s are"} being copied now` : "Nothing is being copied now"}
          {openPositions ? `; ${openPositions} position${openPositions === 1 ? "" : "s"} open.` : "."}
        </p>
      )}
      {kill.isError ? (
        <Alert tone="error" className="mt-3">
          {kill.error.message}
        </Alert>
      ) : null}
      <Button
        variant={idle ? "secondary" : "danger"}
        className="mt-4 w-full"
        onClick={onKill}
        loading={kill.isPending}
        disabled={!hydrated || !loaded || idle}
      >
        Close all copies and stop copying
      </Button>
    </section>
  );
}

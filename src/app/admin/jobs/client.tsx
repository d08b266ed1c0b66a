"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { useHydrated } from "@/components/ui/use-hydrated";
import { canCancel, canRetry, type JobRunStatusName } from "@/lib/job-runs";
import { useTRPC } from "@/trpc/react";

/**
 * "Retry now" for a failed run and "Cancel" for a waiting one, each after a confirmation; the page re-renders from
 * the server afterwards. The service decides again on the run's status now, so a run that moved since the page was
 * drawn is refused with a message saying why, shown under the buttons.
 */
export function RunActions({ runId, jobId, status, align = "start" }: { runId: string; jobId: string; status: JobRunStatusName; align?: "start" | "end" }) {
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const [refreshing, startTransition] = useTransition();
  const refresh = () => startTransition(() => router.refresh());
  // A refusal refreshes too: the run moved since the page was drawn, and the page then shows where it stands.
  const retry = useMutation(trpc.admin.jobs.retry.mutationOptions({ onSuccess: refresh, onError: refresh }));
  const cancel = useMutation(trpc.admin.jobs.cancel.mutationOptions({ onSuccess: refresh, onError: refresh }));
  const { confirm, confirmDialog } = useConfirm();

  const onRetry = async () => {
    const ok = await confirm({
      title: `Retry this ${jobId} run now?`,
      description: "It starts a new attempt within a second. Steps that already succeeded are not run again. The retry is written to the audit log.",
      confirmLabel: "Retry now",
      cancelLabel: "Not now",
    });
    if (!ok) return;
    cancel.reset();
    retry.mutate({ id: runId });
  };
  const onCancel = async () => {
    const ok = await confirm({
      title: `Cancel this ${jobId} run?`,
      description: "It will not wake up or start again; its recorded steps stay for reference. The cancellation is written to the audit log.",
      confirmLabel: "Cancel run",
      cancelLabel: "Keep it",
      destructive: true,
    });
    if (!ok) return;
    retry.reset();
    cancel.mutate({ id: runId });
  };

  const busy = retry.isPending || cancel.isPending || refreshing;
  const error = retry.error ?? cancel.error;
  const done = retry.isSuccess ? `Retry queued: attempt ${retry.data.attempts} starts shortly.` : cancel.isSuccess ? "Run cancelled." : null;
  if (!canRetry(status) && !canCancel(status) && !error && !done) return null;

  return (
    <div className={cn("flex flex-col gap-1", align === "end" ? "items-end" : "items-start")}>
      {confirmDialog}
      <div className="flex flex-wrap gap-2">
        {canRetry(status) ? (
          <Button size="sm" variant="secondary" className="whitespace-nowrap" loading={retry.isPending} disabled={!hydrated || busy} onClick={() => void onRetry()}>
            Retry now<span className="sr-only"> ({jobId} run {runId})</span>
          </Button>
        ) : null}
        {canCancel(status) ? (
          <Button size="sm" variant="secondary" className="whitespace-nowrap text-red-700 hover:bg-red-50" loading={cancel.isPending} disabled={!hydrated || busy} onClick={() => void onCancel()}>
            Cancel<span className="sr-only"> {jobId} run {runId}</span>
          </Button>
        ) : null}
      </div>
      <p aria-live="polite" className={cn("max-w-64 text-xs", error ? "text-red-700" : "text-emerald-700", !error && !done && "sr-only")}>
        {error ? error.message : done}
      </p>
    </div>
  );
}

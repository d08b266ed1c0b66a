"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import type { AnalyticsBucket, AnalyticsRange } from "@/lib/analytics";
import { useTRPC } from "@/trpc/react";

/** Recomputes the figures past the five-minute cache, then re-renders the page from the server. */
export function RefreshButton({ range, bucket }: { range: AnalyticsRange; bucket: AnalyticsBucket }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  const refresh = useMutation(trpc.admin.analytics.refresh.mutationOptions({ onSettled: () => startTransition(() => router.refresh()) }));
  const busy = refresh.isPending || refreshing;
  return (
    <div className="flex flex-col items-start gap-1 sm:items-end">
      <Button type="button" variant="secondary" size="sm" loading={busy} onClick={() => refresh.mutate({ range, bucket })}>
        Refresh now
      </Button>
      <p className="min-h-4 text-xs text-red-700" role="status" aria-live="polite">
        {refresh.isError ? "The figures could not be recomputed. Try again in a moment." : null}
      </p>
    </div>
  );
}

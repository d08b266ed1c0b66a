"use client";

import { Spinner } from "@/components/ui/button";
import { formatClock } from "@/lib/format/dates";

/** The entry field's hint for a market entry: the live quote's state, with a retry when it could not be loaded. */
export function QuoteLine({ loading, at, error, onRetry }: { loading: boolean; at: Date | null; error: string | null; onRetry: () => void }) {
  if (error && !at) {
    return (
      <span className="text-red-700">
        Couldn&apos;t load the market price.{" "}
        <button type="button" onClick={onRetry} className="font-medium underline">
          Retry
        </button>
      </span>
    );
  }
  return (
    <span className="inline-flex items-center gap-1.5" title={at ? `Last price at ${formatClock(at)} UTC` : undefined}>
      {loading ? <Spinner className="size-3" /> : <span aria-hidden="true" className="size-1.5 rounded-full bg-emerald-500" />}
      {at ? "Live market price, refreshed every 10 s." : "Loading the market price…"}
    </span>
  );
}

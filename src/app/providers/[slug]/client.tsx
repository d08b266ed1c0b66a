"use client";

import { useMutation } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { percent } from "@/components/track-record/format";
import { formatLocalClock } from "@/lib/format/dates";
import { useTRPC } from "@/trpc/react";
import { useHydrated } from "@/components/ui/use-hydrated";

/** What a change means, in words, for the polite live region. */
function describe(kind: string, s: { visibility: "full" | "hidden"; number: number; resultPct?: string | null }): string {
  const n = `Signal #${s.number}`;
  switch (kind) {
    case "published":
      return `New signal #${s.number} published`;
    case "filled":
      return `${n} filled`;
    case "stop_moved":
      return `${n}: stop-loss moved`;
    case "partial_close":
      return `${n} partly closed`;
    case "closed":
      return s.visibility === "full" && s.resultPct ? `${n} closed at ${percent(s.resultPct).text}` : `${n} closed`;
    case "cancelled":
      return `${n} cancelled`;
    case "expired":
      return `${n} expired`;
    default:
      return `${n} updated`;
  }
}

/**
 * Keeps the profile current: listens to this provider's signal changes over SSE (levels already filtered by the
 * server for this viewer) and re-renders the page's server components when one arrives, so the open signals, the
 * history, the figures and the chart move together. Shows a small live indicator and announces changes politely.
 */
export function LiveUpdates({ providerSlug }: { providerSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [, startTransition] = useTransition();
  const [announcement, setAnnouncement] = useState("");
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [changes, setChanges] = useState(0);

  // A close arrives as a burst (legs, close, roll-up); one refresh after the burst settles is enough.
  useEffect(() => {
    if (!changes) return;
    const t = setTimeout(() => startTransition(() => router.refresh()), 300);
    return () => clearTimeout(t);
  }, [changes, router]);

  const sub = useSubscription(
    trpc.signals.live.subscriptionOptions(
      { providerSlug },
      {
        onData: ({ kind, signal }) => {
          setAnnouncement(describe(kind, signal));
          setUpdatedAt(new Date());
          setChanges((n) => n + 1);
        },
      },
    ),
  );

  const state = sub.status === "pending" ? "live" : sub.status === "error" ? "error" : "connecting";
  const label = state === "live" ? "Live" : state === "error" ? "Reconnecting" : "Connecting";
  return (
    <div className="flex items-center gap-2 text-xs text-slate-500">
      <span
        className={cn(
          "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 font-medium",
          state === "live" ? "bg-emerald-50 text-emerald-700" : state === "error" ? "bg-amber-50 text-amber-800" : "bg-slate-100 text-slate-600",
        )}
        title={state === "live" ? "New and changed signals appear here without reloading" : undefined}
      >
        <span className="relative flex size-2" aria-hidden="true">
          {state === "live" ? <span className="absolute inline-flex size-full animate-ping rounded-full bg-emerald-400 opacity-60 motion-reduce:hidden" /> : null}
          <span className={cn("relative inline-flex size-2 rounded-full", state === "live" ? "bg-emerald-500" : state === "error" ? "bg-amber-500" : "bg-slate-400")} />
        </span>
        {label}
      </span>
      {updatedAt ? (
        <span className="tabular-nums" aria-hidden="true">
          Updated {formatLocalClock(updatedAt)}
        </span>
      ) : null}
      <p className="sr-only" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
    </div>
  );
}

/**
 * Opens Stripe Checkout for this provider and leaves for it. The button stays busy until the checkout page loads;
 * the server's refusals (already subscribed, not open yet) are shown as they are written.
 */
export function SubscribeButton({ providerId, trial }: { providerId: string; trial: boolean }) {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const [leaving, setLeaving] = useState(false);
  const checkout = useMutation(
    trpc.billing.checkout.mutationOptions({
      onSuccess: ({ url }) => {
        setLeaving(true);
        window.location.assign(url);
      },
    }),
  );
  const busy = checkout.isPending || leaving;
  return (
    <div className="space-y-3">
      <Button size="lg" className="w-full" loading={busy} disabled={!hydrated} onClick={() => checkout.mutate({ providerId })}>
        {busy ? "Opening checkout…" : trial ? "Start free trial" : "Subscribe"}
      </Button>
      {checkout.isError ? <Alert tone="error">{checkout.error.message}</Alert> : null}
    </div>
  );
}

"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { useTRPC } from "@/trpc/react";
import { Button, ButtonLink } from "@/components/ui/button";

const POLL_MS = 1_500;
/** After this long the page stops polling and says so; Stripe's events normally arrive within seconds. */
const GIVE_UP_MS = 60_000;

/**
 * Waits for Stripe's webhook to create the subscription: polls the checkout result and re-renders the page from the
 * server once it is there.
 */
export function ConfirmingPayment({ sessionId, providerName }: { sessionId: string; providerName: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [, startTransition] = useTransition();
  const [round, setRound] = useState(0);
  const [timedOut, setTimedOut] = useState(false);
  const result = useQuery({
    ...trpc.billing.checkoutResult.queryOptions({ sessionId }),
    refetchInterval: timedOut ? false : POLL_MS,
  });
  const confirmed = Boolean(result.data?.subscription && result.data.subscription.status !== "incomplete");

  useEffect(() => {
    if (confirmed) startTransition(() => router.refresh());
  }, [confirmed, router]);
  useEffect(() => {
    const t = setTimeout(() => setTimedOut(true), GIVE_UP_MS);
    return () => clearTimeout(t);
  }, [round]);

  if (timedOut && !confirmed) {
    return (
      <div role="status">
        <p>
          This is taking longer than usual. Your payment to {providerName} is safe: the subscription appears as soon as Stripe confirms it, and you
          are never charged twice.
        </p>
        <div className="mt-6 flex flex-col gap-3 sm:flex-row sm:justify-center">
          <Button
            onClick={() => {
              setTimedOut(false);
              setRound((r) => r + 1);
            }}
          >
            Check again
          </Button>
          <ButtonLink href="/subscriptions" variant="secondary">
            Go to your subscriptions
          </ButtonLink>
        </div>
      </div>
    );
  }
  return (
    <p role="status" aria-live="polite">
      {confirmed ? "Confirmed. Loading your subscription…" : `Stripe is confirming your subscription to ${providerName}. This page updates by itself in a few seconds.`}
    </p>
  );
}

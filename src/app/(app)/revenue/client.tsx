"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { useHydrated } from "@/components/ui/use-hydrated";
import { Alert } from "@/components/ui/card";
import { Button, Spinner } from "@/components/ui/button";
import { useStepUp } from "@/components/security/step-up-dialog";

/**
 * Starts (or resumes) Stripe Connect onboarding and sends the browser to the account link. The button stays busy
 * until the next page loads, so a second click can't open a second link.
 */
export function PayoutsAction({ label, variant = "primary" }: { label: string; variant?: "primary" | "secondary" }) {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const [leaving, setLeaving] = useState(false);
  // With two-factor sign-in on, payout settings need a code confirmed in the last 10 minutes: asked, then resent.
  const { guard, stepUpDialog } = useStepUp();
  const start = useMutation(
    guard(
      trpc.billing.startOnboarding.mutationOptions({
        onSuccess: ({ url }) => {
          setLeaving(true);
          window.location.assign(url);
        },
      }),
    ),
  );
  return (
    <div className="space-y-3">
      {stepUpDialog}
      <Button variant={variant} loading={start.isPending || leaving} disabled={!hydrated} onClick={() => start.mutate()}>
        {start.isPending || leaving ? "Opening Stripe…" : label}
      </Button>
      {start.isError ? <Alert tone="error">{start.error.message}</Alert> : null}
    </div>
  );
}

/**
 * Back from onboarding. Stripe's `account.updated` webhook is the source of truth, but it can lag behind the
 * browser: on return we read the account once (refreshAccount) and re-render, so the page is current either way.
 */
export function OnboardingNotice({ kind, ready, detailsSubmitted }: { kind: "return" | "refresh"; ready: boolean; detailsSubmitted: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const asked = useRef(false);
  const [checked, setChecked] = useState(false);
  const refresh = useMutation(
    trpc.billing.refreshAccount.mutationOptions({
      onSettled: () => {
        setChecked(true);
        router.refresh();
      },
    }),
  );
  const { mutate } = refresh;
  useEffect(() => {
    if (kind !== "return" || ready || asked.current) return;
    asked.current = true;
    mutate();
  }, [kind, ready, mutate]);

  if (kind === "refresh") {
    // Finished in the meantime (another tab, or the webhook landed): nothing left to say.
    if (ready) return null;
    return (
      <Alert tone="warning" className="mb-6 space-y-3">
        <p>
          <span className="font-medium">Your onboarding isn&rsquo;t finished.</span> The link expired or you left before the end. Pick up where you left
          off: what you already entered is kept.
        </p>
        <PayoutsAction label="Continue onboarding" variant="secondary" />
      </Alert>
    );
  }
  if (ready) {
    return (
      <Alert tone="success" className="mb-6">
        <span className="font-medium">Payouts are set up.</span> Subscribers can now pay you by card, and 70% of every payment goes to your Stripe account.
      </Alert>
    );
  }
  if (!checked || refresh.isPending) {
    return (
      <Alert tone="info" className="mb-6 flex items-center gap-2">
        <Spinner />
        Checking your Stripe account…
      </Alert>
    );
  }
  return (
    <Alert tone="warning" className="mb-6 space-y-3">
      <p>
        <span className="font-medium">{detailsSubmitted ? "Stripe is reviewing your details." : "Stripe still needs a few details."}</span>{" "}
        {detailsSubmitted
          ? "This usually takes a few minutes; this page shows the result when it is done."
          : "You can take payments once onboarding is complete."}
      </p>
      {detailsSubmitted ? null : <PayoutsAction label="Continue onboarding" variant="secondary" />}
    </Alert>
  );
}


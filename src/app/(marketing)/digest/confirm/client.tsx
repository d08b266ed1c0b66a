"use client";

import { useMutation } from "@tanstack/react-query";
import { Button, ButtonLink } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { useTRPC } from "@/trpc/react";

/**
 * Confirms on a click, not on load: mail scanners open links in emails, and a subscription confirmed by a scanner
 * would defeat the double opt-in. The token is single-use; a second use gets the service's clear refusal.
 */
export function ConfirmDigest({ token }: { token: string }) {
  const trpc = useTRPC();
  const confirm = useMutation(trpc.digests.confirm.mutationOptions());
  if (confirm.isSuccess) {
    const { providerName, providerSlug } = confirm.data;
    return (
      <div className="mt-4 space-y-4">
        <Alert tone="success">
          You are subscribed to {providerName ? `the weekly digest of ${providerName}` : "the weekly Tradsy marketplace digest"}. The first one
          arrives on Monday.
        </Alert>
        <ButtonLink href={providerSlug ? `/providers/${providerSlug}` : "/providers"} variant="secondary">
          {providerName ? `See ${providerName}'s track record` : "Browse the marketplace"}
        </ButtonLink>
      </div>
    );
  }
  return (
    <div className="mt-4 space-y-4">
      {confirm.isError ? <Alert tone="error">{confirm.error.message}</Alert> : null}
      <p className="text-sm text-slate-600">Confirm that you want the weekly digest at this address. You can unsubscribe from any digest in one click.</p>
      <Button onClick={() => confirm.mutate({ token })} loading={confirm.isPending} disabled={confirm.isError}>
        Confirm subscription
      </Button>
    </div>
  );
}

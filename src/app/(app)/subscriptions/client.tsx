"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { useHydrated } from "@/components/ui/use-hydrated";

type Action = "cancel" | "resume" | "pause";

/** Cancel at period end, pause or resume one subscription; the page re-renders from the server afterwards. */
export function ManageSubscription({
  subscriptionId,
  providerName,
  status,
  cancelAtPeriodEnd,
  endsOn,
}: {
  subscriptionId: string;
  providerName: string;
  status: "incomplete" | "trialing" | "active" | "past_due" | "paused";
  cancelAtPeriodEnd: boolean;
  endsOn: string | null;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const manage = useMutation(trpc.billing.manage.mutationOptions({ onSuccess: () => router.refresh() }));
  const { confirm, confirmDialog } = useConfirm();
  const run = async (action: Action) => {
    if (action === "cancel") {
      const ok = await confirm({
        title: `Cancel your subscription to ${providerName}?`,
        description: endsOn ? `You keep access until ${endsOn}, and you won't be charged again.` : "You won't be charged again.",
        confirmLabel: "Cancel subscription",
        cancelLabel: "Keep subscription",
        destructive: true,
      });
      if (!ok) return;
    }
    if (action === "pause") {
      const ok = await confirm({
        title: `Pause payments to ${providerName}?`,
        description: "Their open signals are hidden from you until you resume.",
        confirmLabel: "Pause payments",
        cancelLabel: "Keep paying",
      });
      if (!ok) return;
    }
    manage.mutate({ subscriptionId, action });
  };
  const busy = (a: Action) => manage.isPending && manage.variables?.action === a;
  const canResume = cancelAtPeriodEnd || status === "paused";

  return (
    <div className="flex shrink-0 flex-col items-stretch gap-2 sm:items-end">
      {confirmDialog}
      <div className="flex flex-wrap gap-2 sm:justify-end">
        {status === "past_due" ? <ManageBillingButton label="Update card" variant="primary" size="sm" /> : null}
        {canResume ? (
          <Button size="sm" loading={busy("resume")} disabled={!hydrated || manage.isPending} onClick={() => void run("resume")} aria-label={`Resume subscription to ${providerName}`}>
            Resume
          </Button>
        ) : (
          <>
            {status === "active" || status === "trialing" ? (
              <Button variant="ghost" size="sm" loading={busy("pause")} disabled={!hydrated || manage.isPending} onClick={() => void run("pause")} aria-label={`Pause subscription to ${providerName}`}>
                Pause
              </Button>
            ) : null}
            <Button
              variant="secondary"
              size="sm"
              loading={busy("cancel")}
              disabled={!hydrated || manage.isPending}
              onClick={() => void run("cancel")}
              aria-label={`Cancel subscription to ${providerName} at period end`}
            >
              <span className="whitespace-nowrap">Cancel at period end</span>
            </Button>
          </>
        )}
      </div>
      {manage.isError ? (
        <p className="text-sm text-red-700" role="alert">
          {manage.error.message}
        </p>
      ) : null}
    </div>
  );
}

/** Opens the billing portal (cards, invoices) and leaves for it; the button stays busy until the next page loads. */
export function ManageBillingButton({
  label = "Manage billing",
  variant = "secondary",
  size = "md",
}: {
  label?: string;
  variant?: "primary" | "secondary";
  size?: "sm" | "md";
}) {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const [leaving, setLeaving] = useState(false);
  const portal = useMutation(
    trpc.billing.portal.mutationOptions({
      onSuccess: ({ url }) => {
        setLeaving(true);
        window.location.assign(url);
      },
    }),
  );
  return (
    <div className="flex flex-col items-end gap-1">
      <Button variant={variant} size={size} className="whitespace-nowrap" loading={portal.isPending || leaving} disabled={!hydrated} onClick={() => portal.mutate()}>
        {label}
      </Button>
      {portal.isError ? (
        <p className="max-w-xs text-right text-sm text-red-700" role="alert">
          {portal.error.message}
        </p>
      ) : null}
    </div>
  );
}

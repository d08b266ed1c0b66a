"use client";

import { useActionState, useRef } from "react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button, Spinner } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { portalAction, type DevFormState } from "../../actions";

function Outcome({ state }: { state: DevFormState }) {
  if (state.message) {
    return (
      <p className="text-sm text-red-700" role="alert">
        {state.message}
      </p>
    );
  }
  return (
    <p className="text-sm text-emerald-700" role="status">
      {state.done ?? ""}
    </p>
  );
}

export function SubscriptionActions({
  customerId,
  subscriptionId,
  name,
  cancelAtPeriodEnd,
  paused,
}: {
  customerId: string;
  subscriptionId: string;
  name: string;
  cancelAtPeriodEnd: boolean;
  paused: boolean;
}) {
  const [state, action, pending] = useActionState<DevFormState, FormData>(portalAction, {});
  const intent = paused ? "unpause" : cancelAtPeriodEnd ? "keep" : "cancel";
  const label = paused ? "Resume payments" : cancelAtPeriodEnd ? "Don't cancel" : "Cancel subscription";
  const { confirm, confirmDialog } = useConfirm();
  const formRef = useRef<HTMLFormElement>(null);
  // Set once they said yes: the form is then submitted again, and this time goes through.
  const confirmed = useRef(false);
  return (
    <form
      ref={formRef}
      action={action}
      className="flex flex-col items-start gap-2 sm:items-end"
      onSubmit={(e) => {
        if (intent !== "cancel" || confirmed.current) {
          confirmed.current = false;
          return;
        }
        e.preventDefault();
        void confirm({
          title: `Cancel ${name}?`,
          description: "It stays active until the end of the period you paid for.",
          confirmLabel: "Cancel subscription",
          cancelLabel: "Keep subscription",
          destructive: true,
        }).then((ok) => {
          if (!ok) return;
          confirmed.current = true;
          formRef.current?.requestSubmit();
        });
      }}
    >
      {confirmDialog}
      <input type="hidden" name="customerId" value={customerId} />
      <input type="hidden" name="subscriptionId" value={subscriptionId} />
      <input type="hidden" name="intent" value={intent} />
      <Button type="submit" size="sm" variant={intent === "cancel" ? "secondary" : "primary"} loading={pending} aria-label={`${label}: ${name}`}>
        {label}
      </Button>
      <Outcome state={state} />
    </form>
  );
}

export function FailNextToggle({ customerId, fails }: { customerId: string; fails: boolean }) {
  const [state, action, pending] = useActionState<DevFormState, FormData>(portalAction, {});
  return (
    <form action={action} className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <input type="hidden" name="customerId" value={customerId} />
      <input type="hidden" name="intent" value="fail-next" />
      <input type="hidden" name="fails" value={fails ? "off" : "on"} />
      <div>
        <p className="text-sm font-medium text-slate-900" id="fail-next-label">
          Make the next renewal fail
        </p>
        <p className="text-sm text-slate-600">
          {fails ? "On: the next renewal will be declined and the subscription goes past due." : "Off: renewals are paid with the test card."}
        </p>
        <Outcome state={state} />
      </div>
      <span className="flex shrink-0 items-center gap-2">
        {pending ? <Spinner className="text-slate-500" /> : null}
        <button
          type="submit"
          role="switch"
          aria-checked={fails}
          aria-labelledby="fail-next-label"
          aria-busy={pending || undefined}
          disabled={pending}
          className={cn(
            "relative inline-flex h-6 w-11 items-center rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:opacity-60",
            fails ? "bg-red-600" : "bg-slate-300",
          )}
        >
          <span aria-hidden="true" className={cn("inline-block size-5 rounded-full bg-white shadow transition-transform", fails ? "translate-x-5.5" : "translate-x-0.5")} />
        </button>
      </span>
    </form>
  );
}

export function PayInvoiceButton({ customerId, invoiceId, amount, returnUrl }: { customerId: string; invoiceId: string; amount: string; returnUrl: string }) {
  const [state, action, pending] = useActionState<DevFormState, FormData>(portalAction, {});
  return (
    <form action={action} className="inline-flex flex-col gap-1">
      <input type="hidden" name="customerId" value={customerId} />
      <input type="hidden" name="invoiceId" value={invoiceId} />
      <input type="hidden" name="intent" value="pay" />
      <input type="hidden" name="returnUrl" value={returnUrl} />
      <Button type="submit" size="sm" loading={pending}>
        Pay {amount}
      </Button>
      {state.message ? <Outcome state={state} /> : null}
    </form>
  );
}

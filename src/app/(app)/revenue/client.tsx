"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { useHydrated } from "@/components/ui/use-hydrated";
import { Alert } from "@/components/ui/card";
import { Button, Spinner } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
import { useStepUp } from "@/components/security/step-up-dialog";
import { centsToInput, formatCents, parseDollars, splitRevenue } from "@/lib/money";
import { DEFAULT_PRICE_CENTS, MAX_TRIAL_DAYS, MIN_PRICE_CENTS } from "@/lib/billing";
import type { PriceInput } from "@/lib/validation/billing";
import { priceFormSchema, priceFormServerErrors, type PriceFormValues } from "./price-form-schema";

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

/**
 * Monthly price in dollars (read as a decimal string, sent as integer cents) and the free trial. A field's message
 * stays until the next submit or an edit of that field.
 */
export function PriceForm({ priceCents, trialDays, priceReady }: { priceCents: number; trialDays: number; priceReady: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const defaults = { price: centsToInput(priceCents), trialDays: String(trialDays) };
  const form = useForm<PriceFormValues, unknown, PriceInput>({
    defaultValues: defaults,
    resolver: zodResolver(priceFormSchema),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const { errors } = form.formState;
  const save = useMutation(
    trpc.billing.setPrice.mutationOptions({
      onSuccess: () => router.refresh(),
      onError: (err) => {
        if (!setServerErrors(form.setError, priceFormServerErrors(serverFieldErrors(err)), ["price", "trialDays"])) {
          form.setError("root.server", { type: "server", message: err.message });
        }
      },
    }),
  );
  // A refusal by the form's own checks hides the last call's outcome, as a new call would.
  const submit = form.handleSubmit(
    (input) => save.mutate(input),
    () => save.reset(),
  );
  const clearOnEdit = (field: keyof PriceFormValues) => ({ onChange: () => form.clearErrors(field) });

  const parsed = parseDollars(useWatch({ control: form.control, name: "price" }));
  const preview = parsed.ok && parsed.cents >= MIN_PRICE_CENTS ? splitRevenue(parsed.cents) : null;

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {errors.root?.server ? <Alert tone="error">{errors.root.server.message}</Alert> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Monthly price (USD)"
          inputMode="decimal"
          autoComplete="off"
          defaultValue={defaults.price}
          {...form.register("price", clearOnEdit("price"))}
          errors={messages(errors.price)}
          hint={`At least ${formatCents(MIN_PRICE_CENTS)}; the Tradsy default is ${formatCents(DEFAULT_PRICE_CENTS)}.`}
        />
        <TextField
          label="Free trial (days)"
          inputMode="numeric"
          autoComplete="off"
          defaultValue={defaults.trialDays}
          {...form.register("trialDays", clearOnEdit("trialDays"))}
          errors={messages(errors.trialDays)}
          hint={`0 for none, up to ${MAX_TRIAL_DAYS}. Trials start paying when they end.`}
        />
      </div>
      <p className="rounded-md bg-slate-50 px-3 py-2.5 text-sm text-slate-600" aria-live="polite">
        {preview && parsed.ok ? (
          <>
            Each month a subscriber pays <span className="font-medium text-slate-900 tabular-nums">{formatCents(parsed.cents)}</span>: you keep{" "}
            <span className="font-medium text-emerald-700 tabular-nums">{formatCents(preview.providerCents)}</span> (70%), Tradsy{" "}
            <span className="tabular-nums">{formatCents(preview.platformCents)}</span> (30%).
          </>
        ) : (
          `Enter a price of at least ${formatCents(MIN_PRICE_CENTS)} to see your share.`
        )}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" loading={save.isPending} disabled={!hydrated}>
          Save price
        </Button>
        {!priceReady && !save.isSuccess ? <span className="text-sm text-slate-500">Subscriptions open once a price is saved.</span> : null}
        {save.isSuccess ? (
          <span className="text-sm text-emerald-700" role="status">
            Saved. New subscribers pay {formatCents(save.data.priceCents)} a month
            {save.data.trialDays ? ` after a ${save.data.trialDays}-day trial` : ""}.
          </span>
        ) : null}
      </div>
    </form>
  );
}

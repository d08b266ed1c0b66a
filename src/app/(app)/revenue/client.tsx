"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { useHydrated } from "@/components/ui/use-hydrated";
import { Alert } from "@/components/ui/card";
import { Button, Spinner } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { centsToInput, formatCents, parseDollars, splitRevenue } from "@/lib/money";
import { DEFAULT_PRICE_CENTS, MAX_TRIAL_DAYS, MIN_PRICE_CENTS } from "@/lib/billing";

type FieldErrs = Record<string, string[] | undefined>;

/**
 * Starts (or resumes) Stripe Connect onboarding and sends the browser to the account link. The button stays busy
 * until the next page loads, so a second click can't open a second link.
 */
export function PayoutsAction({ label, variant = "primary" }: { label: string; variant?: "primary" | "secondary" }) {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const [leaving, setLeaving] = useState(false);
  const start = useMutation(
    trpc.billing.startOnboarding.mutationOptions({
      onSuccess: ({ url }) => {
        setLeaving(true);
        window.location.assign(url);
      },
    }),
  );
  return (
    <div className="space-y-3">
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

/** Monthly price in dollars (read as a decimal string, sent as integer cents) and the free trial. */
export function PriceForm({ priceCents, trialDays, priceReady }: { priceCents: number; trialDays: number; priceReady: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const [dollars, setDollars] = useState(centsToInput(priceCents));
  const [trial, setTrial] = useState(String(trialDays));
  const [local, setLocal] = useState<FieldErrs>({});
  const save = useMutation(trpc.billing.setPrice.mutationOptions({ onSuccess: () => router.refresh() }));
  const server = serverFieldErrors(save.error);
  const errs: FieldErrs = { price: local.price ?? server.priceCents, trial: local.trial ?? server.trialDays };
  const formError = save.isError && !server.priceCents && !server.trialDays ? save.error.message : null;

  const parsed = parseDollars(dollars);
  const preview = parsed.ok && parsed.cents >= MIN_PRICE_CENTS ? splitRevenue(parsed.cents) : null;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const next: FieldErrs = {};
    const price = parseDollars(dollars);
    if (!price.ok) next.price = [price.message];
    const t = trial.trim();
    if (!/^\d{1,3}$/.test(t)) next.trial = [`Enter whole days from 0 to ${MAX_TRIAL_DAYS}`];
    setLocal(next);
    if (!price.ok || next.trial) {
      save.reset();
      return;
    }
    save.mutate({ priceCents: price.cents, trialDays: Number(t) });
  };

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Monthly price (USD)"
          name="price"
          inputMode="decimal"
          autoComplete="off"
          value={dollars}
          onChange={(e) => {
            setDollars(e.target.value);
            if (local.price) setLocal((l) => ({ ...l, price: undefined }));
          }}
          errors={errs.price}
          hint={`At least ${formatCents(MIN_PRICE_CENTS)}; the Tradsy default is ${formatCents(DEFAULT_PRICE_CENTS)}.`}
        />
        <TextField
          label="Free trial (days)"
          name="trialDays"
          inputMode="numeric"
          autoComplete="off"
          value={trial}
          onChange={(e) => {
            setTrial(e.target.value);
            if (local.trial) setLocal((l) => ({ ...l, trial: undefined }));
          }}
          errors={errs.trial}
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

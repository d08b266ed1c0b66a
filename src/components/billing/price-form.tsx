"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { useHydrated } from "@/components/ui/use-hydrated";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
import { centsToInput, formatCents, parseDollars, splitRevenue } from "@/lib/money";
import { DEFAULT_PRICE_CENTS, MAX_TRIAL_DAYS, MIN_PRICE_CENTS } from "@/lib/billing";
import type { PriceInput } from "@/lib/validation/billing";
import { priceFormSchema, priceFormServerErrors, type PriceFormValues } from "./price-form-schema";

/**
 * Monthly price in dollars (read as a decimal string, sent as integer cents) and the free trial. A field's message
 * stays until the next submit or an edit of that field. With `runId` it prices that running strategy (an automated
 * provider, on Running strategies) instead of the provider's own profile (Revenue).
 */
export function PriceForm({ priceCents, trialDays, priceReady, runId }: { priceCents: number; trialDays: number; priceReady: boolean; runId?: string }) {
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
  const handlers = {
    onSuccess: () => router.refresh(),
    onError: (err: Parameters<typeof serverFieldErrors>[0] & { message: string }) => {
      if (!setServerErrors(form.setError, priceFormServerErrors(serverFieldErrors(err)), ["price", "trialDays"])) {
        form.setError("root.server", { type: "server", message: err.message });
      }
    },
  };
  const own = useMutation(trpc.billing.setPrice.mutationOptions(handlers));
  const run = useMutation(trpc.strategyRuns.setPrice.mutationOptions(handlers));
  const save = runId ? run : own;
  // A refusal by the form's own checks hides the last call's outcome, as a new call would.
  const submit = form.handleSubmit(
    (input) => (runId ? run.mutate({ id: runId, ...input }) : own.mutate(input)),
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

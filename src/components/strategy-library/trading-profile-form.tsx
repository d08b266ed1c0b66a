"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { Controller, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { ReactNode } from "react";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { RadioCard, RadioGroup } from "@/components/ui/radio-group";
import { setServerErrors } from "@/components/forms/errors";
import {
  EXPERIENCE_LABELS,
  EXPERIENCE_LEVELS,
  RISK_TOLERANCE_LABELS,
  RISK_TOLERANCES,
  tradingProfileFormSchema,
  type TradingProfileInput,
} from "@/lib/validation/strategy-library";

type Values = z.input<typeof tradingProfileFormSchema>;

/**
 * The two optional questions behind the Strategy Library's recommendations: risk tolerance and trading experience.
 * Both may stay unanswered ("Prefer not to say" sends null). Used by Settings and by the dashboard's onboarding step.
 */
export function TradingProfileForm({
  initial,
  idPrefix,
  submitLabel = "Save",
  onSaved,
  secondaryAction,
}: {
  initial: TradingProfileInput;
  idPrefix: string;
  submitLabel?: string;
  onSaved?: (saved: TradingProfileInput) => void;
  secondaryAction?: ReactNode;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useForm<Values, unknown, TradingProfileInput>({
    defaultValues: { riskTolerance: initial.riskTolerance ?? "", experience: initial.experience ?? "" },
    resolver: zodResolver(tradingProfileFormSchema),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const save = useMutation(
    trpc.library.setTradingProfile.mutationOptions({
      onSuccess: (saved) => {
        onSaved?.(saved);
        router.refresh();
      },
      onError: (err) => {
        if (!setServerErrors(form.setError, serverFieldErrors(err), ["riskTolerance", "experience"])) {
          form.setError("root.server", { type: "server", message: err.message });
        }
      },
    }),
  );
  const { errors } = form.formState;
  const question = (name: "riskTolerance" | "experience", legend: string, hint: string, options: readonly string[], labels: Record<string, string>) => (
    <fieldset>
      <legend id={`${idPrefix}-${name}-legend`} className="text-sm font-medium text-slate-900">
        {legend}
      </legend>
      <p className="mt-0.5 text-xs text-slate-500">{hint}</p>
      <Controller
        control={form.control}
        name={name}
        render={({ field }) => (
          <RadioGroup
            aria-labelledby={`${idPrefix}-${name}-legend`}
            value={field.value}
            onValueChange={field.onChange}
            name={name}
            className="mt-2 gap-2"
            aria-invalid={errors[name] ? true : undefined}
          >
            {options.map((o) => {
              const [title, ...rest] = labels[o]!.split(" — ");
              return (
                <RadioCard key={o} value={o} id={`${idPrefix}-${name}-${o}`} className="p-2.5">
                  <span className="font-medium text-slate-900">{title}</span>
                  {rest.length ? <span className="block text-xs text-slate-600">{rest.join(" — ")}</span> : null}
                </RadioCard>
              );
            })}
            <RadioCard value="" id={`${idPrefix}-${name}-none`} className="p-2.5">
              <span className="text-slate-600">Prefer not to say</span>
            </RadioCard>
          </RadioGroup>
        )}
      />
      {errors[name]?.message ? <p className="mt-1 text-sm text-red-700">{errors[name]?.message}</p> : null}
    </fieldset>
  );
  return (
    <form onSubmit={form.handleSubmit((values) => save.mutate(values))} noValidate className="space-y-5">
      {errors.root?.server?.message ? <Alert tone="error">{errors.root.server.message}</Alert> : null}
      <div className="grid gap-5 md:grid-cols-2">
        {question("riskTolerance", "How much risk do you accept?", "How deep a fall of your account you could sit through.", RISK_TOLERANCES, RISK_TOLERANCE_LABELS)}
        {question("experience", "How experienced are you?", "We suggest simpler strategies to newer traders.", EXPERIENCE_LEVELS, EXPERIENCE_LABELS)}
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" loading={save.isPending}>
          {submitLabel}
        </Button>
        {secondaryAction}
        {save.isSuccess ? (
          <p className="text-sm text-emerald-700" role="status">
            Saved.
          </p>
        ) : null}
      </div>
    </form>
  );
}

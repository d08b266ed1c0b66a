"use client";

/**
 * Starting an A/B test of a running curated strategy (issue 20): one to three challengers, each a parameter set of
 * the same strategy (prefilled from the running version, A, bounded by the catalogue), and the plan — minimum effect,
 * alpha, power — with the trades every variant will need shown live before anything starts (alpha split across
 * the challengers, as the server splits it). The page owns the call: it hands `onStart` and the call's state in, and
 * the server's refusals land on the fields here.
 */
import { useEffect } from "react";
import { useFieldArray, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages } from "@/components/forms/errors";
import { describeParams, paramLabel, planPreview, type ParamBounds } from "@/lib/lab/ab-view";
import type { Constraint } from "@/lib/optimize/space";
import type { AppClientError } from "@/trpc/field-errors";
import { serverFieldErrors } from "@/trpc/field-errors";
import { abFormSchema, abFormServerErrors, challengerFrom, MAX_CHALLENGERS, PLAN_DEFAULTS, readNumber, type AbFormOutput, type AbFormValues } from "./ab-test-form-schema";

const LABELS = ["B", "C", "D"];

export interface AbTestFormProps {
  /** The running version's parameters (variant A). */
  runParams: Record<string, number>;
  defs: readonly ParamBounds[];
  constraints: readonly Constraint[];
  onStart: (input: AbFormOutput) => void;
  pending: boolean;
  /** The last refused call, if any. */
  error: AppClientError | null;
}

export function AbTestForm({ runParams, defs, constraints, onStart, pending, error }: AbTestFormProps) {
  const form = useForm<AbFormValues, unknown, AbFormOutput>({
    defaultValues: { challengers: [challengerFrom(runParams, defs)], ...PLAN_DEFAULTS },
    resolver: zodResolver(abFormSchema(defs, constraints, runParams)),
    reValidateMode: "onSubmit",
  });
  const { errors } = form.formState;
  const challengers = useFieldArray({ control: form.control, name: "challengers" });
  const [effectSize, alpha, power] = useWatch({ control: form.control, name: ["effectSize", "alpha", "power"] });
  const plan = planPreview({ challengers: challengers.fields.length, effectSize: readNumber(effectSize), alpha: readNumber(alpha), power: readNumber(power) });

  // A refusal from the server: each message on its field, the rest as the form's own.
  useEffect(() => {
    if (!error) return;
    const placed = abFormServerErrors(serverFieldErrors(error));
    for (const [field, message] of Object.entries(placed)) form.setError(field as keyof typeof placed, { type: "server", message });
    if (!Object.keys(placed).length) form.setError("root.server", { type: "server", message: error.message });
  }, [error, form]);

  return (
    <form onSubmit={form.handleSubmit(onStart)} noValidate className="space-y-6" aria-label="Start an A/B test">
      {errors.root?.server ? <Alert tone="error">{errors.root.server.message}</Alert> : null}

      <div className="rounded-md bg-slate-50 px-4 py-3 text-sm">
        <p className="font-medium text-slate-900">A — the running version</p>
        <p className="mt-0.5 text-slate-600">{describeParams(runParams, defs)}</p>
      </div>

      {challengers.fields.map((field, k) => {
        const label = LABELS[k]!;
        const setError = errors.challengers?.[k]?.message;
        return (
          <fieldset key={field.id} className="rounded-md border border-slate-200 p-4" aria-describedby={setError ? `challenger-${k}-error` : undefined}>
            {/* The legend stays the fieldset's first child (its accessible name); floats put the button beside it. */}
            <legend className="float-left py-1.5 text-sm font-semibold text-slate-900">Challenger {label}</legend>
            {challengers.fields.length > 1 ? (
              <Button type="button" variant="ghost" size="sm" className="float-right" onClick={() => challengers.remove(k)} aria-label={`Remove challenger ${label}`}>
                Remove
              </Button>
            ) : null}
            <div className="clear-both grid gap-4 pt-3 sm:grid-cols-2 lg:grid-cols-3">
              {defs.map((d) => (
                <TextField
                  key={d.name}
                  label={paramLabel(d.name)}
                  type="number"
                  inputMode="decimal"
                  min={d.min}
                  max={d.max}
                  step={d.step}
                  {...form.register(`challengers.${k}.params.${d.name}`, { onChange: () => form.clearErrors([`challengers.${k}.params.${d.name}`, `challengers.${k}`]) })}
                  errors={messages(errors.challengers?.[k]?.params?.[d.name])}
                  hint={`${d.description} A: ${runParams[d.name] ?? d.default}. ${d.min}–${d.max}.`}
                />
              ))}
            </div>
            {setError ? (
              <p id={`challenger-${k}-error`} role="alert" className="mt-3 text-sm text-red-700">
                {setError}
              </p>
            ) : null}
          </fieldset>
        );
      })}
      {challengers.fields.length < MAX_CHALLENGERS ? (
        <Button type="button" variant="secondary" size="sm" onClick={() => challengers.append(challengerFrom(runParams, defs))}>
          Add challenger {LABELS[challengers.fields.length]}
        </Button>
      ) : (
        <p className="text-xs text-slate-500">At most {MAX_CHALLENGERS} challengers: each one more splits alpha further and needs more trades.</p>
      )}

      <fieldset className="space-y-4">
        <legend className="text-sm font-semibold text-slate-900">The plan, fixed before the test starts</legend>
        <div className="grid gap-4 sm:grid-cols-3">
          <TextField
            label="Minimum effect (Cohen's d)"
            type="number"
            inputMode="decimal"
            min={0.1}
            max={2}
            step={0.05}
            {...form.register("effectSize", { onChange: () => form.clearErrors("effectSize") })}
            errors={messages(errors.effectSize)}
            hint="The smallest improvement worth finding, in standard deviations of per-trade returns: 0.3 means a challenger's average trade beats A's by 0.3 of their typical spread. Smaller needs many more trades."
          />
          <TextField
            label="Alpha"
            type="number"
            inputMode="decimal"
            min={0.001}
            max={0.2}
            step={0.01}
            {...form.register("alpha", { onChange: () => form.clearErrors("alpha") })}
            errors={messages(errors.alpha)}
            hint="The chance of naming a winner when there is none, across all challengers."
          />
          <TextField
            label="Power"
            type="number"
            inputMode="decimal"
            min={0.5}
            max={0.99}
            step={0.05}
            {...form.register("power", { onChange: () => form.clearErrors("power") })}
            errors={messages(errors.power)}
            hint="The chance of finding a challenger that really is better by the minimum effect."
          />
        </div>
        <div className="rounded-md border border-brand-100 bg-brand-50 px-4 py-3 text-sm text-brand-900" aria-live="polite" data-testid="ab-plan">
          {plan ? (
            <>
              <p>
                Every variant needs <strong className="tabular-nums">{plan.tradesNeeded} closed trades</strong> before the test is judged, once.
              </p>
              <p className="mt-1 text-brand-800">
                Each comparison with A uses alpha {Number(plan.alphaPerComparison.toPrecision(3))}
                {challengers.fields.length > 1 ? ` (${readNumber(alpha)} split across ${challengers.fields.length} challengers)` : ""}. Until then the page shows interim
                figures, which decide nothing.
              </p>
            </>
          ) : (
            <p>Enter an effect from 0.1 to 2, alpha from 0.001 to 0.2 and power from 0.5 to 0.99 to see the trades each variant needs.</p>
          )}
        </div>
      </fieldset>

      <p className="text-sm text-slate-600">
        Challengers trade on paper only, on the same live candles as A from the next candle on: nothing of theirs is published and the record is untouched.
      </p>
      <Button type="submit" disabled={pending}>
        {pending ? "Starting…" : "Start the A/B test"}
      </Button>
    </form>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Checkbox, TextField } from "@/components/ui/field";
import { RadioCard, RadioGroup } from "@/components/ui/radio-group";
import { SelectField } from "@/components/ui/select";
import { messages, setServerErrors } from "@/components/forms/errors";
import type { FollowSettings, FollowSettingsValues, SizingModeName } from "@/lib/validation/copy";
import { formValuesOf, SERVER_FIELDS, settingsFormSchema, type SettingsFormValues } from "./settings-form-schema";
import { SizingPreview } from "./sizing-preview";

const MODES: { value: SizingModeName; title: string; text: string }[] = [
  { value: "fixed", title: "Fixed amount", text: "The same amount of USDT on every trade." },
  { value: "allocation", title: "% of allocation", text: "A share of what you set aside for this provider." },
  { value: "risk", title: "Risk % from the stop", text: "Sized so hitting the stop loses that % of equity." },
  { value: "mirror", title: "Mirror the provider", text: "The same share of equity the provider puts in." },
];

/**
 * Every follow setting of one following, one react-hook-form over the shared rules (./settings-form-schema), with
 * the server's field errors placed next to their fields and a live sizing preview of the values being edited.
 */
export function FollowSettingsForm({ providerId, providerName, settings, venue }: { providerId: string; providerName: string; settings: FollowSettingsValues; venue: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const defaults = useMemo(() => formValuesOf(settings, venue), [settings, venue]);
  const venues = useVenueOptions(venue);
  const form = useForm<SettingsFormValues, unknown, FollowSettings>({
    defaultValues: defaults,
    resolver: zodResolver(settingsFormSchema),
    mode: "onTouched",
  });
  const save = useMutation(
    trpc.copy.settings.save.mutationOptions({
      onSuccess: (view) => {
        form.reset(formValuesOf(view.settings, view.venue));
        void queryClient.invalidateQueries(trpc.copy.followings.pathFilter());
        void queryClient.invalidateQueries(trpc.exchanges.list.pathFilter());
      },
      onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), SERVER_FIELDS),
    }),
  );
  const values = useWatch({ control: form.control });
  const parsed = useMemo(() => settingsFormSchema.safeParse({ ...defaults, ...values }), [defaults, values]);
  const live = parsed.success ? parsed.data : null;
  const { errors, isDirty } = form.formState;
  const mode = values.sizingMode ?? defaults.sizingMode;
  const placed = save.isError && SERVER_FIELDS.some((f) => serverFieldErrors(save.error)[f]?.length);
  const err = (name: keyof SettingsFormValues) => messages(errors[name]);

  const onSubmit = form.handleSubmit((s) => save.mutate({ providerId, settings: s }));

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" aria-label={`Follow settings for ${providerName}`}>
      {save.isError && !placed ? <Alert tone="error">{save.error.message}</Alert> : null}

      <div className="grid gap-4 sm:grid-cols-2">
        <div>
          <Controller
            control={form.control}
            name="venue"
            render={({ field }) => (
              <SelectField
                label="Where to copy"
                value={field.value}
                onValueChange={field.onChange}
                options={venues}
                aria-invalid={Boolean(errors.venue)}
                aria-describedby={errors.venue ? `${providerId}-venue-error` : `${providerId}-venue-hint`}
              />
            )}
          />
          {errors.venue ? (
            <p id={`${providerId}-venue-error`} className="mt-1 text-sm text-red-700" role="alert">
              {errors.venue.message}
            </p>
          ) : (
            <p id={`${providerId}-venue-hint`} className="mt-1 text-xs text-slate-500">
              New copies go here; open ones finish where they started.{" "}
              <Link href="/copy/connections" className="font-medium text-brand-700 hover:underline">
                Manage exchange connections
              </Link>
            </p>
          )}
        </div>
        <TextField
          label="Allocation (% of equity)"
          inputMode="decimal"
          {...form.register("allocationPct")}
          errors={err("allocationPct")}
          hint="Set aside for this provider when copying starts; the copy stop-loss is measured on it."
        />
      </div>

      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Position sizing</legend>
        <Controller
          control={form.control}
          name="sizingMode"
          render={({ field }) => (
            <RadioGroup value={field.value} onValueChange={(v) => field.onChange(v as SizingModeName)} className="mt-2 grid gap-2 sm:grid-cols-2 xl:grid-cols-4" aria-label="Sizing mode">
              {MODES.map((m) => (
                <RadioCard key={m.value} value={m.value} id={`${providerId}-mode-${m.value}`}>
                  <span className="block font-medium text-slate-900">{m.title}</span>
                  <span className="block text-xs text-slate-600">{m.text}</span>
                </RadioCard>
              ))}
            </RadioGroup>
          )}
        />
        <div className="mt-3 grid gap-4 sm:grid-cols-2">
          {mode === "fixed" ? (
            <TextField label="Amount per trade (USDT)" inputMode="decimal" {...form.register("fixedAmount")} errors={err("fixedAmount")} hint="Before the scale and the caps below." />
          ) : mode === "allocation" ? (
            <TextField
              label="Per trade (% of the allocation)"
              inputMode="decimal"
              {...form.register("allocationShare")}
              errors={err("allocationShare")}
              hint="20% of a $1,000 allocation is $200 a trade."
            />
          ) : mode === "risk" ? (
            <TextField
              label="Risk per trade (% of equity)"
              inputMode="decimal"
              {...form.register("riskPct")}
              errors={err("riskPct")}
              hint="Signals without a stop-loss are skipped in this mode."
            />
          ) : (
            <p className="self-center rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">
              Each copy takes the same share of your equity as the provider&rsquo;s position takes of theirs, times the scale.
            </p>
          )}
          <TextField label="Scale" inputMode="decimal" {...form.register("scale")} errors={err("scale")} hint="0.1 to 2; multiplies every size (1 = as set)." />
        </div>
      </fieldset>

      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Risk limits</legend>
        <div className="mt-2 grid gap-4 sm:grid-cols-2">
          <TextField label="Max position (% of equity)" inputMode="decimal" {...form.register("maxPositionPct")} errors={err("maxPositionPct")} />
          <TextField label="Max open positions" inputMode="numeric" {...form.register("maxOpenPositions")} errors={err("maxOpenPositions")} hint="From this provider, 1 to 50." />
          <div className="space-y-2">
            <Checkbox label="Daily loss limit" {...form.register("dailyLossOn")} />
            <TextField
              label="Stop new entries after losing (% of the day's starting equity)"
              inputMode="decimal"
              disabled={!values.dailyLossOn}
              {...form.register("dailyLossPct")}
              errors={err("dailyLossPct")}
              hint="Until 00:00 UTC. Exits still run."
            />
          </div>
          <div className="space-y-2">
            <Checkbox label="Copy stop-loss" {...form.register("copyStopOn")} />
            <TextField
              label="Close and pause when the allocation falls to (%)"
              inputMode="decimal"
              disabled={!values.copyStopOn}
              {...form.register("copyStopPct")}
              errors={err("copyStopPct")}
              hint="5 to 95. At 50, a $1,000 allocation worth $500 closes this provider's copies."
            />
          </div>
          <TextField
            label="Max entry slippage (%)"
            inputMode="decimal"
            {...form.register("maxSlippagePct")}
            errors={err("maxSlippagePct")}
            hint="Entries expected to fill further than this from the provider's price are skipped. Exits never are."
          />
          <TextField
            label="Max signal age (seconds)"
            inputMode="numeric"
            {...form.register("maxSignalAgeSec")}
            errors={err("maxSignalAgeSec")}
            hint="Entries older than this since publication are skipped."
          />
        </div>
      </fieldset>

      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Symbols</legend>
        <div className="mt-2 grid gap-4 sm:grid-cols-2">
          <TextField
            label="Only copy these symbols"
            placeholder="All symbols"
            autoCapitalize="characters"
            spellCheck={false}
            {...form.register("symbolsAllow")}
            errors={err("symbolsAllow")}
            hint="Comma-separated, like BTC/USDT, ETH/USDT. Empty copies every symbol."
          />
          <TextField
            label="Never copy these symbols"
            placeholder="None"
            autoCapitalize="characters"
            spellCheck={false}
            {...form.register("symbolsDeny")}
            errors={err("symbolsDeny")}
          />
        </div>
        <Checkbox
          className="mt-4"
          label="Also copy signals that are already open when I start copying"
          {...form.register("copyOpenSignals")}
          errors={err("copyOpenSignals")}
        />
      </fieldset>

      <SizingPreview providerId={providerId} settings={live} />

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" loading={save.isPending}>
          Save settings
        </Button>
        {isDirty ? (
          <Button type="button" variant="ghost" onClick={() => form.reset(defaults)}>
            Discard changes
          </Button>
        ) : null}
        <span className="text-sm text-emerald-700" role="status">
          {save.isSuccess && !isDirty ? "Settings saved. They apply to the next signal; open copies keep their exits." : ""}
        </span>
      </div>
    </form>
  );
}

/**
 * "Where to copy": the paper account, then each active exchange connection ("label · exchange"). The following's
 * current venue stays listed (marked) when its connection no longer works, so the form shows what is saved.
 */
function useVenueOptions(current: string): { value: string; label: string; disabled?: boolean }[] {
  const trpc = useTRPC();
  const connections = useQuery(trpc.exchanges.list.queryOptions());
  const supported = useQuery(trpc.exchanges.supported.queryOptions(undefined, { staleTime: Infinity }));
  return useMemo(() => {
    const names = new Map((supported.data ?? []).map((e) => [e.id, e.name]));
    const options = [{ value: "paper", label: "Paper account (USDT)" }];
    for (const c of connections.data ?? []) {
      const name = `${c.label} · ${names.get(c.exchangeId) ?? c.exchangeId}${c.sandbox ? "" : " (live)"}`;
      if (c.status === "active") options.push({ value: c.id, label: name });
      else if (c.id === current) options.push({ value: c.id, label: `${name} — not working` });
    }
    if (current !== "paper" && !options.some((o) => o.value === current)) options.push({ value: current, label: connections.data ? "A removed connection" : "Exchange connection" });
    return options;
  }, [connections.data, supported.data, current]);
}

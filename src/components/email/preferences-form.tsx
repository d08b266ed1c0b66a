"use client";

import { useEffect, useMemo } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/field";
import { Combobox, type ComboboxOption } from "@/components/ui/combobox";
import { SelectField } from "@/components/ui/select";
import { messages } from "@/components/forms/errors";
import { useHydrated } from "@/components/ui/use-hydrated";
import { isTimeZone, notificationPrefsSchema, timeZoneNames, type NotificationPrefsInput } from "@/lib/validation/email-preferences";

export interface ProviderAlertValue {
  providerId: string;
  displayName: string;
  slug: string;
  newSignal: boolean;
  signalClosed: boolean;
}

export interface EmailPreferencesValue {
  signalEmails: boolean;
  digestEmails: boolean;
  productEmails: boolean;
  copyEmails: boolean;
  digestHour: number;
  timeZone: string;
  providers: ProviderAlertValue[];
}

export interface SaveState {
  pending: boolean;
  /** The refusal's message, when the last save was refused. */
  error?: string | null;
  saved: boolean;
}

const HOURS = Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, "0")}:00` }));

/** Zones whose name holds every word typed ("new york", "europe par"), in list order. */
function filterZones(options: ComboboxOption[], search: string): ComboboxOption[] {
  const words = search.toLowerCase().split(/[\s/_]+/).filter(Boolean);
  if (!words.length) return options;
  return options.filter((o) => {
    const name = o.value.toLowerCase().replaceAll("_", " ");
    return words.every((w) => name.includes(w));
  });
}

/** The browser's IANA zone when it is one the server accepts, else null. */
function browserTimeZone(): string | null {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone && isTimeZone(zone) ? zone : null;
  } catch {
    return null;
  }
}

/**
 * Every optional email choice of one account, saved as it changes (no submit button): Settings saves for the
 * signed-in owner, the unsubscribe page with the link's token. Each save sends the whole form, which the server
 * takes as a patch. Where the stored zone is still the default (UTC) and the browser is elsewhere, the browser's
 * zone is filled in and saved with the next change.
 */
export function EmailPreferencesForm({
  initial,
  onSave,
  state,
  idPrefix,
}: {
  initial: EmailPreferencesValue;
  onSave: (patch: NotificationPrefsInput) => void;
  state: SaveState;
  /** Keeps field ids unique when two forms share a page. */
  idPrefix: string;
}) {
  const form = useForm<EmailPreferencesValue, unknown, NotificationPrefsInput>({
    defaultValues: initial,
    resolver: zodResolver(notificationPrefsSchema) as never,
  });
  // Known only in the browser (the server render keeps the stored zone).
  const hydrated = useHydrated();
  const browserZone = hydrated ? browserTimeZone() : null;
  const suggestedZone = initial.timeZone === "UTC" && browserZone && browserZone !== "UTC" ? browserZone : null;
  useEffect(() => {
    if (suggestedZone) form.setValue("timeZone", suggestedZone, { shouldDirty: true });
  }, [form, suggestedZone]);

  const save = () => void form.handleSubmit((values) => onSave(values))();
  const saveOnChange = { onChange: save };
  const zones = useMemo<ComboboxOption[]>(() => timeZoneNames().map((z) => ({ value: z, label: z.replaceAll("_", " "), keywords: z.split("/") })), []);
  const signalsOn = useWatch({ control: form.control, name: "signalEmails" });
  const digestOn = useWatch({ control: form.control, name: "digestEmails" });
  const { errors } = form.formState;
  const providers = initial.providers;

  return (
    <form onSubmit={(e) => (e.preventDefault(), save())} className="space-y-6" noValidate>
      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold text-slate-900">Signal alerts</legend>
        <Checkbox label="New signals and closed signals from providers I follow" {...form.register("signalEmails", saveOnChange)} />
        {providers.length ? (
          <ul className="divide-y divide-slate-100 rounded-md border border-slate-200" aria-label="Alerts per provider">
            {providers.map((p, i) => (
              <li key={p.providerId} className="flex flex-col gap-2 px-3 py-2 sm:flex-row sm:items-center sm:justify-between">
                <span className="text-sm font-medium text-slate-800">{p.displayName}</span>
                <span className="flex gap-4">
                  <Checkbox
                    label={<span>New signals<span className="sr-only"> from {p.displayName}</span></span>}
                    {...form.register(`providers.${i}.newSignal`, saveOnChange)}
                  />
                  <Checkbox
                    label={<span>Closed<span className="sr-only"> signals from {p.displayName}</span></span>}
                    {...form.register(`providers.${i}.signalClosed`, saveOnChange)}
                  />
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-500">You follow no provider yet: subscribe to one or copy it to choose its alerts here.</p>
        )}
        {!signalsOn && providers.length ? <p className="text-xs text-slate-500">Signal alerts are off, so none of these are sent.</p> : null}
      </fieldset>

      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold text-slate-900">Copy trading</legend>
        <Checkbox label="Copy events: orders filled, skipped or rejected" {...form.register("copyEmails", saveOnChange)} />
        <p className="text-xs text-slate-500">A risk pause and an exit that keeps failing are always emailed: they need you.</p>
      </fieldset>

      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold text-slate-900">Digests</legend>
        <Checkbox label="Daily digest and monthly performance report" {...form.register("digestEmails", saveOnChange)} />
        <div className="grid gap-4 sm:grid-cols-[10rem_1fr]">
          <Controller
            control={form.control}
            name="digestHour"
            render={({ field, fieldState }) => (
              <div>
                <SelectField
                  id={`${idPrefix}-digest-hour`}
                  label="Arrives at"
                  options={HOURS}
                  value={String(field.value)}
                  disabled={!digestOn}
                  aria-invalid={Boolean(fieldState.error)}
                  onValueChange={(v) => {
                    field.onChange(Number(v));
                    save();
                  }}
                />
                {fieldState.error ? <p className="mt-1 text-xs text-red-700">{fieldState.error.message}</p> : null}
              </div>
            )}
          />
          <Controller
            control={form.control}
            name="timeZone"
            render={({ field }) => (
              <Combobox
                id={`${idPrefix}-time-zone`}
                label="Time zone"
                options={zones}
                value={field.value}
                disabled={!digestOn}
                filter={filterZones}
                maxOptions={60}
                searchPlaceholder="Search: Paris, New York, Tokyo…"
                emptyText="No time zone by that name."
                hint={suggestedZone === field.value ? "From your browser: saved with your next change." : "Daylight saving time is followed."}
                errors={messages(errors.timeZone)}
                onValueChange={(v) => {
                  if (!v) return;
                  field.onChange(v);
                  save();
                }}
              />
            )}
          />
        </div>
      </fieldset>

      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold text-slate-900">Tradsy news</legend>
        <Checkbox label="Getting-started emails, tips and product news" {...form.register("productEmails", saveOnChange)} />
      </fieldset>

      <div className="flex flex-col gap-3 border-t border-slate-100 pt-4 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-slate-500" role="status" aria-live="polite">
          {state.pending ? "Saving…" : state.error ? <span className="text-red-700">{state.error}</span> : state.saved ? "Saved." : "Changes save as you make them."}
        </p>
        <Button
          type="button"
          variant="secondary"
          size="sm"
          onClick={() => {
            for (const key of ["signalEmails", "digestEmails", "productEmails", "copyEmails"] as const) form.setValue(key, false, { shouldDirty: true });
            save();
          }}
        >
          Unsubscribe from all
        </Button>
      </div>
    </form>
  );
}

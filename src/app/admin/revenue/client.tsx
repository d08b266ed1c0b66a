"use client";

import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { advanceClockAction, type ClockState } from "./actions";

const STEPS = [
  { days: "1", label: "+1 day" },
  { days: "7", label: "+7 days" },
  { days: "31", label: "+31 days" },
] as const;

/** Advances the stand-in's billing clock; every button shows progress while renewals and cancellations are played. */
export function ClockControls() {
  const [state, action, pending] = useActionState<ClockState, FormData>(advanceClockAction, {});
  const [clicked, setClicked] = useState<string | null>(null);
  return (
    <form action={action} className="space-y-3">
      <fieldset disabled={pending}>
        <legend className="text-sm font-medium text-slate-800">Advance billing time</legend>
        <div className="mt-2 flex flex-wrap gap-2">
          {STEPS.map((s) => (
            <Button
              key={s.days}
              type="submit"
              name="days"
              value={s.days}
              variant="secondary"
              loading={pending && clicked === s.days}
              onClick={() => setClicked(s.days)}
              aria-label={`Advance the billing clock ${s.label.slice(1)}`}
            >
              {s.label}
            </Button>
          ))}
        </div>
      </fieldset>
      <p className="min-h-5 text-sm" role="status" aria-live="polite">
        {pending ? (
          <span className="text-slate-600">Playing renewals, failed payments and cancellations…</span>
        ) : state.message ? (
          <span className="text-red-700">{state.message}</span>
        ) : state.done ? (
          <span className="text-emerald-700">{state.done}</span>
        ) : null}
      </p>
    </form>
  );
}

"use client";

import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { FieldError } from "@/components/ui/field";

const OPTIONS = [
  { value: "subscriber", label: "I'm a trader", hint: "Follow providers and copy their signals" },
  { value: "provider", label: "I'm a signal provider", hint: "Publish signals and earn 70% of subscriptions" },
] as const;

/**
 * The role choice as a radio group (the kit's, submitted as `role`); each option is a card whose whole area picks it.
 * A form action's form leaves it uncontrolled (`defaultValue`); a client form controls it (`value`, `onValueChange`).
 */
export function RolePicker({
  defaultValue,
  value,
  onValueChange,
  errors,
}: {
  defaultValue?: string;
  value?: string;
  onValueChange?: (role: string) => void;
  errors?: string[];
}) {
  return (
    <div>
      <p id="role-legend" className="text-sm font-medium text-slate-800">
        How will you use Tradsy?
      </p>
      {/* Keyed by the default: after a refused submit the form shows the role that was sent, as the native radios did. */}
      <RadioGroup
        key={defaultValue}
        name="role"
        defaultValue={defaultValue}
        value={value}
        onValueChange={onValueChange}
        aria-labelledby="role-legend" className="mt-2 grid gap-2 sm:grid-cols-2">
        {OPTIONS.map((o) => (
          <label
            key={o.value}
            htmlFor={`role-${o.value}`}
            className="relative flex cursor-pointer flex-col rounded-md border border-slate-300 bg-white p-3 text-sm has-[[data-state=checked]]:border-brand-600 has-[[data-state=checked]]:bg-brand-50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-600"
          >
            <span className="flex items-center gap-2 font-medium text-slate-900">
              <RadioGroupItem
                id={`role-${o.value}`}
                value={o.value}
                aria-labelledby={`role-${o.value}-label`}
                aria-describedby={`role-${o.value}-hint`}
                className="focus-visible:outline-none"
              />
              <span id={`role-${o.value}-label`}>{o.label}</span>
            </span>
            <span id={`role-${o.value}-hint`} className="mt-1 text-xs text-slate-500">
              {o.hint}
            </span>
          </label>
        ))}
      </RadioGroup>
      <FieldError id="role-error" messages={errors} />
    </div>
  );
}

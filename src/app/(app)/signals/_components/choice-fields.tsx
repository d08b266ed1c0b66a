"use client";

import { RadioGroup as RadioGroupPrimitive } from "radix-ui";
import { useId, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { FieldNotes } from "@/components/ui/field";
import { RadioGroup } from "@/components/ui/radio-group";
import { SelectField, type SelectFieldOption } from "@/components/ui/select";

const TONES = {
  green: "bg-emerald-600 text-white",
  red: "bg-red-600 text-white",
  brand: "bg-white text-brand-800 shadow-xs ring-1 ring-slate-200",
} as const;

/**
 * Two or three choices drawn as a segmented control: the kit's RadioGroup (role radiogroup named by its legend; arrows
 * move and choose) whose radios are the segments themselves, so the kit's round radio is not drawn.
 */
export function SegmentedRadio<T extends string>({
  legend,
  name,
  value,
  onChange,
  options,
}: {
  legend: string;
  name: string;
  value: T;
  onChange: (v: T) => void;
  options: { value: T; label: string; glyph?: string; tone?: keyof typeof TONES }[];
}) {
  const legendId = useId();
  return (
    <div>
      <p id={legendId} className="text-sm font-medium text-slate-800">
        {legend}
      </p>
      <RadioGroup
        name={name}
        value={value}
        onValueChange={(v) => onChange(v as T)}
        aria-labelledby={legendId}
        className="mt-1 grid grid-cols-2 gap-1 rounded-lg bg-slate-100 p-1"
      >
        {options.map((o) => (
          <RadioGroupPrimitive.Item
            key={o.value}
            value={o.value}
            className={cn(
              "flex h-9 cursor-pointer items-center justify-center gap-1.5 rounded-md text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600",
              value === o.value ? TONES[o.tone ?? "brand"] : "text-slate-600 hover:text-slate-900",
            )}
          >
            {o.glyph ? <span aria-hidden="true">{o.glyph}</span> : null}
            {o.label}
          </RadioGroupPrimitive.Item>
        ))}
      </RadioGroup>
    </div>
  );
}

/** The kit's SelectField with the form fields' hint and error under it (tied to the control by aria-describedby). */
export function SelectWithHint({
  label,
  value,
  onChange,
  options,
  hint,
  errors,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: SelectFieldOption[];
  hint?: ReactNode;
  errors?: string[];
}) {
  const id = useId();
  const invalid = Boolean(errors?.length);
  return (
    <div>
      <SelectField
        label={label}
        value={value}
        onValueChange={onChange}
        options={options}
        aria-invalid={invalid}
        aria-describedby={invalid ? `${id}-error` : hint ? `${id}-hint` : undefined}
        // The height of the form's text fields beside it.
        triggerClassName={cn("data-[size=default]:h-[38px]", invalid && "border-red-500")}
      />
      <FieldNotes id={id} hint={hint} errors={errors} />
    </div>
  );
}

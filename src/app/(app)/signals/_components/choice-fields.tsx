"use client";

import { useId, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { FieldError } from "@/components/ui/field";

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
  options: { value: T; label: string; glyph?: string; tone?: "green" | "red" | "brand" }[];
}) {
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="mt-1 grid grid-cols-2 gap-1 rounded-lg bg-slate-100 p-1">
        {options.map((o) => {
          const checked = value === o.value;
          const tone = { green: "bg-emerald-600 text-white", red: "bg-red-600 text-white", brand: "bg-white text-brand-800 shadow-xs ring-1 ring-slate-200" }[o.tone ?? "brand"];
          return (
            <label key={o.value} className="relative">
              {/* The input covers its label, so pointer, keyboard and test clicks all land on the real radio. */}
              <input
                type="radio"
                name={name}
                value={o.value}
                checked={checked}
                onChange={() => onChange(o.value)}
                className="peer absolute inset-0 z-10 size-full cursor-pointer opacity-0"
              />
              <span
                className={cn(
                  "flex h-9 items-center justify-center gap-1.5 rounded-md text-sm font-medium transition-colors peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand-600",
                  checked ? tone : "text-slate-600 hover:text-slate-900",
                )}
              >
                {o.glyph ? <span aria-hidden="true">{o.glyph}</span> : null}
                {o.label}
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

export function SelectField({
  label,
  value,
  onChange,
  children,
  hint,
  errors,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  children: ReactNode;
  hint?: ReactNode;
  errors?: string[];
}) {
  const id = useId();
  const invalid = Boolean(errors?.length);
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-error` : hint ? `${id}-hint` : undefined}
        className={cn(
          "mt-1 block h-[38px] w-full rounded-md border bg-white px-3 text-sm text-slate-900 shadow-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none",
          invalid ? "border-red-500" : "border-slate-300",
        )}
      >
        {children}
      </select>
      {hint && !invalid ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

"use client";

import { Switch as SwitchPrimitive } from "radix-ui";
import { useId, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";

/**
 * An on/off switch (role switch, Space toggles) with its visible label and an optional description tied to it.
 * Radix's Switch: the kit has none yet, and copy trading is the first place that needs one.
 */
export function LabelledSwitch({
  label,
  description,
  checked,
  onCheckedChange,
  disabled,
  busy,
  className,
  tone = "brand",
}: {
  label: ReactNode;
  description?: ReactNode;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  disabled?: boolean;
  busy?: boolean;
  className?: string;
  tone?: "brand" | "danger";
}) {
  const id = useId();
  return (
    <div className={cn("flex items-start gap-3", className)}>
      <SwitchPrimitive.Root
        id={id}
        checked={checked}
        onCheckedChange={onCheckedChange}
        disabled={disabled || busy}
        aria-busy={busy || undefined}
        aria-describedby={description ? `${id}-desc` : undefined}
        className={cn(
          "relative mt-0.5 inline-flex h-6 w-11 shrink-0 cursor-pointer items-center rounded-full border-2 border-transparent bg-slate-300 transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:cursor-not-allowed disabled:opacity-60",
          tone === "danger" ? "data-[state=checked]:bg-red-600" : "data-[state=checked]:bg-brand-700",
        )}
      >
        <SwitchPrimitive.Thumb className="pointer-events-none block size-5 rounded-full bg-white shadow-sm ring-0 transition-transform data-[state=checked]:translate-x-5 data-[state=unchecked]:translate-x-0" />
      </SwitchPrimitive.Root>
      <div className="min-w-0">
        <label htmlFor={id} className="block cursor-pointer text-sm font-medium text-slate-900">
          {label}
        </label>
        {description ? (
          <p id={`${id}-desc`} className="text-xs text-slate-500">
            {description}
          </p>
        ) : null}
      </div>
    </div>
  );
}

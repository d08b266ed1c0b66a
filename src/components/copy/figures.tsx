import type { ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { displayPrice, displayQuantity, exact } from "./format";

/**
 * Prices and quantities as the copy tables print them: rounded for reading, the exact recorded value in the title
 * (and in the CSV export), so nothing is lost by the rounding.
 */
export function Price({ value, className }: { value: string | null | undefined; className?: string }) {
  const shown = displayPrice(value);
  const full = exact(value);
  return (
    <span className={cn("tabular-nums", className)} title={full !== shown && full !== "—" ? full : undefined}>
      {shown}
    </span>
  );
}

export function Quantity({ value, className }: { value: string | null | undefined; className?: string }) {
  const shown = displayQuantity(value);
  const full = exact(value);
  return (
    <span className={cn("tabular-nums", className)} title={full !== shown && full !== "—" ? full : undefined}>
      {shown}
    </span>
  );
}

/**
 * The secondary figures of a row, stacked under its primary cell on narrow screens where their own columns are
 * hidden (`md:hidden`), so a phone shows everything a wide table does, just in a column.
 */
export function StackedDetails({ items, className }: { items: { label: string; value: ReactNode }[]; className?: string }) {
  return (
    <dl className={cn("mt-1.5 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs font-normal tracking-normal text-slate-600 normal-case md:hidden", className)}>
      {items.map((i) => (
        <div key={i.label} className="contents">
          <dt className="text-slate-500">{i.label}</dt>
          <dd className="text-slate-800 tabular-nums">{i.value}</dd>
        </div>
      ))}
    </dl>
  );
}

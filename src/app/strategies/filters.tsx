"use client";

import { useRouter } from "next/navigation";
import { useOptimistic, useTransition } from "react";
import { SelectField } from "@/components/ui/select";
import type { LibraryFilters } from "@/lib/validation/strategy-library";
import { COMPLEXITY_CHOICES, libraryHref, MARKET_CHOICES, RISK_CHOICES, TAG_CHOICES, TIMEFRAME_CHOICES, withFilter, type FilterName } from "./filter-params";

/**
 * The library's filters: each select applies at once and puts its value in the URL (the marketplace's pattern);
 * the choice just made shows while its page loads. Without JavaScript the selects submit as a GET form.
 */
export function LibraryFiltersBar({ filters }: { filters: LibraryFilters }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [shown, show] = useOptimistic(filters);
  const go = (name: FilterName, value: string) =>
    startTransition(() => {
      const next = withFilter(shown, name, value);
      show(next);
      router.push(libraryHref(next), { scroll: false });
    });
  const field = (label: string, name: FilterName, choices: readonly { value: string; label: string }[], className?: string) => (
    <SelectField
      className={className}
      id={`filter-${name}`}
      name={name}
      label={label}
      labelClassName="text-xs text-slate-600"
      value={shown[name] === undefined ? "" : String(shown[name])}
      onValueChange={(v) => go(name, v)}
      options={[...choices]}
      triggerClassName="px-2.5"
    />
  );
  return (
    <form action="/strategies" method="get" aria-label="Filter strategies" aria-busy={pending || undefined} className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
        {field("Market", "market", MARKET_CHOICES)}
        {field("Timeframe", "timeframe", TIMEFRAME_CHOICES)}
        {field("Style", "tag", TAG_CHOICES)}
        {field("Risk level", "risk", RISK_CHOICES)}
        {field("Complexity", "complexity", COMPLEXITY_CHOICES, "col-span-2 md:col-span-1")}
      </div>
      <noscript>
        <button type="submit" className="mt-3 text-sm font-medium text-brand-700 underline">
          Apply filters
        </button>
      </noscript>
    </form>
  );
}

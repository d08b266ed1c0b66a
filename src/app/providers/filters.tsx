"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useOptimistic, useState, useTransition, type MouseEvent, type ReactNode } from "react";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { SearchInput } from "@/components/ui/field";
import { SelectField, type SelectFieldOption } from "@/components/ui/select";
import { marketLabel } from "@/lib/labels";
import { AGE_SELECT_OPTIONS, hrefFor, PRICE_OPTIONS, SORTS, WINDOW_OPTIONS, withSelect, type Filters, type Market } from "./filter-params";

/**
 * The marketplace's filters. Every control applies at once and puts its value in the URL, as the market chips
 * always did: a select on choosing, the search on Enter or its button, a chip on click. What is shown is the
 * choice just made while the page for it loads (useOptimistic), then the URL's. Markets with no instruments behind
 * them are listed as coming, not offered. Without JavaScript the search is a GET form carrying the other filters
 * and the chips are links.
 */
export function MarketplaceFilters({ filters, offered, coming }: { filters: Filters; offered: readonly Market[]; coming: readonly Market[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [shown, show] = useOptimistic(filters);
  // The search box is typed into freely and follows the URL's query when that changes elsewhere ("Reset filters",
  // back): adjusted during render rather than remounted, so focus stays in the box after a search.
  const [text, setText] = useState(filters.q);
  const [urlQ, setUrlQ] = useState(filters.q);
  if (filters.q !== urlQ) {
    setUrlQ(filters.q);
    setText(filters.q);
  }

  const go = (next: Filters) =>
    startTransition(() => {
      show(next);
      router.push(hrefFor(next), { scroll: false });
    });

  const onChip = (e: MouseEvent<HTMLAnchorElement>, market: Market | undefined) => {
    // A modified click (new tab, new window) is the link's own.
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go({ ...shown, market, page: 1 });
  };

  const select = (label: string, name: "window" | "sort" | "maxPrice" | "minAge", value: string, options: SelectFieldOption[]) => (
    <SelectField
      id={`filter-${name}`}
      label={label}
      labelClassName="text-xs text-slate-600"
      value={value}
      onValueChange={(v) => go(withSelect(shown, name, v))}
      options={options}
      triggerClassName="px-2.5"
    />
  );

  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs" aria-busy={pending || undefined}>
      <form
        action="/providers"
        method="get"
        role="search"
        aria-label="Find providers"
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...shown, q: text.trim().slice(0, 80), page: 1 });
        }}
      >
        {/* Without JavaScript the form is sent as is: the other filters ride along. */}
        {shown.market ? <input type="hidden" name="market" value={shown.market} /> : null}
        {shown.maxPrice !== undefined ? <input type="hidden" name="maxPrice" value={shown.maxPrice} /> : null}
        {shown.minAge !== undefined ? <input type="hidden" name="minAge" value={shown.minAge} /> : null}
        {shown.window !== "90d" ? <input type="hidden" name="window" value={shown.window} /> : null}
        {shown.sort !== "score" ? <input type="hidden" name="sort" value={shown.sort} /> : null}
        <div className="flex flex-col gap-2 sm:flex-row">
          <label htmlFor="provider-search" className="sr-only">
            Search providers
          </label>
          <SearchInput
            id="provider-search"
            name="q"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={80}
            placeholder="Name, market or instrument"
            aria-describedby="provider-search-hint"
          />
          <button type="submit" className={buttonClass("primary", "md", "shrink-0")}>
            Search
          </button>
        </div>
      </form>
      <p id="provider-search-hint" className="mt-1.5 text-xs text-slate-500">
        Finds providers by name or strategy, by market (crypto, forex) and by what they trade: bitcoin, BTC/USDT, ether, euro, google.
      </p>

      <div className="mt-4 grid grid-cols-2 gap-3 md:grid-cols-4">
        {select("Figures over", "window", shown.window, WINDOW_OPTIONS)}
        {select("Sort by", "sort", shown.sort, SORTS)}
        {select("Max price / month", "maxPrice", shown.maxPrice === undefined ? "" : String(shown.maxPrice), PRICE_OPTIONS)}
        {select("Track record", "minAge", shown.minAge === undefined ? "" : String(shown.minAge), AGE_SELECT_OPTIONS)}
      </div>

      <div className="mt-4 flex flex-col gap-2 border-t border-slate-100 pt-4">
        <nav aria-label="Filter by market">
          <ul className="flex flex-wrap gap-2">
            <li>
              <MarketChip href={hrefFor({ ...shown, market: undefined, page: 1 })} active={!shown.market} onClick={(e) => onChip(e, undefined)}>
                All markets
              </MarketChip>
            </li>
            {offered.map((m) => (
              <li key={m}>
                <MarketChip href={hrefFor({ ...shown, market: m, page: 1 })} active={shown.market === m} onClick={(e) => onChip(e, m)}>
                  {marketLabel(m)}
                </MarketChip>
              </li>
            ))}
            {coming.map((m) => (
              <li key={m}>
                <span className="inline-flex h-8 cursor-not-allowed items-center rounded-full border border-dashed border-slate-300 px-3 text-sm font-medium text-slate-400">
                  {marketLabel(m)}
                  <span className="sr-only"> (coming, not a filter yet)</span>
                </span>
              </li>
            ))}
          </ul>
        </nav>
        {coming.length ? (
          <p className="text-xs text-slate-500">
            Coming: {coming.map(marketLabel).join(" and ")}. There are no instruments to publish signals on in{" "}
            {coming.length === 1 ? "this market" : "these markets"} yet.
          </p>
        ) : null}
      </div>
      <p className="sr-only" aria-live="polite">
        {pending ? "Updating the list" : ""}
      </p>
    </div>
  );
}

function MarketChip({ href, active, onClick, children }: { href: string; active: boolean; onClick: (e: MouseEvent<HTMLAnchorElement>) => void; children: ReactNode }) {
  return (
    <Link
      href={href}
      onClick={onClick}
      aria-current={active ? "true" : undefined}
      className={cn(
        "inline-flex h-8 items-center rounded-full border px-3 text-sm font-medium transition-colors",
        active ? "border-brand-700 bg-brand-700 text-white" : "border-slate-300 bg-white text-slate-700 hover:border-slate-400 hover:bg-slate-50",
      )}
    >
      {children}
    </Link>
  );
}

/**
 * The Strategy Library's filters as the URL holds them. Untrusted: anything malformed is no filter. Pure: the page
 * parses with it, the client controls navigate with it.
 */
import { firstParam, hrefWith, type SearchParams } from "@/lib/search-params";
import type { LibraryFilters } from "@/lib/validation/strategy-library";

export const MARKET_CHOICES = [
  { value: "", label: "All markets" },
  { value: "crypto", label: "Crypto" },
  { value: "stocks", label: "Stocks" },
  { value: "forex", label: "Forex" },
] as const;
export const TIMEFRAME_CHOICES = [
  { value: "", label: "Any timeframe" },
  { value: "1h", label: "1 hour" },
  { value: "4h", label: "4 hours" },
  { value: "1d", label: "1 day" },
] as const;
export const TAG_CHOICES = [
  { value: "", label: "Any style" },
  { value: "trend-following", label: "Trend following" },
  { value: "mean-reversion", label: "Mean reversion" },
  { value: "breakout", label: "Breakout" },
] as const;
export const RISK_CHOICES = [
  { value: "", label: "Any risk" },
  { value: "low", label: "Low risk" },
  { value: "medium", label: "Medium risk" },
  { value: "high", label: "High risk" },
] as const;
export const COMPLEXITY_CHOICES = [
  { value: "", label: "Any complexity" },
  { value: "1", label: "Simple" },
  { value: "2", label: "Moderate" },
  { value: "3", label: "Advanced" },
] as const;

export type FilterName = "market" | "timeframe" | "tag" | "risk" | "complexity";

const pick = <T extends string>(choices: readonly { value: string }[], raw: string | undefined): T | undefined =>
  raw && choices.some((c) => c.value === raw) ? (raw as T) : undefined;

export function parseLibraryFilters(sp: SearchParams): LibraryFilters {
  const complexity = pick<"1" | "2" | "3">(COMPLEXITY_CHOICES, firstParam(sp.complexity));
  return {
    market: pick(MARKET_CHOICES, firstParam(sp.market)),
    timeframe: pick(TIMEFRAME_CHOICES, firstParam(sp.timeframe)),
    tag: pick(TAG_CHOICES, firstParam(sp.tag)),
    risk: pick(RISK_CHOICES, firstParam(sp.risk)),
    complexity: complexity ? (Number(complexity) as 1 | 2 | 3) : undefined,
  };
}

export function libraryHref(f: LibraryFilters): string {
  return hrefWith("/strategies", { market: f.market, timeframe: f.timeframe, tag: f.tag, risk: f.risk, complexity: f.complexity });
}

export function withFilter(f: LibraryFilters, name: FilterName, value: string): LibraryFilters {
  const v = value === "" ? undefined : value;
  return { ...f, [name]: name === "complexity" && v ? Number(v) : v } as LibraryFilters;
}

export const isFiltered = (f: LibraryFilters) => Boolean(f.market || f.timeframe || f.tag || f.risk || f.complexity);

/**
 * The marketplace's filters as the URL holds them: what each may be, how an untrusted query string reads (anything
 * malformed falls back to the default instead of failing the page), and the canonical URL of a set of filters. Pure:
 * the server page parses with it and the client filter controls navigate with it.
 */
import { WINDOW_LABEL, type StatsWindowKey } from "@/components/track-record/format";
import { firstParam, hrefWith, parsePageParam, textParam, type SearchParams } from "@/lib/search-params";
import type { MARKET_OPTIONS } from "@/lib/validation/providers";

export type Market = (typeof MARKET_OPTIONS)[number];
export type Sort = "score" | "roi" | "winRate" | "maxDrawdown" | "subscribers" | "newest";

export const WINDOWS = ["30d", "90d", "1y", "all"] as const satisfies readonly StatsWindowKey[];
export const DEFAULT_WINDOW: StatsWindowKey = "90d";
export const SORTS: { value: Sort; label: string }[] = [
  { value: "score", label: "Risk-adjusted score" },
  { value: "roi", label: "ROI" },
  { value: "winRate", label: "Win rate" },
  { value: "maxDrawdown", label: "Max drawdown" },
  { value: "subscribers", label: "Subscribers" },
  { value: "newest", label: "Newest" },
];
export const SORT_PHRASE: Record<Sort, string> = {
  score: "risk-adjusted score, ranked providers first",
  roi: "ROI",
  winRate: "win rate",
  maxDrawdown: "smallest max drawdown",
  subscribers: "subscribers",
  newest: "newest first",
};
/** Monthly price caps offered, in whole dollars. */
export const PRICE_CAPS = [3, 5, 10, 20, 50] as const;
export const AGE_OPTIONS = [30, 90, 180, 365] as const;

export const WINDOW_OPTIONS = WINDOWS.map((w) => ({ value: w, label: w === "all" ? "All time" : `Last ${WINDOW_LABEL[w]}` }));
export const PRICE_OPTIONS = [{ value: "", label: "Any price" }, ...PRICE_CAPS.map((p) => ({ value: String(p), label: `Up to $${p}` }))];
export const AGE_SELECT_OPTIONS = [
  { value: "", label: "Any age" },
  ...AGE_OPTIONS.map((d) => ({ value: String(d), label: d === 365 ? "1 year or more" : `${d} days or more` })),
];

export interface Filters {
  q: string;
  market?: Market;
  maxPrice?: (typeof PRICE_CAPS)[number];
  minAge?: (typeof AGE_OPTIONS)[number];
  window: StatsWindowKey;
  sort: Sort;
  page: number;
}

const pick = <T extends string | number>(options: readonly T[], raw: string | undefined): T | undefined => options.find((o) => String(o) === raw);

/** URL input is untrusted: anything malformed falls back to the default; a market not offered is no market filter. */
export function parseFilters(sp: SearchParams, markets: readonly Market[]): Filters {
  return {
    q: textParam(sp.q, 80),
    market: pick(markets, firstParam(sp.market)),
    maxPrice: pick(PRICE_CAPS, firstParam(sp.maxPrice)),
    minAge: pick(AGE_OPTIONS, firstParam(sp.minAge)),
    window: pick(WINDOWS, firstParam(sp.window)) ?? DEFAULT_WINDOW,
    sort:
      pick(
        SORTS.map((s) => s.value),
        firstParam(sp.sort),
      ) ?? "score",
    page: parsePageParam(sp.page),
  };
}

/** One select's value as the filters take it ("" is "any"). */
export function withSelect(f: Filters, name: "window" | "sort" | "maxPrice" | "minAge", value: string): Filters {
  const next = { ...f, page: 1 };
  if (name === "window") next.window = pick(WINDOWS, value) ?? DEFAULT_WINDOW;
  if (name === "sort") next.sort = pick(SORTS.map((s) => s.value), value) ?? "score";
  if (name === "maxPrice") next.maxPrice = pick(PRICE_CAPS, value);
  if (name === "minAge") next.minAge = pick(AGE_OPTIONS, value);
  return next;
}

/** The canonical URL: defaults and page 1 left out. */
export function hrefFor(f: Filters): string {
  return hrefWith("/providers", {
    q: f.q,
    market: f.market,
    maxPrice: f.maxPrice,
    minAge: f.minAge,
    window: f.window === DEFAULT_WINDOW ? undefined : f.window,
    sort: f.sort === "score" ? undefined : f.sort,
    page: f.page,
  });
}

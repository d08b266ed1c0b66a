import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { buttonClass, ButtonLink } from "@/components/ui/button";
import { Badge, EmptyState, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { SearchInput } from "@/components/ui/field";
import { pageCount, Pagination } from "@/components/ui/pagination";
import { SelectField, type SelectFieldOption } from "@/components/ui/select";
import { drawdown, percent, ratio, toneClass, WINDOW_LABEL, type Figure, type StatsWindowKey } from "@/components/track-record/format";
import { rankingProgress, RANKING_RULE } from "@/components/track-record/ranking";
import { SyntheticPricesBadge, SyntheticPricesNotice } from "@/components/track-record/synthetic-prices";
import { formatCents } from "@/lib/money";
import { MIN_CLOSED_SIGNALS, MIN_TRACK_RECORD_DAYS } from "@/lib/stats/constants";
import { firstParam, hrefWith, parsePageParam, textParam, type SearchParams } from "@/lib/search-params";
import { MARKET_OPTIONS } from "@/lib/validation/providers";
import { api } from "@/trpc/server";
import { formatCount } from "@/lib/format/numbers";
import { marketLabel } from "@/lib/labels";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Marketplace",
  description:
    "Compare trading signal providers by verified, risk-adjusted track records: ROI, win rate, drawdown and Sharpe from hash-chained signals.",
};

type Market = (typeof MARKET_OPTIONS)[number];
type Sort = "score" | "roi" | "winRate" | "maxDrawdown" | "subscribers" | "newest";

const PAGE_SIZE = 12;

const WINDOWS = ["30d", "90d", "1y", "all"] as const satisfies readonly StatsWindowKey[];
const DEFAULT_WINDOW: StatsWindowKey = "90d";
const SORTS: { value: Sort; label: string }[] = [
  { value: "score", label: "Score" },
  { value: "roi", label: "ROI" },
  { value: "winRate", label: "Win rate" },
  { value: "maxDrawdown", label: "Max drawdown" },
  { value: "subscribers", label: "Subscribers" },
  { value: "newest", label: "Newest" },
];
const SORT_PHRASE: Record<Sort, string> = {
  score: "risk-adjusted score",
  roi: "ROI",
  winRate: "win rate",
  maxDrawdown: "smallest max drawdown",
  subscribers: "subscribers",
  newest: "newest first",
};
/** Monthly price caps offered, in whole dollars. */
const PRICE_CAPS = [3, 5, 10, 20, 50] as const;
const AGE_OPTIONS = [30, 90, 180, 365] as const;

interface Filters {
  q: string;
  market?: Market;
  maxPrice?: (typeof PRICE_CAPS)[number];
  minAge?: (typeof AGE_OPTIONS)[number];
  window: StatsWindowKey;
  sort: Sort;
  page: number;
}

/** URL input is untrusted: anything malformed falls back to the default instead of failing the page. */
function parseFilters(sp: SearchParams): Filters {
  const pick = <T extends string | number>(options: readonly T[], raw: string | undefined): T | undefined =>
    options.find((o) => String(o) === raw);
  return {
    q: textParam(sp.q, 80),
    market: pick(MARKET_OPTIONS, firstParam(sp.market)),
    maxPrice: pick(PRICE_CAPS, firstParam(sp.maxPrice)),
    minAge: pick(AGE_OPTIONS, firstParam(sp.minAge)),
    window: pick(WINDOWS, firstParam(sp.window)) ?? DEFAULT_WINDOW,
    sort: pick(
      SORTS.map((s) => s.value),
      firstParam(sp.sort),
    ) ?? "score",
    page: parsePageParam(sp.page),
  };
}

function hrefFor(f: Filters) {
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

export default async function ProvidersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = parseFilters(await searchParams);
  const caller = await api();
  const narrowed = Boolean(filters.q || filters.market || filters.maxPrice || filters.minAge);
  const result = await caller.providers.leaderboard({
      q: filters.q || undefined,
      market: filters.market,
      maxPriceCents: filters.maxPrice === undefined ? undefined : filters.maxPrice * 100,
      minAgeDays: filters.minAge,
      window: filters.window,
      sort: filters.sort,
      page: filters.page,
      pageSize: PAGE_SIZE,
  });
  const { totalPages, beyond } = pageCount(result.total, PAGE_SIZE, filters.page);
  if (beyond) redirect(hrefFor({ ...filters, page: beyond }));


  const filtered = narrowed || filters.window !== DEFAULT_WINDOW || filters.sort !== "score";
  const now = new Date();

  return (
    <>
      <PageHeader
        title="Marketplace"
        description="Signal providers with verified track records. Every figure is computed by Tradsy from hash-chained signals and recorded prices, never entered by the provider."
      />

      {/* Keyed by the URL's filters: the fields are uncontrolled, so a chip or reset link must remount them to show the new values. */}
      <form
        key={hrefFor({ ...filters, page: 1 })}
        action="/providers"
        method="get"
        role="search"
        aria-label="Find providers"
        className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs"
      >
        {filters.market ? <input type="hidden" name="market" value={filters.market} /> : null}
        <div className="flex flex-col gap-2 sm:flex-row">
          <label htmlFor="provider-search" className="sr-only">
            Search providers
          </label>
          <SearchInput id="provider-search" name="q" defaultValue={filters.q} maxLength={80} placeholder="Search by name or strategy" />
          <button type="submit" className={buttonClass("primary", "md", "shrink-0")}>
            Search
          </button>
        </div>

        <div className="mt-4 grid grid-cols-2 gap-3 md:grid-cols-4">
          <FilterSelect
            label="Figures over"
            name="window"
            value={filters.window}
            options={WINDOWS.map((w) => ({ value: w, label: w === "all" ? "All time" : `Last ${WINDOW_LABEL[w]}` }))}
          />
          <FilterSelect label="Sort by" name="sort" value={filters.sort} options={SORTS} />
          <FilterSelect
            label="Max price / month"
            name="maxPrice"
            value={filters.maxPrice === undefined ? "" : String(filters.maxPrice)}
            options={[{ value: "", label: "Any price" }, ...PRICE_CAPS.map((p) => ({ value: String(p), label: `Up to $${p}` }))]}
          />
          <FilterSelect
            label="Track record"
            name="minAge"
            value={filters.minAge === undefined ? "" : String(filters.minAge)}
            options={[{ value: "", label: "Any age" }, ...AGE_OPTIONS.map((d) => ({ value: String(d), label: d === 365 ? "1 year or more" : `${d} days or more` }))]}
          />
        </div>

        <div className="mt-4 flex flex-col gap-3 border-t border-slate-100 pt-4 sm:flex-row sm:items-center sm:justify-between">
          <nav aria-label="Filter by market">
            <ul className="flex flex-wrap gap-2">
              <li>
                <MarketChip href={hrefFor({ ...filters, market: undefined, page: 1 })} active={!filters.market}>
                  All markets
                </MarketChip>
              </li>
              {MARKET_OPTIONS.map((m) => (
                <li key={m}>
                  <MarketChip href={hrefFor({ ...filters, market: m, page: 1 })} active={filters.market === m}>
                    {marketLabel(m)}
                  </MarketChip>
                </li>
              ))}
            </ul>
          </nav>
          <button type="submit" className={buttonClass("secondary", "md", "shrink-0")}>
            Apply filters
          </button>
        </div>
      </form>

      <div className="mt-6 flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-slate-600" aria-live="polite">
          {describeResults(result.total, filters)}
        </p>
        {filtered ? (
          <Link href="/providers" className="text-sm font-medium text-brand-700 underline-offset-4 hover:underline">
            Reset filters
          </Link>
        ) : null}
      </div>


      {result.items.length ? (
        <>
          {result.syntheticPrices ? <SyntheticPricesNotice className="mt-3" /> : null}
          <p className="mt-3 flex items-start gap-2 rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">
            <svg viewBox="0 0 24 24" className="mt-0.5 size-4 shrink-0 text-brand-700" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
              <circle cx="12" cy="12" r="9" />
              <path d="M12 11v5M12 8h.01" strokeLinecap="round" />
            </svg>
            <span>
              <strong className="font-semibold text-slate-900">Ranked by risk, not raw ROI.</strong> The score is the Sharpe ratio weighted by
              sample size, so a steady record outranks a lucky streak with deep drawdowns. A provider is ranked once the track record is{" "}
              {MIN_TRACK_RECORD_DAYS} days old and the window holds {MIN_CLOSED_SIGNALS} closed signals. Figures use a standard $10,000 account, after fees.
            </span>
          </p>
          <ul className="mt-4 grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
            {result.items.map((p) => (
              <ProviderCard key={p.id} p={p} rank={p.stats?.rank ?? undefined} window={filters.window} now={now} synthetic={result.syntheticPrices} />
            ))}
          </ul>
          <Pagination page={filters.page} totalPages={totalPages} hrefFor={(page) => hrefFor({ ...filters, page })} />
        </>
      ) : (
        <div className="mt-6">
          {narrowed ? (
            <EmptyState
              icon={<SearchIcon />}
              title="No providers match your filters"
              action={
                <ButtonLink href="/providers" variant="secondary">
                  Reset filters
                </ButtonLink>
              }
            >
              {filters.q ? <>Nothing matches &ldquo;{filters.q}&rdquo; with these filters. </> : null}
              Try another market, a higher price cap or a shorter track record.
            </EmptyState>
          ) : (
            <EmptyState icon={<SearchIcon />} title="No providers yet" action={<ButtonLink href="/signup?role=provider">Become a provider</ButtonLink>}>
              The marketplace is open. The first providers to publish start building their verified record from day one.
            </EmptyState>
          )}
        </div>
      )}
    </>
  );
}

type LeaderboardItem = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["providers"]["leaderboard"]>>["items"][number];

function ProviderCard({ p, rank, window: w, now, synthetic }: { p: LeaderboardItem; rank?: number; window: StatsWindowKey; now: Date; synthetic: boolean }) {
  const s = p.stats;
  const hasFigures = Boolean(s && s.closedSignals > 0);
  const progress = s?.ranked ? "" : rankingProgress(s, now);
  return (
    <li className="group relative flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-xs transition-shadow has-[a:focus-visible]:ring-2 has-[a:focus-visible]:ring-brand-600 hover:border-slate-300 hover:shadow-md">
      <div className="flex items-start justify-between gap-3">
        <h2 className="min-w-0 text-base font-semibold text-slate-900">
          <Link href={`/providers/${p.slug}`} className="after:absolute after:inset-0 focus-visible:outline-none group-hover:text-brand-800">
            {p.displayName}
          </Link>
        </h2>
        {s?.ranked ? (
          <span className="inline-flex shrink-0 items-center gap-1 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-semibold text-emerald-800 ring-1 ring-emerald-200 tabular-nums">
            {rank ? `Ranked #${rank}` : "Ranked"}
          </span>
        ) : (
          <span className="inline-flex shrink-0 items-center rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600">Unranked</span>
        )}
      </div>
      <p className="mt-1 line-clamp-2 text-sm text-slate-600">{p.tagline || "This provider hasn't written a tagline yet."}</p>
      {synthetic ? <SyntheticPricesBadge className="mt-2 self-start" /> : null}
      {p.markets.length ? (
        <ul className="mt-3 flex flex-wrap gap-1.5" aria-label="Markets">
          {p.markets.map((m) => (
            <li key={m}>
              <Badge>{marketLabel(m)}</Badge>
            </li>
          ))}
        </ul>
      ) : null}

      {hasFigures && s ? (
        <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-3 rounded-md bg-slate-50 px-3 py-3" aria-label={`Figures over ${w === "all" ? "all time" : `the last ${WINDOW_LABEL[w]}`}`}>
          <Stat label="ROI" figure={percent(s.roi)} />
          <Stat label="Win rate" figure={percent(s.winRate, { signed: false })} />
          <Stat label="Max drawdown" figure={drawdown(s.maxDrawdown)} />
          <Stat label="Sharpe" figure={ratio(s.sharpe)} />
        </dl>
      ) : (
        <p className="mt-4 rounded-md bg-slate-50 px-3 py-3 text-sm text-slate-500">
          {s ? `No signals closed ${w === "all" ? "yet" : `in the last ${WINDOW_LABEL[w]}`}.` : "No closed signals yet: figures start with the first close."}
        </p>
      )}

      <p className="mt-3 flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-500 tabular-nums">
        <span>
          <span className="font-medium text-slate-700">{formatCount(s?.closedSignals ?? 0)}</span> closed signals
        </span>
        <span>
          <span className="font-medium text-slate-700">{formatCount(p.subscribers)}</span>{" "}
          {p.subscribers === 1 ? "subscriber" : "subscribers"}
        </span>
        {s?.ranked && s.score ? (
          <span>
            Score <span className="font-medium text-slate-700">{ratio(s.score, { toned: false }).text}</span>
          </span>
        ) : null}
      </p>
      {!s?.ranked ? (
        <p className="mt-1 text-xs text-slate-500">
          Unranked: {RANKING_RULE}
          {progress ? <span className="text-slate-400"> ({progress})</span> : null}
        </p>
      ) : null}
      <div className="min-h-4 flex-1" aria-hidden="true" />

      <div className="flex flex-wrap items-end justify-between gap-2 border-t border-slate-100 pt-4">
        <p>
          <span className="text-lg font-semibold text-slate-900 tabular-nums">{formatCents(p.priceCents)}</span>
          <span className="text-sm text-slate-500"> / month</span>
        </p>
        {p.trialDays > 0 ? <Badge tone="green">{p.trialDays}-day free trial</Badge> : null}
      </div>
    </li>
  );
}

function Stat({ label, figure }: { label: string; figure: Figure }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={cn("text-base font-semibold tabular-nums", toneClass[figure.tone])}>{figure.text}</dd>
    </div>
  );
}

function FilterSelect({ label, name, value, options }: { label: string; name: string; value: string; options: SelectFieldOption[] }) {
  return (
    <SelectField
      id={`filter-${name}`}
      label={label}
      labelClassName="text-xs text-slate-600"
      name={name}
      defaultValue={value}
      options={options}
      triggerClassName="px-2.5"
    />
  );
}

function describeResults(total: number, f: Filters) {
  const noun = total === 1 ? "provider" : "providers";
  const parts = [`${formatCount(total)} ${noun}`];
  if (f.q) parts[0] += ` matching “${f.q}”`;
  if (f.market) parts[0] += ` in ${marketLabel(f.market)}`;
  parts.push(f.window === "all" ? "all-time figures" : `figures over the last ${WINDOW_LABEL[f.window]}`);
  parts.push(`sorted by ${SORT_PHRASE[f.sort]}`);
  return parts.join(" · ");
}

function MarketChip({ href, active, children }: { href: string; active: boolean; children: ReactNode }) {
  return (
    <Link
      href={href}
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

function SearchIcon() {
  return (
    <svg viewBox="0 0 24 24" className="size-8" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" aria-hidden="true">
      <circle cx="11" cy="11" r="7" />
      <path d="M20 20l-3.5-3.5" />
    </svg>
  );
}

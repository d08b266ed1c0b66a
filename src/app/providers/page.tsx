import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ButtonLink } from "@/components/ui/button";
import { Badge, EmptyState, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { pageCount, Pagination } from "@/components/ui/pagination";
import { drawdown, percent, ratio, toneClass, WINDOW_LABEL, type Figure, type StatsWindowKey } from "@/components/track-record/format";
import { RANK_GROUP_HEADING, rankBadge, rankGroup, RANKING_RULE, signedScore, unrankedReason, type RankGroup } from "@/components/track-record/ranking";
import { PriceSourceNotice } from "@/components/track-record/price-source";
import { SyntheticPricesBadge } from "@/components/track-record/synthetic-prices";
import { formatCents } from "@/lib/money";
import { MIN_CLOSED_SIGNALS, MIN_TRACK_RECORD_DAYS } from "@/lib/stats/constants";
import type { SearchParams } from "@/lib/search-params";
import { api } from "@/trpc/server";
import { auth } from "@/server/auth";
import { markMarketplaceBrowsed } from "@/server/services/onboarding";
import { formatCount } from "@/lib/format/numbers";
import { marketLabel } from "@/lib/labels";
import { DEFAULT_WINDOW, hrefFor, parseFilters, SORT_PHRASE, type Filters } from "./filter-params";
import { MarketplaceFilters } from "./filters";
import { WeeklyDigestForm } from "./weekly-digest-form";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Marketplace",
  description:
    "Compare trading signal providers by verified, risk-adjusted track records: ROI, win rate, drawdown and Sharpe from hash-chained signals.",
};

const PAGE_SIZE = 12;

export default async function ProvidersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const caller = await api();
  const session = await auth();
  // The trader checklist's "browse the marketplace" step: one UPDATE, writing only the first time.
  if (session) await markMarketplaceBrowsed(session.user.id);
  const markets = await caller.providers.markets();
  const filters = parseFilters(await searchParams, markets.offered);
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
  const { source: priceSource } = await caller.marketData.priceSource();
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

      <MarketplaceFilters filters={filters} offered={markets.offered} coming={markets.coming} />

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
          <PriceSourceNotice source={priceSource} now={now} className="mt-3" />
          <p className="mt-3 flex items-start gap-2 rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">
            <svg viewBox="0 0 24 24" className="mt-0.5 size-4 shrink-0 text-brand-700" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
              <circle cx="12" cy="12" r="9" />
              <path d="M12 11v5M12 8h.01" strokeLinecap="round" />
            </svg>
            <span>
              <strong className="font-semibold text-slate-900">Ranked by risk-adjusted score, not raw ROI.</strong> The score is the Sharpe ratio
              weighted by sample size, so a steady record outranks a lucky streak with deep drawdowns; a negative score (shown with its minus
              sign) means the record lost money for the risk it took. A provider is ranked once the track record is {MIN_TRACK_RECORD_DAYS} days
              old and the window holds {MIN_CLOSED_SIGNALS} closed signals; sorted by score, the ranked come first and the others follow under
              &ldquo;Not ranked yet&rdquo;, each with what it still needs. Figures use a standard $10,000 account, after fees.
            </span>
          </p>
          {groupsOf(result.items, filters.sort).map((g) => (
            <section key={g.group ?? "all"} aria-labelledby={g.group ? `group-${g.group}` : undefined} className="mt-4">
              {g.group ? <GroupHeading group={g.group} /> : <h2 className="sr-only">Providers, sorted by {SORT_PHRASE[filters.sort]}</h2>}
              <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
                {g.items.map((p) => (
                  <ProviderCard key={p.id} p={p} window={filters.window} now={now} synthetic={result.syntheticPrices} />
                ))}
              </ul>
            </section>
          ))}
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

      <section aria-label="Weekly digest" className="mt-10 max-w-md">
        <WeeklyDigestForm />
      </section>
    </>
  );
}

type LeaderboardItem = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["providers"]["leaderboard"]>>["items"][number];

/**
 * The page's cards in the groups a score-ordered list has (ranked, ranked with a negative score, not ranked yet:
 * the order the leaderboard returns them in), each under its heading; other sorts are one list.
 */
function groupsOf(items: LeaderboardItem[], sort: Filters["sort"]): { group: RankGroup | null; items: LeaderboardItem[] }[] {
  if (sort !== "score") return [{ group: null, items }];
  const groups: { group: RankGroup; items: LeaderboardItem[] }[] = [];
  for (const item of items) {
    const group = rankGroup(item.stats);
    const last = groups.at(-1);
    if (last?.group === group) last.items.push(item);
    else groups.push({ group, items: [item] });
  }
  return groups;
}

function GroupHeading({ group }: { group: RankGroup }) {
  const { title, note } = RANK_GROUP_HEADING[group];
  return (
    <div className="mb-3 flex flex-wrap items-baseline gap-x-3 gap-y-1 border-b border-slate-200 pb-2">
      <h2 id={`group-${group}`} className={cn("text-sm font-semibold", group === "negative" ? "text-loss" : "text-slate-900")}>
        {title}
      </h2>
      <p className="text-xs text-slate-500">{note}</p>
    </div>
  );
}

const BADGE_TONE = {
  green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  red: "bg-red-50 text-red-800 ring-red-200",
  slate: "bg-slate-100 text-slate-600 ring-transparent",
} as const;

function ProviderCard({ p, window: w, now, synthetic }: { p: LeaderboardItem; window: StatsWindowKey; now: Date; synthetic: boolean }) {
  const s = p.stats;
  const hasFigures = Boolean(s && s.closedSignals > 0);
  const badge = rankBadge(s, now);
  const reason = unrankedReason(s, now);
  return (
    <li className="group relative flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-xs transition-shadow has-[a:focus-visible]:ring-2 has-[a:focus-visible]:ring-brand-600 hover:border-slate-300 hover:shadow-md">
      <div className="flex items-start justify-between gap-3">
        <h3 className="min-w-0 text-base font-semibold text-slate-900">
          <Link href={`/providers/${p.slug}`} className="after:absolute after:inset-0 focus-visible:outline-none group-hover:text-brand-800">
            {p.displayName}
          </Link>
        </h3>
        <span
          title={badge.label}
          className={cn("inline-flex shrink-0 items-center rounded-full px-2 py-0.5 text-xs font-semibold whitespace-nowrap ring-1 tabular-nums", BADGE_TONE[badge.tone])}
        >
          {badge.tone === "slate" ? (
            badge.text
          ) : (
            <>
              <span aria-hidden="true">{badge.text}</span>
              <span className="sr-only">{badge.label}</span>
            </>
          )}
        </span>
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
            Risk-adjusted score{" "}
            <span className={cn("font-medium", Number(s.score) < 0 ? "text-loss" : "text-slate-700")}>{signedScore(s.score)}</span>
          </span>
        ) : null}
      </p>
      {reason ? (
        <p className="mt-1 text-xs text-slate-500">
          <span className="font-medium text-slate-700">Unranked:</span> {reason}
          <span className="text-slate-400"> (ranking {RANKING_RULE})</span>
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

function describeResults(total: number, f: Filters) {
  const noun = total === 1 ? "provider" : "providers";
  const parts = [`${formatCount(total)} ${noun}`];
  if (f.q) parts[0] += ` matching “${f.q}”`;
  if (f.market) parts[0] += ` in ${marketLabel(f.market)}`;
  parts.push(f.window === "all" ? "all-time figures" : `figures over the last ${WINDOW_LABEL[f.window]}`);
  parts.push(`sorted by ${SORT_PHRASE[f.sort]}`);
  return parts.join(" · ");
}

function SearchIcon() {
  return (
    <svg viewBox="0 0 24 24" className="size-8" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" aria-hidden="true">
      <circle cx="11" cy="11" r="7" />
      <path d="M20 20l-3.5-3.5" />
    </svg>
  );
}

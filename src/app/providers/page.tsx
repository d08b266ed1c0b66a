import { Pagination } from "@/components/ui/pagination";
import { firstParam, parsePageParam, type SearchParams } from "@/lib/search-params";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass, ButtonLink } from "@/components/ui/button";
import { Badge, EmptyState, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { formatCents } from "@/lib/money";
import { MARKET_OPTIONS } from "@/lib/validation/providers";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Marketplace",
  description: "Browse trading signal providers with tamper-evident track records. Filter by market and compare monthly prices.",
};

type Market = (typeof MARKET_OPTIONS)[number];

const PAGE_SIZE = 12;
const MARKET_LABEL: Record<Market, string> = {
  crypto: "Crypto",
  forex: "Forex",
  stocks: "Stocks",
  futures: "Futures",
  commodities: "Commodities",
};
const monthYear = new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" });



/** URL input is untrusted: anything malformed falls back to the default instead of failing the page. */
function parseFilters(sp: SearchParams): { q: string; market?: Market; page: number } {
  const q = (firstParam(sp.q) ?? "").trim().slice(0, 80);
  const rawMarket = firstParam(sp.market);
  const market = MARKET_OPTIONS.find((m) => m === rawMarket);
  return { q, market, page: parsePageParam(sp.page) };
}

function hrefFor(f: { q: string; market?: Market; page: number }) {
  const params = new URLSearchParams();
  if (f.q) params.set("q", f.q);
  if (f.market) params.set("market", f.market);
  if (f.page > 1) params.set("page", String(f.page));
  const qs = params.toString();
  return qs ? `/providers?${qs}` : "/providers";
}

export default async function ProvidersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = parseFilters(await searchParams);
  const caller = await api();
  const result = await caller.providers.list({
    q: filters.q || undefined,
    market: filters.market,
    page: filters.page,
    pageSize: PAGE_SIZE,
  });
  const totalPages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  if (result.total > 0 && filters.page > totalPages) redirect(hrefFor({ ...filters, page: totalPages }));

  const filtered = Boolean(filters.q || filters.market);
  const summary = describeResults(result.total, filters);

  return (
    <>
      <PageHeader
        title="Marketplace"
        description="Signal providers with tamper-evident track records. Search by name or strategy, or narrow the list to one market."
      />

      <div className="space-y-4">
        <form action="/providers" method="get" role="search" className="flex flex-col gap-2 sm:flex-row">
          <label htmlFor="provider-search" className="sr-only">
            Search providers
          </label>
          <input
            id="provider-search"
            type="search"
            name="q"
            defaultValue={filters.q}
            maxLength={80}
            placeholder="Search by name or strategy"
            className="block h-10 w-full rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none sm:max-w-md"
          />
          {filters.market ? <input type="hidden" name="market" value={filters.market} /> : null}
          <button type="submit" className={buttonClass("primary", "md", "shrink-0")}>
            Search
          </button>
        </form>

        <nav aria-label="Filter by market">
          <ul className="flex flex-wrap gap-2">
            <li>
              <MarketChip href={hrefFor({ q: filters.q, page: 1 })} active={!filters.market}>
                All markets
              </MarketChip>
            </li>
            {MARKET_OPTIONS.map((m) => (
              <li key={m}>
                <MarketChip href={hrefFor({ q: filters.q, market: m, page: 1 })} active={filters.market === m}>
                  {MARKET_LABEL[m]}
                </MarketChip>
              </li>
            ))}
          </ul>
        </nav>
      </div>

      <div className="mt-6 flex flex-col gap-3 border-t border-slate-200 pt-4 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-slate-600" aria-live="polite">
          {summary}
        </p>
        {filtered ? (
          <Link href="/providers" className="text-sm font-medium text-brand-700 underline-offset-4 hover:underline">
            Clear filters
          </Link>
        ) : null}
      </div>

      {result.items.length ? (
        <>
          <p className="mt-4 flex items-start gap-2 rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">
            <svg viewBox="0 0 24 24" className="mt-0.5 size-4 shrink-0 text-brand-700" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
              <circle cx="12" cy="12" r="9" />
              <path d="M12 11v5M12 8h.01" strokeLinecap="round" />
            </svg>
            <span>
              Performance stats (win rate, return, drawdown) appear on each profile once the provider publishes signals. They are computed
              from the hash-chained signal history, so nothing can be filled in after the fact.
            </span>
          </p>
          <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {result.items.map((p) => (
              <li
                key={p.id}
                className="group relative flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-xs transition-shadow has-[a:focus-visible]:ring-2 has-[a:focus-visible]:ring-brand-600 hover:border-slate-300 hover:shadow-md"
              >
                <h2 className="text-base font-semibold text-slate-900">
                  <Link href={`/providers/${p.slug}`} className="after:absolute after:inset-0 focus-visible:outline-none group-hover:text-brand-800">
                    {p.displayName}
                  </Link>
                </h2>
                <p className="mt-1 line-clamp-2 text-sm text-slate-600">{p.tagline || "This provider hasn't written a tagline yet."}</p>
                {p.markets.length ? (
                  <ul className="mt-4 flex flex-wrap gap-1.5" aria-label="Markets">
                    {p.markets.map((m) => (
                      <li key={m}>
                        <Badge>{MARKET_LABEL[m]}</Badge>
                      </li>
                    ))}
                  </ul>
                ) : null}
                <div className="mt-auto flex flex-wrap items-end justify-between gap-2 border-t border-slate-100 pt-4">
                  <p>
                    <span className="text-lg font-semibold text-slate-900 tabular-nums">{formatCents(p.priceCents)}</span>
                    <span className="text-sm text-slate-500"> / month</span>
                  </p>
                  {p.trialDays > 0 ? <Badge tone="green">{p.trialDays}-day free trial</Badge> : null}
                </div>
                <p className="mt-2 text-xs text-slate-500">Track record since {monthYear.format(p.createdAt)}</p>
              </li>
            ))}
          </ul>
          <Pagination page={filters.page} totalPages={totalPages} hrefFor={(page) => hrefFor({ ...filters, page })} />
        </>
      ) : (
        <div className="mt-6">
          {filtered ? (
            <EmptyState
              icon={<SearchIcon />}
              title="No providers match your filters"
              action={
                <ButtonLink href="/providers" variant="secondary">
                  Clear filters
                </ButtonLink>
              }
            >
              {filters.q ? (
                <>
                  Nothing matches &ldquo;{filters.q}&rdquo;{filters.market ? ` in ${MARKET_LABEL[filters.market]}` : ""}. Try a shorter search
                  or another market.
                </>
              ) : (
                <>No providers trade {filters.market ? MARKET_LABEL[filters.market] : "this market"} yet. Try another market.</>
              )}
            </EmptyState>
          ) : (
            <EmptyState
              icon={<SearchIcon />}
              title="No providers yet"
              action={<ButtonLink href="/signup?role=provider">Become a provider</ButtonLink>}
            >
              The marketplace is open. The first providers to publish start building their verified record from day one.
            </EmptyState>
          )}
        </div>
      )}
    </>
  );
}

function describeResults(total: number, f: { q: string; market?: Market }) {
  const noun = total === 1 ? "provider" : "providers";
  let text = `${total.toLocaleString("en-US")} ${noun}`;
  if (f.q) text += ` matching “${f.q}”`;
  if (f.market) text += ` in ${MARKET_LABEL[f.market]}`;
  return text;
}

function MarketChip({ href, active, children }: { href: string; active: boolean; children: string }) {
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

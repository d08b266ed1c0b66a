import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import type { CSSProperties, ReactNode } from "react";
import { ButtonLink } from "@/components/ui/button";
import { Alert, Badge, Card, CardBody, CardHeader, EmptyState } from "@/components/ui/card";
import { pageCount } from "@/components/ui/pagination";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { buildChartData, describeCurve } from "@/components/track-record/chart-data";
import { toChartWire } from "@/components/track-record/chart-wire";
import { METHOD_NOTES, METRIC_DEFINITION, METRIC_LABEL, type MetricKey } from "@/components/track-record/definitions";
import { EquityChart } from "@/components/track-record/equity-chart";
import { drawdown, hashPrefix, percent, ratio, utcDate } from "@/components/track-record/format";
import { OpenSignalList } from "@/components/track-record/open-signals";
import { FigureText, SignalHistory } from "@/components/track-record/signal-history";
import { StatsTabs } from "@/components/track-record/stats-tabs";
import { InstrumentPriceSources } from "@/components/track-record/price-source";
import { SyntheticPricesBadge, SyntheticPricesNotice } from "@/components/track-record/synthetic-prices";
import type { StatsByWindow } from "@/components/track-record/types";
import { formatDate } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import { marketLabel } from "@/lib/labels";
import { firstParam, parsePageParam, type SearchParams } from "@/lib/search-params";
import { auth } from "@/server/auth";
import { markMarketplaceBrowsed } from "@/server/services/onboarding";
import { CLOSE_MARK_WINDOW, closeMarks } from "@/server/services/stats/close-marks";
import { api } from "@/trpc/server";
import { LiveUpdates } from "./client";
import { getProviderBySlug } from "./provider";
import { profileHref, profileTab, ProfileTabs } from "./sections";
import { SubscribePanel } from "./subscribe-panel";
import { CopyPanel } from "./copy-panel";
import { WeeklyDigestForm } from "../weekly-digest-form";
import { ExecutionQuality } from "@/components/copy/execution-quality";

export const dynamic = "force-dynamic";

const HISTORY_PAGE_SIZE = 20;
const OPEN_LIMIT = 20;

type Params = Promise<{ slug: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { slug } = await params;
  const provider = await getProviderBySlug(slug);
  if (!provider) return { title: "Provider not found" };
  return {
    title: provider.displayName,
    description: provider.tagline || `${provider.displayName} publishes trading signals on Tradsy with a tamper-evident track record.`,
  };
}

function initials(name: string) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join("");
}

const isFull = <T extends { visibility: string }>(s: T): s is Extract<T, { visibility: "full" }> => s.visibility === "full";

export default async function ProviderProfilePage({ params, searchParams }: { params: Params; searchParams: Promise<SearchParams> }) {
  const [{ slug }, sp] = await Promise.all([params, searchParams]);
  const [provider, session] = await Promise.all([getProviderBySlug(slug), auth()]);
  if (!provider) notFound();
  // The trader checklist's "browse the marketplace" step: one UPDATE, writing only the first time.
  if (session) await markMarketplaceBrowsed(session.user.id);

  const tab = profileTab(sp);
  const historyPage = tab === "history" ? parsePageParam(sp.history) : 1;
  const caller = await api();
  // Every read at once. The finished signals are read a page at a time, and outside the history tab only their
  // count is shown (the tab's label, the details), so one row is asked for there.
  const [record, open, history, closes, subscribe, prices, execution] = await Promise.all([
    caller.providers.trackRecord({ slug: provider.slug }),
    caller.signals.forProvider({ slug: provider.slug, status: "live", page: 1, pageSize: OPEN_LIMIT }),
    caller.signals.forProvider({ slug: provider.slug, status: "done", page: historyPage, pageSize: tab === "history" ? HISTORY_PAGE_SIZE : 1 }),
    closeMarks(provider.id),
    caller.billing.subscribeState({ providerId: provider.id }),
    tab === "overview" ? caller.marketData.priceSource({ providerSlug: provider.slug }) : null,
    tab === "overview" ? caller.copy.executionQuality({ providerId: provider.id }) : null,
  ]);
  // The "Copy" switch: for signed-in viewers other than the provider (subscribers, or the free tier).
  const following = session && !subscribe.own ? await caller.copy.settings.get({ providerId: provider.id }) : null;
  const { totalPages: historyPages, beyond } = pageCount(history.total, HISTORY_PAGE_SIZE, historyPage);
  const historyHref = (page: number) => `${profileHref(provider.slug, "history", page)}#history`;
  if (beyond) redirect(historyHref(beyond));

  const now = new Date();
  const access = open.access;
  const entitled = access === "owner" || access === "subscriber";
  const verifyHref = `/providers/${provider.slug}/verify`;
  const hasSignals = open.total + history.total > 0;
  const showStats = Boolean(record.stats.all) && hasSignals;
  const stats: StatsByWindow = record.stats;
  const allTime = record.stats.all;
  // Only the overview draws the chart, so only it builds (and sends) the chart's data.
  const chart = tab === "overview" && record.curve ? buildChartData(record.curve, closes.marks, now) : null;
  const chartLabel = chart && record.curve ? describeCurve(record.curve, closes.marks, now) : "";
  const definitionsHref = `${profileHref(provider.slug, "method")}#definitions`;
  // The newest signal by number: its hash is the chain entry it was sealed with when published.
  const latestSignal = [...open.items, ...(closes.newest ? [closes.newest] : [])].reduce<{ number: number; hash: string } | null>(
    (best, s) => (!best || s.number > best.number ? { number: s.number, hash: s.hash } : best),
    null,
  );

  // Verification and details sit in the side column on wide screens and after the open tab's cards on phones, so
  // the reading order on a phone matches what is on screen. Only one copy is displayed (and exposed) at a time.
  const sideDetails = (
    <>
      <Card>
        <CardHeader title="Verification" />
        <CardBody className="space-y-3 text-sm text-slate-600">
          <p className="flex items-start gap-2">
            <ShieldIcon className="mt-0.5 size-4 shrink-0 text-emerald-600" />
            <span>
              Every signal and every change to it is an entry in a public sha256 hash chain. Recompute it in your browser to check that
              nothing was edited, removed or back-dated.
            </span>
          </p>
          {latestSignal ? (
            <p className="text-xs text-slate-500">
              Latest signal <span className="tabular-nums">#{latestSignal.number}</span> sealed as{" "}
              <span className="font-mono text-slate-700" title={`sha256 ${latestSignal.hash}`}>
                {hashPrefix(latestSignal.hash, 16)}…
              </span>
            </p>
          ) : (
            <p className="text-xs text-slate-500">The chain starts with the first signal.</p>
          )}
          <ButtonLink href={verifyHref} variant="secondary" size="sm" className="w-full">
            Verify the chain
          </ButtonLink>
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Details" />
        <CardBody>
          <dl className="space-y-3 text-sm">
            <DetailRow term="Member since">{formatDate(provider.memberSince)}</DetailRow>
            <DetailRow term="First signal">{allTime?.firstSignalAt ? formatDate(allTime.firstSignalAt) : "Not yet"}</DetailRow>
            <DetailRow term="Signals published">{formatCount(open.total + history.total)}</DetailRow>
            <DetailRow term="Markets">{provider.markets.length ? provider.markets.map(marketLabel).join(", ") : "Not set"}</DetailRow>
          </dl>
        </CardBody>
      </Card>
    </>
  );

  const paragraphs = provider.bio
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

  const trackRecordSection = (
    <section key="track-record" aria-labelledby="track-record-title" className="lg:col-start-1">
      <Card>
        <div className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-100 px-5 py-4">
          <div>
            <h2 id="track-record-title" className="text-base font-semibold text-slate-900">
              Track record
            </h2>
            <p className="mt-0.5 text-sm text-slate-500">
              {record.curve && allTime?.firstSignalAt
                ? `Standard $10,000 account since ${utcDate(allTime.firstSignalAt)}, computed from closed signals only.`
                : "Computed from the provider's hash-chained signals, never entered by hand."}
            </p>
          </div>
          {allTime && allTime.closedSignals > 0 ? (
            <dl className="flex gap-5">
              <Headline label="All-time ROI">
                <FigureText figure={percent(allTime.roi)} className="text-lg font-semibold" />
              </Headline>
              <Headline label="Max drawdown">
                <FigureText figure={drawdown(allTime.maxDrawdown)} className="text-lg font-semibold" />
              </Headline>
              <Headline label="Sharpe">
                <FigureText figure={ratio(allTime.sharpe)} className="text-lg font-semibold" />
              </Headline>
            </dl>
          ) : null}
        </div>
        <CardBody>
          {chart ? (
            <>
              <EquityChart data={toChartWire(chart.chart)} label={chartLabel} />
              {closes.marks.length >= CLOSE_MARK_WINDOW ? (
                <p className="mt-2 text-xs text-slate-500">Markers show the {closes.marks.length} most recent closes.</p>
              ) : null}
              {prices?.symbols?.length ? <InstrumentPriceSources source={prices.source} symbols={prices.symbols} now={now} className="mt-3" /> : null}
              {/* sr-only on the wrapper: a table will not shrink to 1px itself and would widen the page. */}
              <div className="sr-only">
                <Table>
                  <TableCaption>
                    Equity curve month by month: standard account equity at each month&rsquo;s last day, the change over the month, the worst
                    drawdown and the signals closed.
                  </TableCaption>
                  <TableHeader>
                    <TableRow>
                      <TableHead>Month</TableHead>
                      <TableHead>Equity at month end</TableHead>
                      <TableHead>Change</TableHead>
                      <TableHead>Worst drawdown</TableHead>
                      <TableHead>Signals closed (won)</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {chart.months.map((m) => (
                      <TableRow key={m.month}>
                        <TableHead scope="row">{m.month}</TableHead>
                        <TableCell>{m.equity}</TableCell>
                        <TableCell>{m.change.text}</TableCell>
                        <TableCell>{m.worstDrawdown.text}</TableCell>
                        <TableCell>
                          {m.closed} ({m.wins})
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            </>
          ) : hasSignals ? (
            <EmptyState icon={<ChartIcon />} title="No closed signals yet">
              {provider.displayName} has published, but nothing has closed yet. The equity curve and every figure are computed from closed
              signals only, so they start with the first close.
            </EmptyState>
          ) : (
            <EmptyState icon={<ChartIcon />} title="No signals published yet">
              When {provider.displayName} publishes, each signal is sealed into a sha256 hash chain the moment it arrives. The equity curve,
              win rate and drawdown shown here are then computed from closed signals, never entered by hand.
            </EmptyState>
          )}
        </CardBody>
      </Card>
    </section>
  );

  const statsSection = showStats ? (
    <section key="stats" aria-labelledby="stats-title" className="lg:col-start-1">
      <Card>
        <div className="border-b border-slate-100 px-5 py-4">
          <h2 id="stats-title" className="text-base font-semibold text-slate-900">
            Figures by window
          </h2>
          <p className="mt-0.5 text-sm text-slate-500">Each window is measured on its own standard account, after fees.</p>
        </div>
        <CardBody>
          <StatsTabs stats={stats} definitionsHref={definitionsHref} />
        </CardBody>
      </Card>
    </section>
  ) : null;

  const historySection = (
    <section key="history" id="history" aria-labelledby="history-title" className="scroll-mt-20 lg:col-start-1">
      <Card>
        <div className="border-b border-slate-100 px-5 py-4">
          <h2 id="history-title" className="text-base font-semibold text-slate-900">
            Signal history
          </h2>
          <p className="mt-0.5 text-sm text-slate-500">
            {history.total > 0
              ? `${formatCount(history.total)} finished signals, newest close first, ${HISTORY_PAGE_SIZE} a page. Results after fees; times in UTC.`
              : "Closed, cancelled and expired signals, with their results."}
          </p>
        </div>
        <CardBody>
          {history.total > 0 ? (
            <SignalHistory
              items={history.items.filter(isFull)}
              page={historyPage}
              totalPages={historyPages}
              total={history.total}
              hrefFor={historyHref}
              verifyHref={verifyHref}
            />
          ) : (
            <EmptyState icon={<ChartIcon />} title="No finished signals yet">
              Each signal joins this history, levels and result included, as soon as it closes, is cancelled or expires.
            </EmptyState>
          )}
        </CardBody>
      </Card>
    </section>
  );

  const executionSection = execution ? (
    <section key="execution" aria-labelledby="execution-title" className="lg:col-start-1">
      <Card>
        <div className="border-b border-slate-100 px-5 py-4">
          <h2 id="execution-title" className="text-base font-semibold text-slate-900">
            Execution quality
          </h2>
          <p className="mt-0.5 text-sm text-slate-500">How followers&rsquo; copies of these signals actually filled, measured on every copy.</p>
        </div>
        <CardBody>
          <ExecutionQuality data={execution} headingId="execution-title" />
        </CardBody>
      </Card>
    </section>
  ) : null;

  const aboutSection = (
    <section key="about" aria-labelledby="about-title" className="lg:col-start-1">
      <Card>
        <div className="border-b border-slate-100 px-5 py-4">
          <h2 id="about-title" className="text-base font-semibold text-slate-900">
            About {provider.displayName}
          </h2>
        </div>
        <CardBody className="space-y-3 text-[15px] leading-7 text-slate-700">
          {paragraphs.length ? (
            paragraphs.map((p, i) => (
              <p key={i} className="whitespace-pre-line">
                {p}
              </p>
            ))
          ) : (
            <p className="text-slate-500">{provider.displayName} hasn&rsquo;t written a bio yet.</p>
          )}
        </CardBody>
      </Card>
    </section>
  );

  const definitionsSection = (
    <section key="definitions" id="definitions" aria-labelledby="definitions-title" className="scroll-mt-20 lg:col-start-1">
      <Card>
        <div className="border-b border-slate-100 px-5 py-4">
          <h2 id="definitions-title" className="text-base font-semibold text-slate-900">
            How the figures are calculated
          </h2>
          <p className="mt-0.5 text-sm text-slate-500">The same definitions for every provider, computed by Tradsy from recorded prices.</p>
        </div>
        <CardBody>
          <dl className="grid gap-x-8 gap-y-4 text-sm sm:grid-cols-2">
            {METHOD_NOTES.map((n) => (
              <div key={n.term} className="sm:col-span-2">
                <dt className="font-semibold text-slate-900">{n.term}</dt>
                <dd className="mt-0.5 text-slate-600">{n.text}</dd>
              </div>
            ))}
            {(Object.keys(METRIC_LABEL) as MetricKey[]).map((k) => (
              <div key={k}>
                <dt className="font-semibold text-slate-900">{METRIC_LABEL[k]}</dt>
                <dd className="mt-0.5 text-slate-600">{METRIC_DEFINITION[k]}</dd>
              </div>
            ))}
          </dl>
        </CardBody>
      </Card>
    </section>
  );

  const aside = (
    <aside aria-label="Subscription, open signals and verification" className="space-y-6 lg:col-start-2 lg:row-span-full">
      <SubscribePanel provider={provider} state={subscribe} viewer={session ? { role: session.user.role } : null} />
      {following ? <CopyPanel provider={provider} initial={following} /> : null}
      {subscribe.own ? null : <WeeklyDigestForm providerSlug={provider.slug} providerName={provider.displayName} />}

      <Card>
        <CardHeader title="Open signals" action={<LiveUpdates providerSlug={provider.slug} />} />
        <CardBody>
          {open.items.length ? (
            <>
              <OpenSignalList items={open.items} now={now} />
              {open.total > open.items.length ? (
                <p className="mt-3 text-xs text-slate-500">
                  Showing the {open.items.length} newest of {open.total} open signals.
                </p>
              ) : null}
            </>
          ) : (
            <p className="text-sm text-slate-600">
              No open signals right now.{" "}
              {hasSignals ? "New ones appear here as soon as they are published." : "The first one will appear here as soon as it is published."}
            </p>
          )}
          {!entitled && open.items.length ? (
            <p className="mt-4 rounded-md bg-slate-50 px-3 py-2.5 text-xs text-slate-600">
              Entry, stop-loss and targets stay hidden until a signal closes, then they join the public history. The hash shown is
              already public and commits to the levels, so they cannot be changed after the fact.
            </p>
          ) : null}
        </CardBody>
      </Card>

      <div className="hidden space-y-6 lg:block">{sideDetails}</div>
    </aside>
  );

  // The open tab's cards, in the main column.
  const main = (
    tab === "history" ? [historySection] : tab === "method" ? [definitionsSection] : [trackRecordSection, statsSection, executionSection, aboutSection]
  ).filter((section) => section !== null);

  return (
    <>
      <Link href="/providers" className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
        <span aria-hidden="true">←</span> Marketplace
      </Link>

      <header className="mt-4 flex flex-col gap-4 sm:flex-row sm:items-center">
        <span aria-hidden="true" className="flex size-16 shrink-0 items-center justify-center rounded-xl bg-brand-700 text-xl font-semibold text-white">
          {initials(provider.displayName)}
        </span>
        <div className="min-w-0 flex-1">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">{provider.displayName}</h1>
          {provider.tagline ? <p className="mt-1 text-slate-600">{provider.tagline}</p> : null}
          <div className="mt-3 flex flex-wrap items-center gap-1.5">
            {provider.markets.length ? (
              <ul className="contents" aria-label="Markets">
                {provider.markets.map((m) => (
                  <li key={m}>
                    <Badge tone="brand">{marketLabel(m)}</Badge>
                  </li>
                ))}
              </ul>
            ) : null}
            {hasSignals ? (
              <Link
                href={verifyHref}
                className="inline-flex items-center gap-1 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-800 ring-1 ring-emerald-200 hover:bg-emerald-100"
              >
                <ShieldIcon className="size-3.5" />
                Tamper-evident record
                <span className="text-emerald-700/80">· verify</span>
                <span aria-hidden="true">→</span>
              </Link>
            ) : null}
            {record.syntheticPrices ? <SyntheticPricesBadge /> : null}
            {subscribe.automated ? <Badge tone="slate">Automated strategy</Badge> : null}
            {subscribe.incubatingUntil ? <Badge tone="amber">Incubating until {formatDate(subscribe.incubatingUntil)}</Badge> : null}
          </div>
          {subscribe.strategy ? (
            <p className="mt-2 text-sm text-slate-600" data-testid="strategy-version">
              Version {subscribe.strategy.version}, trading since {formatDate(subscribe.strategy.since)}
              {subscribe.strategy.promotedAt ? <> · Parameters changed after an A/B test on {formatDate(subscribe.strategy.promotedAt)}</> : null}
            </p>
          ) : null}
        </div>
      </header>

      {subscribe.incubatingUntil ? (
        <Alert tone="info" className="mt-6">
          This automated strategy is incubating until {formatDate(subscribe.incubatingUntil)}: it publishes live and builds its record on the
          hash chain, but it is not listed in the marketplace and takes no subscribers or followers before then.
        </Alert>
      ) : null}

      {record.syntheticPrices ? <SyntheticPricesNotice className="mt-6" /> : null}

      {firstParam(sp.checkout) === "canceled" && !subscribe.subscription && !subscribe.own ? (
        <Alert tone="info" className="mt-6">
          Checkout canceled: you weren&rsquo;t charged.{" "}
          <a href="#subscribe" className="font-medium underline underline-offset-2">
            Subscribe
          </a>{" "}
          whenever you&rsquo;re ready.
        </Alert>
      ) : null}

      {access === "owner" ? (
        <div className="mt-6 flex flex-col gap-3 rounded-md border border-brand-100 bg-brand-50 px-4 py-3 text-sm text-brand-800 sm:flex-row sm:items-center sm:justify-between">
          <p>This is your public profile. Subscribers see your open signals in full; everyone else sees only that they exist.</p>
          <ButtonLink href="/signals" variant="secondary" size="sm" className="shrink-0">
            Manage signals
          </ButtonLink>
        </div>
      ) : null}

      {/* On wide screens the aside spans the main column's rows, the last of which (1fr) takes any height the aside
          has beyond the main column, so the cards in it never drift apart. On small screens the open tab's first
          card comes first, then subscribing and open signals, then the rest. */}
      <div
        className="mt-6 grid grid-cols-[minmax(0,1fr)] items-start gap-6 lg:grid-cols-[minmax(0,1fr)_20rem] lg:grid-rows-[repeat(var(--main-rows),auto)_1fr]"
        style={{ "--main-rows": main.length + 1 } as CSSProperties}
      >
        <div className="lg:col-start-1">
          <ProfileTabs slug={provider.slug} active={tab} historyTotal={history.total} />
        </div>
        {main[0]}
        {aside}
        {main.slice(1)}
        <div className="space-y-6 lg:hidden">{sideDetails}</div>
      </div>
    </>
  );
}

function Headline({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function DetailRow({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex justify-between gap-4">
      <dt className="text-slate-500">{term}</dt>
      <dd className="text-right font-medium text-slate-900">{children}</dd>
    </div>
  );
}

function ShieldIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 20 20" className={className} fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M10 2l6 2.5v4.8c0 3.7-2.5 6.9-6 8.2-3.5-1.3-6-4.5-6-8.2V4.5z" />
      <path d="M7.3 10l1.9 1.9 3.6-3.8" />
    </svg>
  );
}

function ChartIcon() {
  return (
    <svg viewBox="0 0 24 24" className="size-8" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M3 17l5-5 4 4 9-9M15 7h6v6" />
    </svg>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Icon } from "@/components/shell/icons";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { DataTable, type Column } from "@/components/ui/data-table";
import { ANALYTICS_BUCKETS, ANALYTICS_RANGES, bucketFitsRange, type AnalyticsBucket, type AnalyticsRange } from "@/lib/analytics";
import { formatDate, formatMonthYear, formatUtcMonthDayTime } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import { formatCents } from "@/lib/money";
import type { SearchParams } from "@/lib/search-params";
import { analyticsInput } from "@/lib/validation/analytics";
import { requireAdmin } from "@/server/auth/guards";
import { api } from "@/trpc/server";
import { GrowthChart, RevenueChart } from "./charts";
import { RefreshButton } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Analytics" };

type Caller = Awaited<ReturnType<typeof api>>;
type Data = Awaited<ReturnType<Caller["admin"]["analytics"]["overview"]>>;
type TopRow = Data["revenue"]["topProviders"][number];
type ChurnRow = Data["subscriptions"]["churn"][number];
type PairRow = Data["pairs"][number];

const RANGE_LABEL: Record<AnalyticsRange, string> = { "24h": "24 hours", "7d": "7 days", "30d": "30 days", "90d": "90 days", "1y": "1 year", all: "All time" };
const BUCKET_LABEL: Record<AnalyticsBucket, string> = { hour: "Hour", day: "Day", week: "Week", month: "Month" };
/** The bucket a range gets when the one in the URL does not suit it. */
const DEFAULT_BUCKET: Record<AnalyticsRange, AnalyticsBucket> = { "24h": "hour", "7d": "day", "30d": "day", "90d": "week", "1y": "month", all: "month" };

const pct = (fraction: string | null, dp = 1) => (fraction === null ? "—" : `${(Number(fraction) * 100).toFixed(dp)}%`);
const hhmm = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;
const monthLabel = (ym: string) => {
  const [y, m] = ym.split("-").map(Number);
  return y && m ? formatMonthYear(new Date(Date.UTC(y, m - 1, 1))) : ym;
};
const href = (range: AnalyticsRange, bucket: AnalyticsBucket) => `/admin/analytics?range=${range}&bucket=${bucket}`;

function parse(sp: SearchParams): { range: AnalyticsRange; bucket: AnalyticsBucket } {
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const range = (ANALYTICS_RANGES as readonly string[]).includes(String(one(sp.range))) ? (one(sp.range) as AnalyticsRange) : "30d";
  const asked = String(one(sp.bucket));
  const bucket = (ANALYTICS_BUCKETS as readonly string[]).includes(asked) && bucketFitsRange(range, asked as AnalyticsBucket) ? (asked as AnalyticsBucket) : DEFAULT_BUCKET[range];
  return analyticsInput.parse({ range, bucket });
}

export default async function AdminAnalyticsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const input = parse(await searchParams);
  const caller = await api();
  const d = await caller.admin.analytics.overview(input);

  return (
    <>
      <PageHeader
        title="Analytics"
        description={
          <>
            Users, revenue, subscriptions, signals and copy trading across Tradsy. Figures as of <strong className="font-semibold text-slate-700">{hhmm(d.asOf)}</strong>
            {d.cached ? ", kept for five minutes" : ""}.
          </>
        }
        action={<RefreshButton range={input.range} bucket={input.bucket} />}
      />

      <nav aria-label="Range and bucket" className="mb-6 flex flex-col gap-3 sm:flex-row sm:flex-wrap sm:items-center sm:gap-6">
        <Segmented label="Range">
          {ANALYTICS_RANGES.map((r) => (
            <Seg key={r} href={href(r, bucketFitsRange(r, input.bucket) ? input.bucket : DEFAULT_BUCKET[r])} active={r === input.range}>
              {r === "all" ? "All" : r}
            </Seg>
          ))}
        </Segmented>
        <Segmented label="Growth by">
          {ANALYTICS_BUCKETS.map((b) =>
            bucketFitsRange(input.range, b) ? (
              <Seg key={b} href={href(input.range, b)} active={b === input.bucket}>
                {BUCKET_LABEL[b]}
              </Seg>
            ) : (
              <span key={b} className="rounded px-2.5 py-1 text-slate-300" title={`Not available for ${RANGE_LABEL[input.range]}`}>
                {BUCKET_LABEL[b]}
              </span>
            ),
          )}
        </Segmented>
      </nav>

      <Users d={d} range={input.range} />
      <Revenue d={d} />
      <Subscriptions d={d} />
      <Pairs d={d} range={input.range} />
      <Copy d={d} range={input.range} />
    </>
  );
}

function Segmented({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <span className="text-slate-500">{label}</span>
      <div className="flex flex-wrap gap-0.5 rounded-md border border-slate-200 bg-white p-0.5">{children}</div>
    </div>
  );
}

function Seg({ href: to, active, children }: { href: string; active: boolean; children: ReactNode }) {
  return (
    <Link
      href={to}
      aria-current={active ? "true" : undefined}
      className={cn("rounded px-2.5 py-1 font-medium tabular-nums", active ? "bg-brand-700 text-white" : "text-slate-700 hover:bg-slate-100")}
    >
      {children}
    </Link>
  );
}

function Stat({ label, value, hint, strong }: { label: string; value: string; hint?: string; strong?: boolean }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-4 shadow-xs sm:px-5">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className={cn("mt-1 text-2xl font-semibold tracking-tight tabular-nums", strong ? "text-brand-700" : "text-slate-900")}>{value}</dd>
      {hint ? <dd className="mt-0.5 text-xs text-slate-500">{hint}</dd> : null}
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="mt-10 first-of-type:mt-0">
      <h2 id={id} className="text-sm font-semibold tracking-wide text-slate-500 uppercase">
        {title}
      </h2>
      <div className="mt-3 space-y-6">{children}</div>
    </section>
  );
}

const numCol = <Row,>(id: string, header: string, cell: (r: Row) => ReactNode, last = false): Column<Row> => ({
  id,
  header,
  headClassName: cn("py-2 pl-0 text-right font-medium", last ? "pr-5" : "pr-4"),
  className: cn("py-2.5 pl-0 text-right tabular-nums text-slate-700", last ? "pr-5" : "pr-4"),
  cell,
});
const firstCol = <Row,>(id: string, header: string, cell: (r: Row) => ReactNode): Column<Row> => ({
  id,
  header,
  rowHeader: true,
  headClassName: "px-5 py-2 font-medium",
  className: "px-5 py-2.5 font-medium text-slate-900 whitespace-nowrap",
  cell,
});
const tableProps = { framed: false, headerClassName: "bg-transparent font-normal tracking-normal" } as const;

function Users({ d, range }: { d: Data; range: AnalyticsRange }) {
  const u = d.users;
  const time = (s: Date) => Math.floor(s.getTime() / 1000);
  return (
    <Section id="users-title" title="Users">
      <dl className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Stat label="Users" value={formatCount(u.total)} hint="Accounts not deleted" />
        <Stat label="Active" value={formatCount(u.active)} hint="Seen signed in or published a signal in the last 30 days" strong />
        <Stat label="New" value={formatCount(u.added)} hint={range === "all" ? "All time" : `In the last ${RANGE_LABEL[range]}`} />
        <Stat label="Traders · Providers" value={`${formatCount(u.byRole.traders)} · ${formatCount(u.byRole.providers)}`} hint={u.byRole.admins ? `and ${formatCount(u.byRole.admins)} ${u.byRole.admins === 1 ? "admin" : "admins"}` : undefined} />
      </dl>
      <Card>
        <CardHeader title="Growth" description={`New users per ${d.bucket} (UTC) and the total, ${range === "all" ? "since the first account" : `over the last ${RANGE_LABEL[range]}`}.`} />
        <CardBody>
          {u.total === 0 ? (
            <EmptyState icon={<Icon name="users" className="size-10" />} title="No users yet">
              Sign-ups appear here as people create accounts.
            </EmptyState>
          ) : (
            <GrowthChart
              added={u.growth.map((p) => ({ time: time(p.start), value: p.added }))}
              cumulative={u.growth.map((p) => ({ time: time(p.start), value: p.cumulative }))}
              intraday={d.bucket === "hour"}
              label={`User growth: ${formatCount(u.added)} new, ${formatCount(u.total)} in total`}
            />
          )}
        </CardBody>
      </Card>
    </Section>
  );
}

function Revenue({ d }: { d: Data }) {
  const r = d.revenue;
  const monthTime = (ym: string) => {
    const [y, m] = ym.split("-").map(Number);
    return Date.UTC(y!, m! - 1, 1) / 1000;
  };
  return (
    <Section id="revenue-title" title="Revenue">
      <dl className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Stat label="Gross" value={formatCents(r.totals.grossCents)} hint={`${formatCount(r.totals.invoices)} paid invoices, all time`} />
        <Stat label="Platform" value={formatCents(r.totals.platformFeeCents)} hint={r.totals.grossCents ? `${pct(r.totals.platformShare)} of gross` : "Tradsy's 30% application fees"} strong />
        <Stat label="Providers" value={formatCents(r.totals.providerShareCents)} hint="Sent to connected accounts" />
        <Stat label="Refunded" value={formatCents(r.totals.refundedCents)} />
      </dl>
      {/* min-w-0: a grid item is otherwise as wide as its table's min-width, and the page scrolls sideways on a phone. */}
      <div className="grid gap-6 xl:grid-cols-[3fr_2fr] [&>*]:min-w-0">
        <Card>
          <CardHeader title="By month" description="Platform 30% and providers 70%, by payment date (UTC), last 12 months." />
          <CardBody>
            {r.totals.grossCents === 0 ? (
              <EmptyState icon={<Icon name="dollar" className="size-10" />} title="No payments yet">
                Paid invoices appear here as Stripe reports them.
              </EmptyState>
            ) : (
              <RevenueChart
                gross={r.byMonth.map((m) => ({ time: monthTime(m.month), value: m.grossCents }))}
                platform={r.byMonth.map((m) => ({ time: monthTime(m.month), value: m.platformFeeCents }))}
                label={`Revenue by month: platform ${formatCents(r.totals.platformFeeCents)}, providers ${formatCents(r.totals.providerShareCents)} in total`}
              />
            )}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Top-earning providers" description="By their 70% share, all time." />
          {r.topProviders.length ? (
            <DataTable
              {...tableProps}
              caption="Top-earning providers"
              rows={r.topProviders}
              rowKey={(p) => p.providerId}
              columns={[
                firstCol<TopRow>("provider", "Provider", (p) =>
                  p.slug ? (
                    <Link href={`/providers/${p.slug}`} className="hover:text-brand-700 hover:underline">
                      {p.displayName}
                    </Link>
                  ) : (
                    <span className="text-slate-500 italic">Deleted provider</span>
                  ),
                ),
                numCol<TopRow>("invoices", "Invoices", (p) => formatCount(p.invoices)),
                numCol<TopRow>("earned", "Earned", (p) => formatCents(p.providerShareCents), true),
              ]}
            />
          ) : (
            <CardBody>
              <EmptyState icon={<Icon name="star" className="size-10" />} title="No earnings yet" />
            </CardBody>
          )}
        </Card>
      </div>
    </Section>
  );
}

function Subscriptions({ d }: { d: Data }) {
  const s = d.subscriptions;
  // The months with anything to say, newest first (a fresh platform has none).
  const months = s.churn.filter((m) => m.liveAtStart + m.started + m.cancelled > 0).reverse();
  return (
    <Section id="subs-title" title="Subscriptions">
      <dl className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Stat label="Live" value={formatCount(s.live)} hint={`${formatCount(s.active)} active, the rest trialing, past due or paused`} />
        <Stat label="Cancelled" value={formatCount(s.cancelled)} hint="Ended, all time" />
        <Stat
          label="Churn last month"
          value={s.lastMonthChurn?.liveAtStart ? pct(s.lastMonthChurn.rate) : "—"}
          hint={s.lastMonthChurn?.liveAtStart ? `${monthLabel(s.lastMonthChurn.month)}: ${s.lastMonthChurn.churned} of ${s.lastMonthChurn.liveAtStart} live at its start ended` : "No subscriptions were live at last month's start"}
          strong
        />
        <Stat label="Average lifetime" value={s.averageLifetimeDays === null ? "—" : `${s.averageLifetimeDays} days`} hint="Live ones counted up to now" />
      </dl>
      <Card>
        <CardHeader title="Churn by month" description="Churn = subscriptions live at the month's start that ended during it, over those live at its start." />
        {months.length ? (
          <DataTable
            {...tableProps}
            caption="Churn by month"
            className="min-w-[36rem]"
            rows={months}
            rowKey={(m) => m.month}
            columns={[
              firstCol<ChurnRow>("month", "Month", (m) => monthLabel(m.month)),
              numCol<ChurnRow>("base", "Live at start", (m) => formatCount(m.liveAtStart)),
              numCol<ChurnRow>("started", "Started", (m) => formatCount(m.started)),
              numCol<ChurnRow>("cancelled", "Cancelled", (m) => formatCount(m.cancelled)),
              numCol<ChurnRow>("rate", "Churn", (m) => (m.liveAtStart ? pct(m.rate) : "—"), true),
            ]}
          />
        ) : (
          <CardBody>
            <EmptyState icon={<Icon name="list" className="size-10" />} title="No subscriptions in the last 12 months" />
          </CardBody>
        )}
      </Card>
    </Section>
  );
}

function Pairs({ d, range }: { d: Data; range: AnalyticsRange }) {
  return (
    <Section id="pairs-title" title="Signals by pair">
      <Card>
        <CardHeader
          title="Closed signals"
          description={`${range === "all" ? "All time" : `Closed in the last ${RANGE_LABEL[range]}`}. ROI runs the standard $10,000 account over each pair's signals alone.`}
        />
        {d.pairs.length ? (
          <DataTable
            {...tableProps}
            caption="Closed signals by pair"
            className="min-w-[32rem]"
            rows={d.pairs}
            rowKey={(p) => p.symbol}
            columns={[
              firstCol<PairRow>("pair", "Pair", (p) => p.symbol),
              numCol<PairRow>("closed", "Closed", (p) => formatCount(p.closed)),
              numCol<PairRow>("win", "Win rate", (p) => pct(p.winRate)),
              numCol<PairRow>("roi", "ROI", (p) => <span className={Number(p.roi) > 0 ? "text-gain" : Number(p.roi) < 0 ? "text-loss" : undefined}>{pct(p.roi, 2)}</span>),
              numCol<PairRow>("pf", "Profit factor", (p) => (p.profitFactor === null ? "No losses" : Number(p.profitFactor).toFixed(2)), true),
            ]}
          />
        ) : (
          <CardBody>
            <EmptyState icon={<Icon name="signal" className="size-10" />} title="No closed signals in this range">
              Figures appear once providers&apos; signals close.
            </EmptyState>
          </CardBody>
        )}
      </Card>
    </Section>
  );
}

function Copy({ d, range }: { d: Data; range: AnalyticsRange }) {
  const c = d.copy;
  const bps = (v: string | null) => (v === null ? "—" : `${Number(v).toFixed(1)} bps`);
  const ms = (v: number | null) => (v === null ? "—" : `${formatCount(v)} ms`);
  return (
    <Section id="copy-title" title="Copy trading">
      {c.decisions === 0 ? (
        <Card>
          <CardBody>
            <EmptyState icon={<Icon name="copy" className="size-10" />} title="No copy orders in this range">
              Orders appear when followers copy a signal on paper or an exchange.
            </EmptyState>
          </CardBody>
        </Card>
      ) : (
        <>
          <dl className="grid grid-cols-2 gap-4 lg:grid-cols-3">
            <Stat label="Orders" value={formatCount(c.orders)} hint={`${formatCount(c.skipped)} skipped by risk rules · ${range === "all" ? "all time" : RANGE_LABEL[range]}`} />
            <Stat label="Notional filled" value={`$${Number(c.notionalUsd).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`} hint="Quantity × fill price" />
            <Stat label="Fill rate" value={pct(c.fillRate)} hint={`${formatCount(c.filled)} filled, ${formatCount(c.rejected)} rejected`} strong />
            <Stat label="Slippage median · p95" value={`${bps(c.slippageBps.p50)} · ${bps(c.slippageBps.p95)}`} hint="Positive is worse for the follower" />
            <Stat label="Latency median · p95" value={`${ms(c.latencyMs.p50)} · ${ms(c.latencyMs.p95)}`} hint="Signal event to fill" />
          </dl>
        </>
      )}
      <p className="text-xs text-slate-500">
        Computed {formatUtcMonthDayTime(d.asOf)} · window {d.from ? `from ${formatDate(d.from)}` : "all time"}.
      </p>
    </Section>
  );
}

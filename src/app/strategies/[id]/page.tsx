import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { ButtonLink } from "@/components/ui/button";
import { Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { EquityChart } from "@/components/track-record/equity-chart";
import { libraryChartWire } from "@/components/strategy-library/chart-wire";
import { COMPLEXITY_HINT, COMPLEXITY_LABEL, gainTone, plainPct, RISK_LEVEL, RISK_RULE, ratioText, signedPct, TAG_LABEL } from "@/components/strategy-library/labels";
import { BACKTESTING_PY_NAMES } from "@/lib/engine";
import { firstParam, type SearchParams } from "@/lib/search-params";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";

const MARKETS = ["crypto", "stocks", "forex"] as const;
type MarketName = (typeof MARKETS)[number];
const MARKET_NAME: Record<MarketName, string> = { crypto: "Crypto", stocks: "Stocks", forex: "Forex" };

async function load(id: string, market?: MarketName) {
  try {
    return await (await api()).library.get({ id, market });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const entry = await load((await params).id);
  return { title: `${entry.name} — Strategy Library`, description: entry.description.slice(0, 160) };
}

const DAY_MS = 86_400_000;
/** Beyond this many trade closes the markers hide the curve (hourly runs close hundreds). */
const MAX_MARKERS = 150;
const dateFmt = new Intl.DateTimeFormat("en-US", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const days = (ms: number | null | undefined) => (ms === null || ms === undefined ? "—" : `${Math.round(ms / DAY_MS)} days`);

/** The statistics shown, in reading order, with backtesting.py's names (its definitions; see src/lib/engine/stats). */
const STAT_ROWS: { key: keyof typeof BACKTESTING_PY_NAMES; text: (v: number | null) => string; tone?: boolean }[] = [
  { key: "returnPct", text: (v) => signedPct(v, 2), tone: true },
  { key: "buyHoldReturnPct", text: (v) => signedPct(v, 2) },
  { key: "returnAnnPct", text: (v) => signedPct(v, 2), tone: true },
  { key: "volatilityAnnPct", text: (v) => plainPct(v, 2) },
  { key: "maxDrawdownPct", text: (v) => (v ? `−${plainPct(v, 2)}` : "0.00%") },
  { key: "avgDrawdownPct", text: (v) => (v ? `−${plainPct(v, 2)}` : "—") },
  { key: "maxDrawdownDurationMs", text: days },
  { key: "sharpe", text: (v) => ratioText(v) },
  { key: "sortino", text: (v) => ratioText(v) },
  { key: "calmar", text: (v) => ratioText(v) },
  { key: "winRatePct", text: (v) => plainPct(v, 1) },
  { key: "profitFactor", text: (v) => ratioText(v) },
  { key: "bestTradePct", text: (v) => signedPct(v, 2) },
  { key: "worstTradePct", text: (v) => signedPct(v, 2) },
  { key: "avgTradePct", text: (v) => signedPct(v, 2) },
  { key: "exposureTimePct", text: (v) => plainPct(v, 1) },
  { key: "equityFinal", text: (v) => (v === null ? "—" : `$${v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`) },
  { key: "commissions", text: (v) => (v === null ? "—" : `$${v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`) },
];

export default async function StrategyPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const { id } = await params;
  const rawMarket = firstParam((await searchParams).market);
  const market = MARKETS.find((m) => m === rawMarket);
  const e = await load(id, market);
  const risk = RISK_LEVEL[e.riskLevel];
  const chosen = e.chosen;
  const s = chosen?.stats;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-3 text-sm">
        <Link href="/strategies" className="font-medium text-brand-700 underline-offset-4 hover:underline">
          Strategy Library
        </Link>
      </nav>
      <header className="flex flex-col gap-4 border-b border-slate-200 pb-6 lg:flex-row lg:items-start lg:justify-between">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{e.name}</h1>
          <ul className="mt-2 flex flex-wrap gap-1.5" aria-label="Facts">
            <li>
              <Badge tone={risk.tone === "brand" ? "brand" : risk.tone}>{risk.label}</Badge>
            </li>
            <li>
              <Badge>
                {COMPLEXITY_LABEL[e.complexity]} ({COMPLEXITY_HINT[e.complexity]})
              </Badge>
            </li>
            {e.tags.map((t) => (
              <li key={t}>
                <Badge tone="brand">{TAG_LABEL[t]}</Badge>
              </li>
            ))}
            <li>
              <Badge>{e.markets.map((m) => MARKET_NAME[m]).join(", ")}</Badge>
            </li>
            <li>
              <Badge>{e.timeframes.join(" · ")}</Badge>
            </li>
          </ul>
          <p className="mt-3 max-w-3xl text-sm/6 text-slate-700">{e.description}</p>
        </div>
        <div className="flex shrink-0 flex-col gap-2 sm:flex-row lg:flex-col">
          <ButtonLink href={`/lab/new?curated=${encodeURIComponent(e.id)}`}>Backtest with my parameters</ButtonLink>
          <ButtonLink href={`/lab/runs/new?curated=${encodeURIComponent(e.id)}`} variant="secondary">
            Run live
          </ButtonLink>
        </div>
      </header>

      <section aria-labelledby="backtest" className="mt-6">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <div>
            <h2 id="backtest" className="text-lg font-semibold text-slate-900">
              Reference backtest <span className="text-sm font-medium text-amber-800">(hypothetical)</span>
            </h2>
            <p className="mt-1 text-sm text-slate-600">
              How these rules would have traded with their default parameters. Not a track record: nothing here was traded, and past prices do not
              repeat.
            </p>
          </div>
          {e.references.length > 1 ? (
            <nav aria-label="Backtest market" className="flex gap-1 rounded-md bg-slate-100 p-1 text-sm">
              {e.references.map((r) => (
                <Link
                  key={r.market}
                  href={`/strategies/${e.id}?market=${r.market}`}
                  scroll={false}
                  aria-current={r.market === chosen?.market ? "page" : undefined}
                  className={cn(
                    "rounded px-3 py-1.5 font-medium",
                    r.market === chosen?.market ? "bg-white text-slate-900 shadow-xs" : "text-slate-600 hover:text-slate-900",
                  )}
                >
                  {r.symbol}
                </Link>
              ))}
            </nav>
          ) : null}
        </div>

        {chosen && s ? (
          <Card className="mt-4">
            <CardBody>
              <p className={cn("text-sm", chosen.data.synthetic ? "rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900" : "text-slate-600")}>
                {chosen.data.synthetic ? <strong className="font-semibold">Synthetic prices — not market data. </strong> : null}
                Data: {chosen.data.label}
                {chosen.dataFrom && chosen.dataTo ? ` (${dateFmt.format(chosen.dataFrom)} to ${dateFmt.format(chosen.dataTo)})` : ""}. $10,000 of hypothetical
                cash, 0.1% commission per side, market orders at the next bar&apos;s open.
              </p>
              <EquityChart
                className="mt-3"
                data={libraryChartWire(chosen.equity, chosen.closes.length <= MAX_MARKERS ? chosen.closes : [])}
                label={`Hypothetical equity of ${e.name} on ${chosen.symbol} ${chosen.timeframe}: ${signedPct(s.returnPct, 1)} return, worst fall ${plainPct(s.maxDrawdownPct, 1)}`}
              />
              <p className="mt-2 text-xs text-slate-500">
                {chosen.tradeCount} trades in all
                {chosen.closes.length > MAX_MARKERS
                  ? "; too many to mark on the chart."
                  : chosen.closes.length < chosen.tradeCount
                    ? `; the chart marks the last ${chosen.closes.length}.`
                    : ", each marked where it closed."}
              </p>
              <h3 className="mt-6 text-sm font-semibold text-slate-900">Statistics (hypothetical)</h3>
              <dl className="mt-2 grid grid-cols-1 gap-x-8 text-sm sm:grid-cols-2 lg:grid-cols-3">
                <StatRow label="# Trades" value={String(chosen.tradeCount)} />
                {STAT_ROWS.map((row) => {
                  const v = s[row.key] ?? null;
                  return <StatRow key={row.key} label={BACKTESTING_PY_NAMES[row.key]} value={row.text(v)} className={row.tone ? gainTone(v) : undefined} />;
                })}
              </dl>
              <p className="mt-3 text-xs text-slate-500">Statistics follow backtesting.py&apos;s definitions (Sharpe and Sortino annualised, risk-free rate 0).</p>
            </CardBody>
          </Card>
        ) : (
          <p className="mt-4 rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">
            No reference backtest yet: there are no candles to run it on. It is computed the first time prices are available.
          </p>
        )}
      </section>

      <section aria-labelledby="parameters" className="mt-8">
        <Card>
          <CardHeader title={<span id="parameters">Parameters</span>} description="The defaults the reference backtest used, and the range each may take in your own backtest." />
          <CardBody>
            <ul className="divide-y divide-slate-100">
              {e.params.map((p) => (
                <li key={p.name} className="py-2.5 first:pt-0 last:pb-0">
                  <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                    <span className="font-mono text-sm font-medium text-slate-900">{p.name}</span>
                    <span className="text-sm text-slate-600 tabular-nums">
                      default <strong className="text-slate-900">{p.default}</strong> · range {p.min} – {p.max}
                      <span className="text-slate-400"> (step {p.step})</span>
                    </span>
                  </div>
                  <p className="mt-0.5 text-sm text-slate-600">{p.description}</p>
                </li>
              ))}
            </ul>
          </CardBody>
        </Card>
      </section>

      <section aria-labelledby="similar" className="mt-8">
        <Card>
          <CardHeader
            title={<span id="similar">Similar strategies</span>}
            description={
              <>
                Two measures. <strong>Correlation</strong>: how alike the two backtests&apos; day-by-day returns were on {chosen ? chosen.symbol : "the same data"}{" "}
                (+1 moved together, 0 unrelated, −1 opposite). <strong>Features</strong>: how much they share in style, markets, timeframes and risk level
                (100% = the same). Listed by a score of 60% correlation and 40% features.
              </>
            }
          />
          <CardBody>
            {e.similar.length ? (
              <ol className="divide-y divide-slate-100">
                {e.similar.map((x) => (
                  <li key={x.id} className="flex flex-col gap-1 py-2.5 sm:flex-row sm:items-center sm:justify-between">
                    <Link href={`/strategies/${x.id}${chosen ? `?market=${chosen.market}` : ""}`} className="font-medium text-slate-900 hover:text-brand-800">
                      {x.name}
                    </Link>
                    <span className="flex gap-4 text-sm text-slate-600 tabular-nums">
                      <span>
                        Correlation <strong className="text-slate-900">{x.correlation === null ? "—" : ratioText(x.correlation)}</strong>
                      </span>
                      <span>
                        Features <strong className="text-slate-900">{Math.round(x.features * 100)}%</strong>
                      </span>
                    </span>
                  </li>
                ))}
              </ol>
            ) : (
              <p className="text-sm text-slate-600">Similar strategies appear once the reference backtests have run.</p>
            )}
          </CardBody>
        </Card>
      </section>
      <p className="mt-6 text-xs text-slate-500">{RISK_RULE}</p>
    </>
  );
}

function StatRow({ label, value, className }: { label: string; value: string; className?: string }) {
  return (
    <div className="flex items-baseline justify-between gap-4 border-b border-slate-100 py-1.5">
      <dt className="text-slate-600">{label}</dt>
      <dd className={cn("font-semibold tabular-nums text-slate-900", className)}>{value}</dd>
    </div>
  );
}

/**
 * One A/B test as its owner reads it (issue 20): where it stands (interim until every variant has its planned trades,
 * then the decision), the plan, each variant's progress towards the fixed horizon, each variant's figures on the
 * trades it closed, and each challenger's Welch comparison with A. Renders what it is given; the page owns the calls
 * and passes its buttons in `actions`.
 */
import type { inferRouterOutputs } from "@trpc/server";
import type { ReactNode } from "react";
import { Alert, Badge } from "@/components/ui/card";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { bannerOf, describeParams, formatP, progressPct, type ParamBounds } from "@/lib/lab/ab-view";
import { formatUtcMonthDayTime } from "@/lib/format/dates";
import type { AppRouter } from "@/server/api/root";
import type { AbResult, Comparison, VariantFigures } from "@/server/services/strategy-runs";
import { num, pct } from "./format";

export type AbTestView = inferRouterOutputs<AppRouter>["strategyRuns"]["abTests"]["get"];

export const AB_STATUS: Record<AbTestView["status"], { label: string; tone: "brand" | "green" | "slate" | "amber" }> = {
  running: { label: "Running", tone: "brand" },
  decided: { label: "Decided", tone: "green" },
  promoted: { label: "Promoted", tone: "green" },
  stopped: { label: "Stopped", tone: "slate" },
};

/** The stored comparison (JSON written by the service as AbResult), or null before the first evaluation. */
export function resultOf(t: Pick<AbTestView, "result">): AbResult | null {
  return (t.result as unknown as AbResult | null) ?? null;
}

/** Rounded first, so a value that rounds to zero reads "0.00", not "-0.00". */
const fixed = (v: number | null | undefined, dp = 2) => (v === null || v === undefined || !Number.isFinite(v) ? "—" : num(Number(v.toFixed(dp)) || 0, dp));
const signed = (v: number | null | undefined, dp = 2) => (v === null || v === undefined || !Number.isFinite(v) ? "—" : `${Number(v.toFixed(dp)) > 0 ? "+" : ""}${fixed(v, dp)}`);
const signedPct = (v: number | null | undefined, dp = 2) => (v === null || v === undefined || !Number.isFinite(v) ? "—" : `${signed(v, dp)}%`);

export function AbTestDetails({ test, defs, actions, headingLevel = 2 }: { test: AbTestView; defs: readonly ParamBounds[]; actions?: ReactNode; headingLevel?: 2 | 3 }) {
  const result = resultOf(test);
  const banner = bannerOf({ ...test, result });
  const H = headingLevel === 2 ? "h2" : "h3";
  const challengers = test.variants.length - 1;
  const alphaPer = result?.alphaPerComparison ?? test.alpha / Math.max(1, challengers);
  const final = banner.decided;

  return (
    <div className="space-y-6">
      <Alert tone={banner.tone} className="space-y-1">
        <p className="text-base font-semibold" data-testid="ab-banner">
          {banner.title}
        </p>
        <p>{banner.detail}</p>
      </Alert>

      <dl className="grid grid-cols-2 gap-x-6 gap-y-4 text-sm sm:grid-cols-3 lg:grid-cols-6">
        <Fact label="Status">
          <Badge tone={AB_STATUS[test.status].tone}>{AB_STATUS[test.status].label}</Badge>
        </Fact>
        <Fact label="Started">{formatUtcMonthDayTime(test.startsAt)}</Fact>
        <Fact label="Trades needed">
          <span className="tabular-nums">{test.tradesNeeded}</span> per variant
        </Fact>
        <Fact label="Minimum effect">d = {num(test.effectSize, 2)}</Fact>
        <Fact label="Alpha · power">
          {num(test.alpha, 3)} · {num(test.power, 2)}
          {challengers > 1 ? <span className="block text-xs font-normal text-slate-500">{Number(alphaPer.toPrecision(3))} per comparison</span> : null}
        </Fact>
        <Fact label={test.decidedAt ? "Decided" : test.endedAt ? "Ended" : "Last evaluated"}>
          {test.decidedAt ? formatUtcMonthDayTime(test.decidedAt) : test.endedAt ? formatUtcMonthDayTime(test.endedAt) : test.evaluatedAt ? formatUtcMonthDayTime(test.evaluatedAt) : "Not yet"}
        </Fact>
      </dl>

      <section aria-labelledby={`progress-${test.id}`} className="space-y-3">
        <H id={`progress-${test.id}`} className="text-sm font-semibold text-slate-900">
          Progress to the planned trades
        </H>
        <ul className="grid gap-3 sm:grid-cols-2">
          {test.variants.map((v) => {
            const trades = result?.variants.find((f) => f.label === v.label)?.trades ?? 0;
            const p = progressPct(trades, test.tradesNeeded);
            return (
              <li key={v.label} className="space-y-1.5">
                <div className="flex items-baseline justify-between gap-2 text-sm">
                  <span className="font-medium text-slate-800">
                    {v.label} {v.label === "A" ? <span className="font-normal text-slate-500">(running version)</span> : null}
                  </span>
                  <span className="text-slate-600 tabular-nums">
                    {trades} / {test.tradesNeeded} trades
                  </span>
                </div>
                <div
                  role="progressbar"
                  aria-label={`Variant ${v.label}: closed trades of the ${test.tradesNeeded} needed`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={p}
                  aria-valuetext={`${trades} of ${test.tradesNeeded} trades`}
                  className="h-2 w-full overflow-hidden rounded-full bg-slate-100"
                >
                  <div className={p >= 100 ? "h-full bg-emerald-600" : "h-full bg-brand-600"} style={{ width: `${p}%` }} />
                </div>
              </li>
            );
          })}
        </ul>
        {result ? (
          <p className="text-xs text-slate-500">
            {result.candles} candles since the test began, as of {formatUtcMonthDayTime(new Date(result.evaluatedAt))}. Trades still open are not counted.
          </p>
        ) : (
          <p className="text-xs text-slate-500">Not evaluated yet: the figures appear with the strategy&apos;s next candle.</p>
        )}
      </section>

      <section aria-labelledby={`variants-${test.id}`} className="space-y-2">
        <H id={`variants-${test.id}`} className="flex flex-wrap items-center gap-2 text-sm font-semibold text-slate-900">
          Variants {final ? null : <Badge tone="amber">Interim</Badge>}
        </H>
        <VariantTable test={test} figures={result?.variants ?? null} defs={defs} />
      </section>

      {challengers > 0 ? (
        <section aria-labelledby={`comparisons-${test.id}`} className="space-y-2">
          <H id={`comparisons-${test.id}`} className="flex flex-wrap items-center gap-2 text-sm font-semibold text-slate-900">
            Each challenger against A {final ? null : <Badge tone="amber">Interim</Badge>}
          </H>
          <p className="text-xs text-slate-500">
            Welch&apos;s t-test on the per-trade returns; the difference is the challenger&apos;s mean return per trade minus A&apos;s, in percentage points. Significant
            means p below {Number(alphaPer.toPrecision(3))}, and only counts at the planned trades.
          </p>
          <ul className="grid gap-3 md:grid-cols-2">
            {test.variants.slice(1).map((v) => (
              <li key={v.label}>
                <ComparisonCard label={v.label} comparison={result?.comparisons.find((c) => c.label === v.label) ?? null} winner={test.winner === v.label} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 font-medium text-slate-900">{children}</dd>
    </div>
  );
}

function VariantTable({ test, figures, defs }: { test: AbTestView; figures: VariantFigures[] | null; defs: readonly ParamBounds[] }) {
  return (
    <Table framed className="min-w-[44rem]" containerProps={{ role: "region", "aria-label": "Variants' figures", tabIndex: 0 }}>
      <TableCaption className="sr-only">Each variant&apos;s parameters and its closed trades since the test began</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Variant</TableHead>
          <TableHead>Parameters</TableHead>
          <TableHead className="text-right">Trades</TableHead>
          <TableHead className="text-right">Mean return</TableHead>
          <TableHead className="text-right">SD</TableHead>
          <TableHead className="text-right">Win rate</TableHead>
          <TableHead className="text-right">Total return</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {test.variants.map((v) => {
          const f = figures?.find((x) => x.label === v.label);
          return (
            <TableRow key={v.label} className={test.winner === v.label && v.label !== "A" ? "bg-emerald-50/60" : undefined}>
              <TableHead scope="row" className="font-semibold text-slate-900 normal-case">
                {v.label}
                {v.label === "A" ? <span className="block text-xs font-normal text-slate-500">running</span> : null}
              </TableHead>
              <TableCell className="whitespace-nowrap text-slate-700">{describeParams(v.params, defs)}</TableCell>
              <TableCell className="text-right tabular-nums">{f?.trades ?? 0}</TableCell>
              <TableCell className="text-right tabular-nums">{signedPct(f?.meanReturnPct)}</TableCell>
              <TableCell className="text-right tabular-nums">{f?.sdReturnPct === null || f?.sdReturnPct === undefined ? "—" : `${num(f.sdReturnPct, 2)}%`}</TableCell>
              <TableCell className="text-right tabular-nums">{pct(f?.winRatePct, 0)}</TableCell>
              <TableCell className="text-right tabular-nums">{signedPct(f?.totalReturnPct)}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function ComparisonCard({ label, comparison, winner }: { label: string; comparison: Comparison | null; winner: boolean }) {
  const t = comparison?.test ?? null;
  const rows: [string, ReactNode][] = t
    ? [
        ["Difference in mean return", `${signed(t.diff)} pts`],
        ["95% CI of the difference", `${signed(t.ci95[0])} to ${signed(t.ci95[1])} pts`],
        ["t (df)", `${fixed(t.t)} (${num(t.df, 1)})`],
        ["p-value", formatP(t.pValue)],
        ["Confidence", pct(t.confidence * 100, 1)],
        ["Cohen's d / Hedges' g", `${fixed(t.cohensD)} / ${fixed(t.hedgesG)}`],
      ]
    : [];
  return (
    <div className={winner ? "h-full rounded-md border border-emerald-300 bg-emerald-50/40 p-4" : "h-full rounded-md border border-slate-200 p-4"}>
      <p className="flex flex-wrap items-center gap-2 text-sm font-semibold text-slate-900">
        {label} vs A {winner ? <Badge tone="green">Winner</Badge> : null}
      </p>
      {t ? (
        <dl className="mt-3 space-y-1.5 text-sm">
          {rows.map(([k, v]) => (
            <div key={k} className="flex items-baseline justify-between gap-3">
              <dt className="min-w-0 text-slate-500">{k}</dt>
              <dd className="text-right font-medium whitespace-nowrap text-slate-900 tabular-nums">{v}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="mt-2 text-sm text-slate-600">No test yet: each variant needs at least 2 closed trades.</p>
      )}
      {comparison ? <p className="mt-3 border-t border-slate-100 pt-2 text-sm text-slate-800">{comparison.verdict}</p> : null}
    </div>
  );
}

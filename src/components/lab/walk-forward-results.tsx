"use client";

/**
 * A finished walk-forward validation (issue 20): the overfitting verdict first (the documented rule of
 * src/lib/optimize/walk-forward.ts), the stitched out-of-sample figures beside the in-sample vs out-of-sample
 * objective and the efficiency, the stitched equity, every window's parameters and results, and how to read them.
 */
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { Alert, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { EquityDrawdownCharts } from "./backtest-charts";
import { num, pct, utcDay } from "./format";
import { objectiveLabel, objectiveText, paramsText } from "./optimize-format";

export type WalkForwardView = NonNullable<inferRouterOutputs<AppRouter>["lab"]["optimizations"]["get"]["walkForward"]>;

export function WalkForwardResults({ wf, objective, order, label }: { wf: WalkForwardView; objective: string; order: string[]; label: string }) {
  const s = wf.stitched;
  const objName = objectiveLabel(objective);
  const figures: [string, string][] = [
    ["Stitched return", pct(s.returnPct)],
    ["Max drawdown", pct(s.maxDrawdownPct)],
    ["Sharpe", num(s.sharpe, 2)],
    ["Trades", num(s.trades, 0)],
    ["Win rate", pct(s.winRatePct, 1)],
    ["Profit factor", num(s.profitFactor, 2)],
  ];
  return (
    <div className="space-y-6">
      {wf.warning ? (
        <div role="alert" className="rounded-lg border-2 border-red-300 bg-red-50 px-5 py-4 text-red-900" data-testid="overfitting-warning">
          <p className="text-base font-semibold">Overfitting warning</p>
          <p className="mt-1 text-sm">{wf.warning}</p>
          <p className="mt-2 text-sm">The parameters that looked best in training did not hold up on the data after it. Treat the optimised result as luck until a different test says otherwise.</p>
        </div>
      ) : (
        <Alert tone="success">
          <span className="font-semibold">No overfitting signal found.</span> Out of sample kept at least half of the in-sample {objName}, the stitched test windows made money, and at least half of the windows were profitable. That is necessary, not sufficient: it is still a simulation on past prices.
        </Alert>
      )}

      <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Card>
          <CardHeader title="Stitched out-of-sample result" description="The test windows traded back to back, each with the parameters its training window chose." />
          <CardBody className="grid grid-cols-2 gap-4 sm:grid-cols-3">
            {figures.map(([k, v]) => (
              <div key={k}>
                <p className="text-xs text-slate-500">{k}</p>
                <p className="text-lg font-semibold text-slate-900 tabular-nums">{v}</p>
              </div>
            ))}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="In sample vs out of sample" description={`Mean ${objName} per window.`} />
          <CardBody className="grid grid-cols-2 gap-4">
            <div>
              <p className="text-xs text-slate-500">In sample</p>
              <p className="text-lg font-semibold text-slate-900 tabular-nums">{objectiveText(wf.inSampleMean)}</p>
            </div>
            <div>
              <p className="text-xs text-slate-500">Out of sample</p>
              <p className="text-lg font-semibold text-slate-900 tabular-nums">{objectiveText(wf.outOfSampleMean)}</p>
            </div>
            <div>
              <p className="text-xs text-slate-500">Efficiency</p>
              <p className={`text-lg font-semibold tabular-nums ${wf.efficiency !== null && wf.efficiency < 0.5 ? "text-red-700" : "text-slate-900"}`}>{wf.efficiency === null ? "—" : pct(wf.efficiency * 100, 0)}</p>
            </div>
            <div>
              <p className="text-xs text-slate-500">Profitable windows</p>
              <p className="text-lg font-semibold text-slate-900 tabular-nums">
                {wf.profitableWindows} / {wf.windows.length}
              </p>
            </div>
          </CardBody>
        </Card>
      </div>

      <Card>
        <CardHeader title="Stitched out-of-sample equity" description="Hypothetical equity over the test windows only, and its fall from the running peak." />
        <CardBody>
          {wf.equity.length > 1 ? <EquityDrawdownCharts points={wf.equity} label={`walk-forward out of sample, ${label}`} /> : <p className="text-sm text-slate-600">No test window traded.</p>}
        </CardBody>
      </Card>

      <Card>
        <CardHeader
          title={`Windows (${wf.windows.length})`}
          description={`Each window: the parameters training chose, their ${objName} in sample (the training bars) and out of sample (the test bars), and how the test window traded.`}
        />
        <Table data-testid="windows-table" className="min-w-[46rem]" containerProps={{ role: "region", "aria-label": "Walk-forward windows", tabIndex: 0 }}>
          <TableHeader>
            <TableRow>
              <TableHead className="text-right">#</TableHead>
              <TableHead>Train from</TableHead>
              <TableHead>Test window</TableHead>
              <TableHead className="whitespace-normal">Chosen parameters</TableHead>
              <TableHead className="text-right">Trials</TableHead>
              <TableHead className="text-right whitespace-normal">In sample</TableHead>
              <TableHead className="text-right whitespace-normal">Out of sample</TableHead>
              <TableHead className="text-right whitespace-normal">OOS return</TableHead>
              <TableHead className="text-right whitespace-normal">OOS trades</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {wf.windows.map((w) => (
              <TableRow key={w.index}>
                <TableCell className="text-right tabular-nums">{w.index + 1}</TableCell>
                <TableCell className="whitespace-nowrap">{utcDay(w.trainFrom)}</TableCell>
                <TableCell className="whitespace-nowrap">
                  {utcDay(w.testFrom)}
                  <span className="block text-xs text-slate-500">to {utcDay(w.testTo)}</span>
                </TableCell>
                <TableCell className="font-mono text-xs whitespace-nowrap">{w.params ? paramsText(w.params, order) : "none feasible (not traded)"}</TableCell>
                <TableCell className="text-right tabular-nums">{num(w.trials, 0)}</TableCell>
                <TableCell className="text-right tabular-nums">{objectiveText(w.inSampleValue)}</TableCell>
                <TableCell className="text-right tabular-nums">{objectiveText(w.outOfSampleValue)}</TableCell>
                <TableCell className={`text-right tabular-nums ${(w.outOfSample?.returnPct ?? 0) >= 0 ? "text-green-700" : "text-red-700"}`}>{pct(w.outOfSample?.returnPct)}</TableCell>
                <TableCell className="text-right tabular-nums">{num(w.outOfSample?.trades, 0)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>

      <Card>
        <CardHeader title="How to read this" />
        <CardBody className="space-y-2 text-sm text-slate-700">
          <p>
            An optimiser always finds parameters that did well on the data it searched; the question is whether they keep doing well on data it did not see. Each test window is that unseen data, and
            the stitched result is what trading the optimiser&rsquo;s choices in turn would have made.
          </p>
          <p>
            <strong>Efficiency</strong> is the mean out-of-sample {objName} divided by the mean in-sample {objName}: 100% means the test windows did as well as training.
          </p>
          <p>The overfitting warning shows when any of these holds:</p>
          <ul className="list-disc space-y-1 pl-5">
            <li>the efficiency is below 50% (with a positive in-sample mean);</li>
            <li>the stitched out-of-sample return is not positive while the in-sample mean {objName} is;</li>
            <li>fewer than half of the test windows made money.</li>
          </ul>
        </CardBody>
      </Card>
    </div>
  );
}

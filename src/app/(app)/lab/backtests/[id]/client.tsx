"use client";

/**
 * One backtest: progress while it runs (polled) with Cancel; when done the equity and drawdown charts, the price
 * with trade markers, both statistics tables (labelled by definition) and the trades. Labelled hypothetical.
 */
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Button, ButtonLink } from "@/components/ui/button";
import { Alert, Badge, Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { HypotheticalLabel } from "@/components/lab/hypothetical";
import { EquityDrawdownCharts, PriceTradesChart } from "@/components/lab/backtest-charts";
import { backtestingPyValue, num, pct, STATUS_TONE, trackRecordValue, utcDay, utcMinute } from "@/components/lab/format";

const TRADES_PAGE = 50;

export function BacktestClient({ id }: { id: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const run = useQuery(
    trpc.lab.backtests.get.queryOptions({ id }, { refetchInterval: (q) => (q.state.data?.status === "running" || q.state.data?.status === "queued" ? 500 : false) }),
  );
  const r = run.data;
  const done = r?.status === "done";
  const candles = useQuery(trpc.lab.backtests.candles.queryOptions({ id }, { enabled: done, staleTime: Infinity }));
  const [shown, setShown] = useState(TRADES_PAGE);
  const cancel = useMutation(trpc.lab.backtests.cancel.mutationOptions({ onSettled: () => void qc.invalidateQueries({ queryKey: trpc.lab.backtests.get.queryKey({ id }) }) }));
  if (!r) return null;
  const running = r.status === "running" || r.status === "queued";
  const progress = r.barsTotal > 0 ? Math.min(100, (100 * r.barsDone) / r.barsTotal) : 0;
  const label = `${r.name} on ${r.symbol} ${r.timeframe}`;

  return (
    <>
      <PageHeader
        title={r.name}
        description={`${r.symbol} · ${r.timeframe} · ${utcDay(r.dataFrom)} to ${utcDay(r.dataTo)} · ${num(r.barsTotal, 0)} bars${r.strategyId ? ` · version ${r.strategyVersion}` : r.curatedId ? " · curated strategy" : ""}`}
        action={
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone={STATUS_TONE[r.status]}>{r.status}</Badge>
            {r.strategyId ? (
              <ButtonLink href={`/lab/strategies/${r.strategyId}`} variant="secondary" size="sm">
                Open strategy
              </ButtonLink>
            ) : null}
            <ButtonLink href="/lab" variant="ghost" size="sm">
              All backtests
            </ButtonLink>
          </div>
        }
      />
      <HypotheticalLabel className="mb-6" />

      {running ? (
        <Card className="mb-6">
          <CardBody className="space-y-3">
            <div className="flex items-center justify-between text-sm">
              <span className="font-medium text-slate-800">Running off the request thread…</span>
              <span className="tabular-nums text-slate-600" data-testid="progress-text">
                {num(r.barsDone, 0)} / {num(r.barsTotal, 0)} bars ({progress.toFixed(0)}%)
              </span>
            </div>
            <div className="h-2 w-full overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress)} aria-label="Backtest progress">
              <div className="h-full bg-brand-600 transition-all" style={{ width: `${progress}%` }} />
            </div>
            <Button type="button" variant="secondary" size="sm" onClick={() => cancel.mutate({ id })} disabled={cancel.isPending} data-testid="cancel-backtest">
              {cancel.isPending ? "Cancelling…" : "Cancel"}
            </Button>
            {cancel.error ? <Alert tone="error">{cancel.error.message}</Alert> : null}
          </CardBody>
        </Card>
      ) : null}
      {r.status === "failed" ? <Alert tone="error" className="mb-6">{r.error ?? "The backtest failed."}</Alert> : null}
      {r.status === "cancelled" ? <Alert tone="warning" className="mb-6">This backtest was cancelled; it stored no results.</Alert> : null}

      {done && r.stats ? (
        <div className="space-y-6">
          {r.error ? <Alert tone="info">{r.error}</Alert> : null}
          <div className="grid gap-4 sm:grid-cols-4">
            {[
              ["Return", pct(r.stats.backtestingPy.rows.find((x) => x.key === "returnPct")?.value)],
              ["Max drawdown", pct(r.stats.backtestingPy.rows.find((x) => x.key === "maxDrawdownPct")?.value)],
              ["Trades", num(r.tradeCount, 0)],
              ["Win rate", pct(r.stats.backtestingPy.rows.find((x) => x.key === "winRatePct")?.value)],
            ].map(([k, v]) => (
              <Card key={k}>
                <CardBody>
                  <p className="text-xs text-slate-500">{k} (hypothetical)</p>
                  <p className="text-xl font-semibold tabular-nums text-slate-900">{v}</p>
                </CardBody>
              </Card>
            ))}
          </div>
          <Card>
            <CardHeader title="Equity and drawdown" description="Hypothetical account equity at each bar's close (sampled to at most 2,000 points)." />
            <CardBody>
              <EquityDrawdownCharts points={r.equity} label={label} />
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Price and trades" description="Arrows mark entries (L long, S short); dots mark exits, green for a gain, red for a loss." />
            <CardBody>
              {candles.data?.length ? <PriceTradesChart bars={candles.data} trades={r.trades} label={label} /> : <p className="text-sm text-slate-500">{candles.isLoading ? "Loading prices…" : "Prices for this range are not available now."}</p>}
            </CardBody>
          </Card>
          <div className="grid items-start gap-6 lg:grid-cols-2">
            <StatsCard title="Statistics: backtesting.py definitions" subtitle={r.stats.backtestingPy.label} rows={r.stats.backtestingPy.rows} format={backtestingPyValue} testId="stats-backtesting-py" />
            {r.stats.trackRecord ? (
              <StatsCard title="Statistics: Tradsy track-record definitions" subtitle={r.stats.trackRecord.label} rows={r.stats.trackRecord.rows} format={trackRecordValue} testId="stats-track-record" />
            ) : (
              <Card>
                <CardHeader title="Statistics: Tradsy track-record definitions" description="Not available for this run." />
              </Card>
            )}
          </div>
          <Card>
            <CardHeader
              title={`Trades (${num(r.tradeCount, 0)})`}
              description={`${r.tradeCount !== null && r.tradeCount > r.trades.length ? `${num(r.trades.length, 0)} stored of ${num(r.tradeCount, 0)}. ` : ""}Newest first. Hypothetical fills.`}
            />
            {r.trades.length === 0 ? (
              <CardBody>
                <p className="text-sm text-slate-600">No trades: the rules never entered in this range.</p>
              </CardBody>
            ) : (
              <div className="overflow-x-auto">
                <Table data-testid="trades-table">
                  <TableHeader>
                    <TableRow>
                      <TableHead>Side</TableHead>
                      <TableHead>Entry (UTC)</TableHead>
                      <TableHead className="text-right">Entry</TableHead>
                      <TableHead>Exit (UTC)</TableHead>
                      <TableHead className="text-right">Exit</TableHead>
                      <TableHead className="text-right">Size</TableHead>
                      <TableHead className="text-right">P&amp;L</TableHead>
                      <TableHead className="text-right">Return</TableHead>
                      <TableHead>Reason</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {r.trades.slice(-shown).reverse().map((t, i) => (
                      <TableRow key={i}>
                        <TableCell>{t.side}</TableCell>
                        <TableCell className="whitespace-nowrap">{utcMinute(t.entryTime)}</TableCell>
                        <TableCell className="text-right tabular-nums">{num(t.entryPrice, 4)}</TableCell>
                        <TableCell className="whitespace-nowrap">{utcMinute(t.exitTime)}</TableCell>
                        <TableCell className="text-right tabular-nums">{num(t.exitPrice, 4)}</TableCell>
                        <TableCell className="text-right tabular-nums">{num(Math.abs(t.size), 4)}</TableCell>
                        <TableCell className={`text-right tabular-nums ${t.pnl >= 0 ? "text-green-700" : "text-red-700"}`}>{num(t.pnl)}</TableCell>
                        <TableCell className="text-right tabular-nums">{pct(t.returnPct)}</TableCell>
                        <TableCell>{t.exitReason}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
                {r.trades.length > shown ? (
                  <div className="border-t border-slate-100 px-5 py-3">
                    <Button type="button" variant="secondary" size="sm" onClick={() => setShown(shown + 200)}>
                      Show more ({num(r.trades.length - shown, 0)} older)
                    </Button>
                  </div>
                ) : null}
              </div>
            )}
          </Card>
          <HypotheticalLabel />
          <p className="text-xs text-slate-500">
            Settings: cash {num(r.settings?.cash)} · commission {r.settings?.commissionPct}% per side · slippage {r.settings?.slippageBps} bps · sizing {r.settings?.sizing.mode}{" "}
            {r.settings?.sizing.value}
            {r.stats.gaps ? ` · ${r.stats.gaps} gaps in the data handled` : ""}. <Link href="/lab" className="underline">Back to the lab</Link>
          </p>
        </div>
      ) : null}
    </>
  );
}

function StatsCard({ title, subtitle, rows, format, testId }: { title: string; subtitle: string; rows: { key: string; label: string; value: number | null }[]; format: (k: string, v: number | null) => string; testId: string }) {
  return (
    <Card>
      <CardHeader title={title} description={`${subtitle}. Hypothetical.`} />
      <Table data-testid={testId}>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.key}>
              <TableCell className="text-slate-600">{row.label}</TableCell>
              <TableCell className="text-right tabular-nums">{format(row.key, row.value)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}

"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { ButtonLink } from "@/components/ui/button";
import { Badge, Card, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { STATUS_TONE, utcDay } from "@/components/lab/format";

/** The lab's home: the user's own strategies and their recent backtests (live while any runs). */
export function LabClient() {
  const trpc = useTRPC();
  const strategies = useQuery(trpc.lab.strategies.list.queryOptions());
  const runs = useQuery(
    trpc.lab.backtests.list.queryOptions({ limit: 20 }, { refetchInterval: (q) => (q.state.data?.some((r) => r.status === "running" || r.status === "queued") ? 1_000 : false) }),
  );
  const list = strategies.data ?? [];
  const recent = runs.data ?? [];

  return (
    <>
      <PageHeader
        title="Strategy lab"
        description="Build trading rules from indicators, prices and constants, and backtest them on recorded market data. Backtests are hypothetical: they never count towards a live track record."
        action={
          <div className="flex flex-wrap gap-2">
            <ButtonLink href="/lab/optimize" variant="secondary">
              Optimise parameters
            </ButtonLink>
            <ButtonLink href="/lab/new">New strategy</ButtonLink>
          </div>
        }
      />
      <div className="grid items-start gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="My strategies" description="Rule documents you saved. Each saved change makes a new version." />
          {list.length === 0 ? (
            <EmptyState
              title="No strategies yet"
              action={<ButtonLink href="/lab/new" variant="secondary" size="sm">Start from an example</ButtonLink>}
            >
              Combine indicators such as an SMA cross or an RSI level into entry and exit rules, then backtest them in one click.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100" data-testid="lab-strategies">
              {list.map((s) => (
                <li key={s.id} className="flex items-center justify-between gap-3 px-5 py-3">
                  <div className="min-w-0">
                    <Link href={`/lab/strategies/${s.id}`} className="font-medium text-brand-800 hover:underline">
                      {s.name}
                    </Link>
                    <p className="text-xs text-slate-500">
                      Version {s.version} · {s.rules.rules.length} rule{s.rules.rules.length === 1 ? "" : "s"} · updated {utcDay(s.updatedAt)}
                    </p>
                  </div>
                  <ButtonLink href={`/lab/strategies/${s.id}`} variant="ghost" size="sm">
                    Open
                  </ButtonLink>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card>
          <CardHeader title="Recent backtests" description="Hypothetical runs over past prices, newest first." />
          {recent.length === 0 ? (
            <EmptyState title="No backtests yet">Open a strategy and press Backtest: the run appears here with its progress.</EmptyState>
          ) : (
            <Table data-testid="lab-backtests">
              <TableHeader>
                <TableRow>
                  <TableHead>Strategy</TableHead>
                  <TableHead>Market</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="text-right">Trades</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {recent.map((r) => (
                  <TableRow key={r.id}>
                    <TableCell>
                      <Link href={`/lab/backtests/${r.id}`} className="font-medium text-brand-800 hover:underline">
                        {r.name}
                      </Link>
                      <div className="text-xs text-slate-500">{utcDay(r.createdAt)}</div>
                    </TableCell>
                    <TableCell className="whitespace-nowrap">
                      {r.symbol} · {r.timeframe}
                    </TableCell>
                    <TableCell>
                      <Badge tone={STATUS_TONE[r.status]}>
                        {r.status === "running" && r.barsTotal > 0 ? `running ${Math.floor((100 * r.barsDone) / r.barsTotal)}%` : r.status}
                      </Badge>
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{r.tradeCount ?? "—"}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}

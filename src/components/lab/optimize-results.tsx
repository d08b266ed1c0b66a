"use client";

/**
 * An optimisation's tables (issue 20): how much of the objective's spread each parameter explains on its own
 * (horizontal bars of its share, with η²), and the best trials with their figures and, for a trial that does not
 * count, why. Hypothetical figures.
 */
import { useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { num, pct } from "./format";
import { objectiveLabel, objectiveText, paramsText } from "./optimize-format";

export interface ImportanceRow {
  name: string;
  eta2: number;
  share: number;
}

export function ImportanceBars({ rows }: { rows: ImportanceRow[] }) {
  const sorted = [...rows].sort((a, b) => b.share - a.share);
  if (sorted.every((r) => r.eta2 === 0)) {
    return <p className="text-sm text-slate-600">Not enough trials with a value to tell which parameters matter yet.</p>;
  }
  return (
    <ul className="space-y-3" data-testid="importance">
      {sorted.map((r) => (
        <li key={r.name} className="text-sm">
          <div className="flex items-baseline justify-between gap-3">
            <span className="font-mono font-medium text-slate-900">{r.name}</span>
            <span className="text-xs text-slate-600 tabular-nums">
              {pct(r.share * 100, 0)} of the explained spread · η² {num(r.eta2, 2)}
            </span>
          </div>
          <div className="mt-1 h-2.5 w-full rounded-full bg-slate-100" aria-hidden="true">
            <div className="h-full rounded-full bg-brand-600" style={{ width: `${Math.max(1, r.share * 100)}%` }} />
          </div>
        </li>
      ))}
    </ul>
  );
}

/** One stored trial as `lab.optimizations.get` answers it. */
export type TrialRow = inferRouterOutputs<AppRouter>["lab"]["optimizations"]["get"]["top"][number];

const PAGE = 25;

export function TrialsTable({ rows, objective, order }: { rows: TrialRow[]; objective: string; order: string[] }) {
  const [shown, setShown] = useState(PAGE);
  if (rows.length === 0) return <p className="px-5 py-4 text-sm text-slate-600">No trial has finished yet.</p>;
  return (
    <>
      <Table data-testid="trials-table" className="min-w-[52rem]" containerProps={{ role: "region", "aria-label": "Best trials", tabIndex: 0 }}>
        <TableHeader>
          <TableRow>
            <TableHead className="text-right">Rank</TableHead>
            <TableHead>Parameters</TableHead>
            <TableHead className="text-right">{objectiveLabel(objective)}</TableHead>
            <TableHead className="text-right">Trades</TableHead>
            <TableHead className="text-right">Return</TableHead>
            <TableHead className="text-right">Max DD</TableHead>
            <TableHead className="text-right">Sharpe</TableHead>
            <TableHead className="text-right">Win rate</TableHead>
            <TableHead>Note</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.slice(0, shown).map((t, i) => {
            // Rows come best first with the trials without a value last, so a row's rank is its position.
            const r = t.value === null ? null : i + 1;
            return (
              <TableRow key={t.seq} className={r === 1 ? "bg-amber-50/60" : undefined}>
                <TableCell className="text-right tabular-nums">{r ?? "—"}</TableCell>
                <TableCell className="font-mono text-xs whitespace-nowrap">{paramsText(t.params, order)}</TableCell>
                <TableCell className="text-right font-medium tabular-nums">{objectiveText(t.value)}</TableCell>
                <TableCell className="text-right tabular-nums">{num(t.trades, 0)}</TableCell>
                <TableCell className={`text-right tabular-nums ${t.returnPct >= 0 ? "text-green-700" : "text-red-700"}`}>{pct(t.returnPct)}</TableCell>
                <TableCell className="text-right tabular-nums">{pct(t.maxDrawdownPct)}</TableCell>
                <TableCell className="text-right tabular-nums">{num(t.sharpe, 2)}</TableCell>
                <TableCell className="text-right tabular-nums">{pct(t.winRatePct, 1)}</TableCell>
                <TableCell className="max-w-64 text-xs text-slate-600">{t.reason ?? ""}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {rows.length > shown ? (
        <div className="border-t border-slate-100 px-5 py-3">
          <Button type="button" variant="secondary" size="sm" onClick={() => setShown(shown + 50)}>
            Show more ({num(rows.length - shown, 0)} more)
          </Button>
        </div>
      ) : null}
    </>
  );
}

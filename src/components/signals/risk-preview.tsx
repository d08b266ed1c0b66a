import Decimal from "decimal.js";
import { cn } from "@/components/ui/cn";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatR, formatShare } from "./format";
import type { RiskPreview } from "./risk";

const pct = (d: Decimal) => `${d.toDecimalPlaces(2).toFixed(2)}%`;

/**
 * Risk/reward of the levels being typed: risk as a share of entry, each target's R multiple, and a ladder
 * that puts the stop at −1R, the entry at 0 and the targets where their R falls.
 */
export function RiskPreviewPanel({ preview, entryLabel }: { preview: RiskPreview | null; entryLabel: string }) {
  if (!preview) {
    return <p className="text-sm text-slate-500">{entryLabel}</p>;
  }
  const { riskPct, stopProblem, targets, bankedR, assignedShare } = preview;
  const maxR = targets.reduce((m, t) => (t.r && t.r.gt(m) ? t.r : m), new Decimal(1));
  // Positions on the ladder, 0..100 (CSS only; the figures shown are the decimal ones).
  const span = maxR.plus(1);
  const at = (r: Decimal) => Decimal.max(0, Decimal.min(100, r.plus(1).div(span).times(100))).toNumber();
  const ladder = riskPct && !stopProblem;

  return (
    <div className="space-y-4 text-sm">
      <div className="flex items-baseline justify-between gap-3">
        <span className="text-slate-600">Risk to stop</span>
        <span className={cn("font-mono tabular-nums", riskPct ? "text-slate-900" : "text-slate-400")}>{riskPct ? pct(riskPct) : "no stop"}</span>
      </div>
      {stopProblem ? <p className="text-amber-800">{stopProblem}</p> : null}

      {ladder ? (
        <div aria-hidden="true" className="px-5 pt-5 pb-6">
          <div className="relative h-2 rounded-full bg-emerald-100">
            <div className="absolute inset-y-0 left-0 rounded-l-full bg-red-300" style={{ width: `${at(new Decimal(0))}%` }} />
            <Tick left={0} label="Stop" sub="−1R" tone="red" />
            <Tick left={at(new Decimal(0))} label="Entry" sub="0" tone="slate" />
            {targets.map((t) =>
              t.r && !t.problem ? <Tick key={t.level} left={at(t.r)} label={`TP${t.level}`} sub={formatR(t.r)} tone="green" /> : null,
            )}
          </div>
        </div>
      ) : null}

      {targets.length ? (
        <Table>
          <TableCaption className="sr-only">Targets</TableCaption>
          <TableHeader className="border-0 bg-transparent font-normal tracking-normal normal-case">
            <TableRow>
              <TableHead className="px-0 pt-0 pb-1 font-medium">Target</TableHead>
              <TableHead className="px-0 pt-0 pb-1 text-right font-medium">Move</TableHead>
              <TableHead className="px-0 pt-0 pb-1 text-right font-medium">Reward</TableHead>
              <TableHead className="px-0 pt-0 pb-1 text-right font-medium">Size</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {targets.map((t) => (
              <TableRow key={t.level} className={t.problem ? "text-amber-800" : undefined}>
                <TableHead scope="row" className="px-0 py-1 font-medium">
                  TP{t.level}
                </TableHead>
                <TableCell className="px-0 py-1 text-right font-mono tabular-nums">{t.problem ? "wrong side" : `+${pct(t.movePct)}`}</TableCell>
                <TableCell className="px-0 py-1 text-right font-mono tabular-nums">{t.problem ? "—" : formatR(t.r)}</TableCell>
                <TableCell className="px-0 py-1 text-right font-mono tabular-nums">{t.share ? formatShare(t.share) : "—"}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <p className="text-slate-500">Add a take-profit to see its reward in R.</p>
      )}
      {targets.some((t) => t.problem) ? <p className="text-amber-800">{targets.find((t) => t.problem)!.problem}</p> : null}

      {bankedR ? (
        <p className="rounded-md bg-slate-50 px-3 py-2 text-slate-700">
          If every target is hit: <span className="font-mono font-semibold text-slate-900">{formatR(bankedR)}</span> on the {formatShare(assignedShare.toString())} closed at
          targets
          {assignedShare.lt(1) ? <>; the other {formatShare(new Decimal(1).minus(assignedShare).toString())} runs until the stop or a manual close</> : null}.
        </p>
      ) : null}
      {assignedShare.gt(1) ? <p className="text-amber-800">Target sizes add up to more than the whole position.</p> : null}
    </div>
  );
}

function Tick({ left, label, sub, tone }: { left: number; label: string; sub: string; tone: "red" | "slate" | "green" }) {
  const color = { red: "bg-red-600", slate: "bg-slate-700", green: "bg-emerald-600" }[tone];
  return (
    <div className="absolute top-1/2 -translate-x-1/2 -translate-y-1/2" style={{ left: `${left}%` }}>
      <div className={cn("mx-auto h-4 w-0.5 rounded", color)} />
      <div className="absolute bottom-full left-1/2 mb-0.5 -translate-x-1/2 text-[10px] font-semibold whitespace-nowrap text-slate-600">{label}</div>
      <div className="absolute top-full left-1/2 mt-0.5 -translate-x-1/2 font-mono text-[10px] whitespace-nowrap text-slate-500">{sub}</div>
    </div>
  );
}

import type { ReactNode } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { EmptyState } from "@/components/ui/card";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { percent, WINDOW_LABEL } from "@/components/track-record/format";
import { FigureText } from "@/components/track-record/signal-history";
import { formatDate } from "@/lib/format/dates";
import { bps, latency } from "./format";

/** The execution ledger's aggregates as `copy.executionQuality` returns them (the parts this view reads). */
export type ExecutionQualityView = Pick<inferRouterOutputs<AppRouter>["copy"]["executionQuality"], "provider" | "firstCopierAt" | "minSample" | "windows">;
export type ExecutionWindowView = ExecutionQualityView["windows"][number];

const NOT_ENOUGH = <span className="text-xs text-slate-400">Not enough data</span>;


/**
 * The execution ledger's public aggregates (copy.executionQuality): how often signals were copied, the entry
 * slippage and latency followers got, and their median return next to the published one, per track-record window.
 * A window with fewer filled entries than the minimum sample says so instead of showing a median of one or two.
 */
export function ExecutionQuality({ data, headingId }: { data: ExecutionQualityView; headingId?: string }) {
  if (!data.firstCopierAt) {
    return (
      <EmptyState title="Nobody has copied these signals yet">
        Once followers copy {data.provider.displayName}&rsquo;s signals, this shows how the copies actually filled: the share of signals copied, entry
        slippage, latency and followers&rsquo; returns next to the published ones.
      </EmptyState>
    );
  }
  const rows: { label: string; hint: string; cell: (w: ExecutionWindowView) => ReactNode; needsSample?: "entries" | "closed" }[] = [
    {
      label: "Signals copied",
      hint: "Signals with at least one filled copy, of those published while anyone was copying",
      cell: (w) =>
        w.signals ? (
          <span className="tabular-nums">
            <FigureText figure={percent(w.copiedShare, { signed: false, dp: 0 })} />{" "}
            <span className="text-xs text-slate-500">
              ({w.copiedSignals}/{w.signals})
            </span>
          </span>
        ) : (
          <span className="text-slate-400">—</span>
        ),
    },
    { label: "Median entry slippage", hint: "Fill vs the provider's entry; positive is worse for the follower", cell: (w) => bps(w.medianSlippageBps), needsSample: "entries" },
    { label: "90th percentile slippage", hint: "Nine copies in ten filled at least this well", cell: (w) => bps(w.p90SlippageBps), needsSample: "entries" },
    { label: "Median latency", hint: "From the signal event to the copy's fill", cell: (w) => latency(w.medianLatencyMs), needsSample: "entries" },
    { label: "Followers' median return", hint: "Per closed copy, after fees", cell: (w) => <FigureText figure={percent(w.followerMedianReturn)} />, needsSample: "closed" },
    { label: "Published median return", hint: "The same signals as the track record counts them", cell: (w) => <FigureText figure={percent(w.publishedMedianReturn)} />, needsSample: "closed" },
    { label: "Median gap", hint: "Follower minus published, per copy", cell: (w) => <FigureText figure={percent(w.medianReturnGap)} />, needsSample: "closed" },
  ];
  const enough = (w: ExecutionWindowView, need: "entries" | "closed" | undefined) =>
    need === "entries" ? w.enoughData : need === "closed" ? w.closedCopies >= data.minSample : true;
  return (
    <div>
      {/* Phones: one block per measure with its windows in a 2×2 grid, instead of a five-column table scrolling sideways. */}
      <ul className="divide-y divide-slate-100 sm:hidden" aria-labelledby={headingId} data-testid="execution-quality-list">
        {rows.map((r) => (
          <li key={r.label} className="py-3 first:pt-0">
            <p className="text-sm font-medium text-slate-800">{r.label}</p>
            <p className="text-xs text-slate-500">{r.hint}</p>
            <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1.5">
              {data.windows.map((w) => (
                <div key={w.window} className="flex items-baseline justify-between gap-2">
                  <dt className="text-xs text-slate-500">{WINDOW_LABEL[w.window]}</dt>
                  <dd className="text-right text-sm whitespace-nowrap tabular-nums">{enough(w, r.needsSample) ? r.cell(w) : NOT_ENOUGH}</dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ul>
      <Table
        className="min-w-[34rem]"
        containerProps={{ role: "region", "aria-labelledby": headingId, tabIndex: 0 }}
        containerClassName="hidden focus-visible:outline-2 focus-visible:outline-brand-600 sm:block"
      >
        <TableCaption className="sr-only">Execution quality of copies by window</TableCaption>
        <TableHeader className="bg-transparent">
          <TableRow>
            <TableHead className="w-[34%] pl-0">Measure</TableHead>
            {data.windows.map((w) => (
              <TableHead key={w.window} className="px-2 text-right">
                {WINDOW_LABEL[w.window]}
              </TableHead>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((r) => (
            <TableRow key={r.label}>
              <TableHead scope="row" className="py-2.5 pl-0 font-normal whitespace-normal normal-case">
                <span className="block text-sm font-medium text-slate-800">{r.label}</span>
                <span className="block text-xs font-normal tracking-normal text-slate-500">{r.hint}</span>
              </TableHead>
              {data.windows.map((w) => (
                <TableCell key={w.window} className="px-2 py-2.5 text-right whitespace-nowrap tabular-nums">
                  {enough(w, r.needsSample) ? r.cell(w) : NOT_ENOUGH}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <p className="mt-3 text-xs text-slate-500">
        From every copy on Tradsy&rsquo;s paper venue since {formatDate(data.firstCopierAt)}. Medians need at least {data.minSample} copies in a window.
      </p>
    </div>
  );
}

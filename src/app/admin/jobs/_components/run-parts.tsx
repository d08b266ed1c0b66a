/** Pieces the jobs list and the run page share: a run's status badge, a UTC instant, a JSON or error block. */
import { Badge } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { formatClock, formatDate } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import type { JobRunStatusName } from "@/lib/job-runs";
import { JOB_RUN_STATUS } from "@/lib/labels";

export function RunStatusBadge({ status }: { status: JobRunStatusName }) {
  return <Badge tone={JOB_RUN_STATUS[status].tone}>{JOB_RUN_STATUS[status].label}</Badge>;
}

/** An instant in UTC: the day above, the clock (to the second) below; a dash when there is none. */
export function Instant({ at, className }: { at: Date | null; className?: string }) {
  if (!at) return <Dash />;
  return (
    <time dateTime={at.toISOString()} className={cn("whitespace-nowrap", className)}>
      <span className="text-slate-900">{formatDate(at)}</span> <span className="font-mono text-xs text-slate-500">{formatClock(at)}</span>
    </time>
  );
}

export function Dash() {
  return (
    <span className="text-slate-400">
      <span aria-hidden="true">—</span>
      <span className="sr-only">None</span>
    </span>
  );
}

/** Text the service cut to a preview (a step's output, an error), with a note when something was left out. */
export function Preformatted({ value, max, className, label }: { value: { text: string; truncated: boolean }; max: number; className?: string; label: string }) {
  return (
    <div className="min-w-0">
      <pre aria-label={label} tabIndex={0} className={cn("max-h-72 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs leading-5 whitespace-pre-wrap break-all text-slate-800", className)}>
        {value.text}
      </pre>
      {value.truncated ? <p className="mt-1 text-xs text-slate-500">Cut at {formatCount(max)} characters.</p> : null}
    </div>
  );
}

import { cn } from "@/components/ui/cn";
import { SIGNAL_STATUS } from "@/lib/labels";
import { hashPrefix, percent, price, timeAgo, utcDateTime } from "./format";
import { SideLabel } from "./signal-history";
import type { ShownSignal, SignalLevels, HiddenSignal } from "./types";

/**
 * A provider's pending and open signals. Levels appear only when the signals API returned them in full (the
 * provider and entitled subscribers); everyone else gets the hidden view: that a signal exists, when, and its hash.
 */
export function OpenSignalList({ items, now }: { items: ShownSignal[]; now: Date }) {
  return (
    <ul className="divide-y divide-slate-100">
      {items.map((s) => (
        <li key={s.number} className="py-3 first:pt-0 last:pb-0">
          {s.visibility === "full" ? <FullSignal s={s} now={now} /> : <HiddenEntry s={s} now={now} />}
        </li>
      ))}
    </ul>
  );
}

function StatusPill({ status }: { status: "pending" | "open" }) {
  return (
    <span
      className={cn(
        "inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium",
        status === "open" ? "bg-sky-50 text-sky-800" : "bg-amber-50 text-amber-800",
      )}
    >
      <span className={cn("size-1.5 rounded-full", status === "open" ? "bg-sky-500" : "bg-amber-500")} aria-hidden="true" />
      {SIGNAL_STATUS[status].label}
    </span>
  );
}

function FullSignal({ s, now }: { s: SignalLevels; now: Date }) {
  const live = s.status === "open" || s.status === "pending" ? s.status : "open";
  const stopMoved = s.initialStop !== null && s.stopLoss !== null && s.initialStop !== s.stopLoss;
  return (
    <article aria-label={`Signal ${s.number}: ${s.side} ${s.symbol}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="font-medium text-slate-900">
          <span className="tabular-nums">#{s.number}</span> {s.symbol}
          <SideLabel side={s.side} />
        </p>
        <StatusPill status={live} />
      </div>
      <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1.5 text-sm">
        <div>
          <dt className="text-xs text-slate-500">{s.entryType === "limit" ? "Limit entry" : "Market entry"}</dt>
          <dd className="font-medium text-slate-900 tabular-nums">{price(s.fillPrice ?? s.entryPrice)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Stop-loss{stopMoved ? " (moved)" : ""}</dt>
          <dd className="font-medium text-loss tabular-nums">
            {price(s.stopLoss)}
            {stopMoved ? <span className="ml-1 text-xs font-normal text-slate-400 line-through">{price(s.initialStop)}</span> : null}
          </dd>
        </div>
        <div className="col-span-2">
          <dt className="text-xs text-slate-500">Take-profits</dt>
          <dd className="text-slate-900">
            {s.takeProfits.length ? (
              <ol className="flex flex-wrap gap-x-3 gap-y-0.5">
                {s.takeProfits.map((tp, i) => (
                  <li key={i} className="tabular-nums">
                    <span className="font-medium text-gain">{price(tp.price)}</span>{" "}
                    <span className="text-xs text-slate-500">({percent(tp.share, { signed: false, dp: 0 }).text})</span>
                  </li>
                ))}
              </ol>
            ) : (
              <span className="text-slate-500">None set</span>
            )}
          </dd>
        </div>
      </dl>
      {s.note ? <p className="mt-2 text-sm break-words text-slate-600">{s.note}</p> : null}
      <p className="mt-2 flex flex-wrap gap-x-3 text-xs text-slate-500">
        <time dateTime={new Date(s.publishedAt).toISOString()} title={utcDateTime(s.publishedAt)}>
          Published {timeAgo(s.publishedAt, now)}
        </time>
        {s.status === "open" && !/^1(\.0*)?$/.test(s.remaining) ? <span>{percent(s.remaining, { signed: false, dp: 0 }).text} still open</span> : null}
        <span className="font-mono" title={`sha256 ${s.hash}`}>
          {hashPrefix(s.hash)}…
        </span>
      </p>
    </article>
  );
}

function HiddenEntry({ s, now }: { s: HiddenSignal; now: Date }) {
  return (
    <div className="flex items-start gap-3">
      <span className="mt-0.5 flex size-8 shrink-0 items-center justify-center rounded-full bg-slate-100 text-slate-500" aria-hidden="true">
        <svg viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round">
          <rect x="4" y="9" width="12" height="8" rx="1.5" />
          <path d="M7 9V6.5a3 3 0 0 1 6 0V9" />
        </svg>
      </span>
      <div className="min-w-0 text-sm">
        <p className="text-slate-900">
          <span className="font-medium tabular-nums">Signal #{s.number}</span>{" "}
          {s.status === "pending" ? "published" : "opened"}{" "}
          <time dateTime={new Date(s.publishedAt).toISOString()} title={utcDateTime(s.publishedAt)}>
            {timeAgo(s.publishedAt, now)}
          </time>
        </p>
        <p className="text-xs text-slate-500">
          {s.status === "pending" ? "Waiting for its limit entry. " : ""}Levels visible to subscribers.{" "}
          <span className="font-mono" title={`Committed hash: sha256 ${s.hash}`}>
            {hashPrefix(s.hash)}…
          </span>
        </p>
      </div>
    </div>
  );
}

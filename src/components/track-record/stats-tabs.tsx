"use client";

import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { METRIC_DEFINITION, METRIC_LABEL, type MetricKey } from "./definitions";
import { drawdown, holdTime, percent, ratio, rMultiple, toneClass, utcDate, WINDOW_KEYS, WINDOW_LABEL, type Figure, type StatsWindowKey } from "./format";
import { RANKING_RULE, unrankedReason } from "./ranking";
import type { StatsByWindow, WindowStats } from "./types";
import { formatCount } from "@/lib/format/numbers";

/**
 * Track-record figures by window (30 days, 90 days, 1 year, all time) as ARIA tabs, every figure with its
 * definition as a tooltip (hover, keyboard focus or tap; Escape closes) and in full in the page's definitions section.
 */
export function StatsTabs({ stats, initial = "90d", definitionsHref }: { stats: StatsByWindow; initial?: StatsWindowKey; definitionsHref: string }) {
  const [active, setActive] = useState<StatsWindowKey>(initial);
  const tabRefs = useRef(new Map<StatsWindowKey, HTMLButtonElement>());
  const base = useId();

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = WINDOW_KEYS.indexOf(active);
    const next =
      e.key === "ArrowRight" ? WINDOW_KEYS[(i + 1) % WINDOW_KEYS.length]
      : e.key === "ArrowLeft" ? WINDOW_KEYS[(i - 1 + WINDOW_KEYS.length) % WINDOW_KEYS.length]
      : e.key === "Home" ? WINDOW_KEYS[0]
      : e.key === "End" ? WINDOW_KEYS[WINDOW_KEYS.length - 1]
      : undefined;
    if (!next) return;
    e.preventDefault();
    setActive(next);
    tabRefs.current.get(next)?.focus();
  };

  const s = stats[active];
  return (
    <div>
      <div role="tablist" aria-label="Time window" className="inline-flex rounded-lg bg-slate-100 p-1">
        {WINDOW_KEYS.map((w) => (
          <button
            key={w}
            ref={(el) => {
              if (el) tabRefs.current.set(w, el);
              else tabRefs.current.delete(w);
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${w}`}
            aria-selected={active === w}
            aria-controls={`${base}-panel`}
            tabIndex={active === w ? 0 : -1}
            onClick={() => setActive(w)}
            onKeyDown={onKeyDown}
            className={cn(
              "rounded-md px-3 py-1.5 text-sm font-medium whitespace-nowrap transition-colors",
              active === w ? "bg-white text-slate-900 shadow-xs" : "text-slate-600 hover:text-slate-900",
            )}
          >
            {WINDOW_LABEL[w]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${active}`} tabIndex={0} className="mt-4 rounded-md focus-visible:outline-offset-4">
        <WindowPanel window={active} stats={s} definitionsHref={definitionsHref} />
      </div>
    </div>
  );
}

function WindowPanel({ window: w, stats: s, definitionsHref }: { window: StatsWindowKey; stats: WindowStats | undefined; definitionsHref: string }) {
  const [openTip, setOpenTip] = useState<MetricKey | null>(null);
  useEffect(() => {
    if (!openTip) return;
    const onKey = (e: globalThis.KeyboardEvent) => e.key === "Escape" && setOpenTip(null);
    const onDown = (e: PointerEvent) => {
      if (!(e.target instanceof Element) || !e.target.closest("[data-metric-tip]")) setOpenTip(null);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onDown);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onDown);
    };
  }, [openTip]);

  const span = w === "all" ? "in the whole track record" : `in the last ${WINDOW_LABEL[w]}`;
  if (!s || s.closedSignals === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 px-6 py-8 text-center">
        <p className="text-sm font-medium text-slate-900">No signals closed {span}</p>
        <p className="mt-1 text-sm text-slate-600">Figures appear once a signal in this window has closed. Try a longer window.</p>
      </div>
    );
  }

  const losses = s.closedSignals - s.wins;
  const unranked = unrankedReason(s);
  const tile = (key: MetricKey, value: Figure | string, sub?: ReactNode, big = false) => (
    <Metric key={key} metric={key} value={value} sub={sub} big={big} open={openTip === key} onToggle={() => setOpenTip((o) => (o === key ? null : key))} />
  );

  return (
    <div className="@container">
      <p className="mb-4 flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-600">
        {s.ranked ? (
          <>
            <span className="inline-flex items-center gap-1 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700">
              <svg viewBox="0 0 20 20" className="size-3.5" fill="currentColor" aria-hidden="true">
                <path d="M10 1.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L10 14.9l-5.2 2.7 1-5.8L1.5 7.7l5.9-.9z" />
              </svg>
              Ranked
            </span>
            <span>
              Score <span className={cn("font-semibold tabular-nums", toneClass[ratio(s.score).tone])}>{ratio(s.score).text}</span> in this
              window
            </span>
          </>
        ) : (
          <>
            <span className="inline-flex items-center rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">Unranked</span>
            <span>
              {unranked}. Ranking {RANKING_RULE}.
            </span>
          </>
        )}
      </p>
      <dl className="grid grid-cols-2 gap-3 @lg:grid-cols-3 @2xl:grid-cols-4">
        {tile("roi", percent(s.roi), "Standard $10,000 account", true)}
        {tile("maxDrawdown", drawdown(s.maxDrawdown), "Peak to trough", true)}
        {tile("sharpe", ratio(s.sharpe), "Annualised", true)}
        {tile("winRate", percent(s.winRate, { signed: false }), `${s.wins} won · ${losses} lost`, true)}
        {tile("sortino", ratio(s.sortino))}
        {tile("profitFactor", ratio(s.profitFactor, { toned: false }), s.profitFactor === null ? "No losing signal yet" : undefined)}
        {tile("expectancy", percent(s.expectancy), "Per signal, after fees")}
        {tile("avgR", rMultiple(s.avgR))}
        {tile("avgHold", holdTime(s.avgHoldHours))}
        {tile("closedSignals", formatCount(s.closedSignals), s.firstSignalAt ? `First fill ${utcDate(s.firstSignalAt)}` : undefined)}
        {tile("score", ratio(s.score), s.ranked ? "Sharpe × sample weight" : "Set once ranked")}
      </dl>
      <p className="mt-4 text-xs text-slate-500">
        Hover, focus or tap <InfoIcon className="inline size-3.5 align-[-2px] text-slate-400" />
        <span className="sr-only">the info buttons</span> for a definition, or read{" "}
        <a href={definitionsHref} className="font-medium text-brand-700 underline-offset-2 hover:underline">
          how the figures are calculated
        </a>
        .
      </p>
    </div>
  );
}

function Metric({
  metric,
  value,
  sub,
  big,
  open,
  onToggle,
}: {
  metric: MetricKey;
  value: Figure | string;
  sub?: ReactNode;
  big?: boolean;
  open: boolean;
  onToggle: () => void;
}) {
  const tipId = useId();
  const label = METRIC_LABEL[metric];
  const fig = typeof value === "string" ? { text: value, tone: "flat" as const } : value;
  return (
    <div data-metric-tip className={cn("group relative rounded-lg border border-slate-200 px-3 py-3", big ? "bg-slate-50/60" : "bg-white")}>
      <dt className="flex items-center gap-1 text-xs font-medium text-slate-500">
        {label}
        <button
          type="button"
          onClick={onToggle}
          aria-label={`What is ${label.toLowerCase()}?`}
          aria-describedby={tipId}
          className="-m-1 inline-flex size-6 items-center justify-center rounded-full text-slate-400 hover:text-slate-700"
        >
          <InfoIcon className="size-3.5" />
        </button>
        <span
          role="tooltip"
          id={tipId}
          className={cn(
            "pointer-events-none absolute inset-x-0 top-full z-20 mt-1 rounded-md bg-slate-900 px-3 py-2 text-xs leading-5 font-normal text-white shadow-lg transition-opacity",
            open ? "visible opacity-100" : "invisible opacity-0 group-hover:visible group-hover:opacity-100 group-has-[button:focus-visible]:visible group-has-[button:focus-visible]:opacity-100",
          )}
        >
          {METRIC_DEFINITION[metric]}
        </span>
      </dt>
      <dd className={cn("mt-1 font-semibold tabular-nums", big ? "text-xl" : "text-base", toneClass[fig.tone])}>{fig.text}</dd>
      {sub ? <dd className="mt-0.5 text-xs text-slate-500">{sub}</dd> : null}
    </div>
  );
}

function InfoIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 20 20" className={className} fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden="true">
      <circle cx="10" cy="10" r="7.5" />
      <path d="M10 9v4.5M10 6.5h.01" strokeLinecap="round" />
    </svg>
  );
}

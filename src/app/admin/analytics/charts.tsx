"use client";

import { useEffect, useRef } from "react";
import type { UTCTimestamp } from "lightweight-charts";
import { formatCents } from "@/lib/money";
import { formatCount } from "@/lib/format/numbers";

/**
 * The analytics page's two charts, drawn by lightweight-charts (loaded in the browser only, like the equity chart):
 * new users per bucket as bars with the running total as a line, and monthly revenue as the gross bar with the
 * platform's part drawn over its foot (so each bar reads as platform + providers). Values stay integer counts and
 * cents; only the axis labels format them. The page renders a table of the same figures for screen readers.
 */

const BRAND = "#0f766e";
const BRAND_SOFT = "rgba(13, 148, 136, 0.35)";
const PLATFORM = "#1e3a8a";

export interface Point {
  /** Unix seconds (UTC bucket start). */
  time: number;
  value: number;
}

const baseOptions = async () => {
  const lc = await import("lightweight-charts");
  return {
    lc,
    options: {
      autoSize: true,
      layout: {
        background: { type: lc.ColorType.Solid, color: "#ffffff" },
        textColor: "#64748b",
        fontSize: 11,
        fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
      },
      grid: { vertLines: { visible: false }, horzLines: { color: "#f1f5f9" } },
      rightPriceScale: { borderVisible: false },
      leftPriceScale: { borderVisible: false },
      crosshair: { mode: lc.CrosshairMode.Magnet },
      handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
      handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: true, axisDoubleClickReset: true },
    },
  };
};

const asTime = (p: Point) => ({ time: p.time as UTCTimestamp, value: p.value });
const countFormat = { type: "custom" as const, minMove: 1, formatter: (p: number) => formatCount(Math.round(p)) };

/** New users per bucket (bars, left scale) and the running total (line, right scale). */
export function GrowthChart({ added, cumulative, intraday, label }: { added: Point[]; cumulative: Point[]; intraday: boolean; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | undefined;
    void baseOptions().then(({ lc, options }) => {
      const el = ref.current;
      if (disposed || !el) return;
      const chart = lc.createChart(el, {
        ...options,
        leftPriceScale: { ...options.leftPriceScale, visible: true },
        timeScale: { borderVisible: false, fixLeftEdge: true, fixRightEdge: true, timeVisible: intraday },
      });
      const bars = chart.addSeries(lc.HistogramSeries, { color: BRAND_SOFT, priceScaleId: "left", priceLineVisible: false, lastValueVisible: false, priceFormat: countFormat });
      const line = chart.addSeries(lc.LineSeries, { color: BRAND, lineWidth: 2, priceScaleId: "right", priceLineVisible: false, priceFormat: countFormat });
      bars.setData(added.map(asTime));
      line.setData(cumulative.map(asTime));
      chart.timeScale().fitContent();
      cleanup = () => chart.remove();
    });
    return () => {
      disposed = true;
      cleanup?.();
    };
  }, [added, cumulative, intraday]);
  return (
    <div>
      <div ref={ref} role="img" aria-label={label} data-testid="growth-chart" className="relative h-64 w-full overflow-hidden sm:h-72" />
      <ul className="mt-3 flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-500" aria-hidden="true">
        <li className="flex items-center gap-1.5">
          <span className="inline-block size-2.5 rounded-sm bg-brand-600/40" /> New users (left scale)
        </li>
        <li className="flex items-center gap-1.5">
          <span className="inline-block h-0.5 w-4 rounded bg-brand-700" /> Total users (right scale)
        </li>
      </ul>
    </div>
  );
}

/** Gross per month with the platform's 30% drawn over the bar's foot: the rest of the bar is the providers' 70%. */
export function RevenueChart({ gross, platform, label }: { gross: Point[]; platform: Point[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | undefined;
    void baseOptions().then(({ lc, options }) => {
      const el = ref.current;
      if (disposed || !el) return;
      const chart = lc.createChart(el, { ...options, timeScale: { borderVisible: false, fixLeftEdge: true, fixRightEdge: true, timeVisible: false } });
      const money = { type: "custom" as const, minMove: 1, formatter: (p: number) => formatCents(Math.round(p)) };
      const grossBars = chart.addSeries(lc.HistogramSeries, { color: BRAND_SOFT, priceLineVisible: false, lastValueVisible: false, priceFormat: money });
      const platformBars = chart.addSeries(lc.HistogramSeries, { color: PLATFORM, priceLineVisible: false, lastValueVisible: false, priceFormat: money });
      grossBars.setData(gross.map(asTime));
      platformBars.setData(platform.map(asTime));
      chart.timeScale().fitContent();
      cleanup = () => chart.remove();
    });
    return () => {
      disposed = true;
      cleanup?.();
    };
  }, [gross, platform]);
  return (
    <div>
      <div ref={ref} role="img" aria-label={label} data-testid="revenue-chart" className="relative h-64 w-full overflow-hidden sm:h-72" />
      <ul className="mt-3 flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-500" aria-hidden="true">
        <li className="flex items-center gap-1.5">
          <span className="inline-block size-2.5 rounded-sm bg-blue-900" /> Platform (30%)
        </li>
        <li className="flex items-center gap-1.5">
          <span className="inline-block size-2.5 rounded-sm bg-brand-600/40" /> Providers (70%)
        </li>
      </ul>
    </div>
  );
}

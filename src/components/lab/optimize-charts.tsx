"use client";

/**
 * The optimisation's progress chart with lightweight-charts (loaded in the browser only, as backtest-charts.tsx
 * does): each trial's objective value as a dot and the best so far as a stepped line, against the trial number. The
 * horizontal scale is numeric (the library's options chart), not time. The chart is made once and its data replaced
 * on every poll, so a running search does not redraw it from scratch each second. The vertical scale stops at the
 * trials' 5th percentile: a handful of disastrous trials would otherwise squash the curve that matters into a line.
 */
import { useEffect, useRef } from "react";
import type { AutoscaleInfo, IChartApiBase, ISeriesApi } from "lightweight-charts";
import { bestSoFar, type TrialPoint } from "@/lib/lab/optimize-view";

type Series = ISeriesApi<"Line", number>;
type Chart = { api: IChartApiBase<number>; trials: Series; best: Series; floor: { current: number | null } };

export function BestSoFarChart({ points, label }: { points: TrialPoint[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<Chart | null>(null);
  const latest = useRef(points);

  useEffect(() => {
    latest.current = points;
    if (chart.current) fill(chart.current, points);
  }, [points]);

  useEffect(() => {
    let disposed = false;
    void import("lightweight-charts").then((lib) => {
      if (disposed || !ref.current) return;
      const api = lib.createOptionsChart(ref.current, {
        autoSize: true,
        layout: { background: { type: lib.ColorType.Solid, color: "#ffffff" }, textColor: "#64748b", fontSize: 11 },
        grid: { vertLines: { visible: false }, horzLines: { color: "#f1f5f9" } },
        rightPriceScale: { borderVisible: false },
        timeScale: { borderVisible: false, fixLeftEdge: true, fixRightEdge: true },
        localization: { precision: 0, timeFormatter: (n: number) => `Trial ${n}` },
        handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
        handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: true, axisDoubleClickReset: true },
      });
      const floor: Chart["floor"] = { current: null };
      const autoscaleInfoProvider = (original: () => AutoscaleInfo | null) => {
        const r = original();
        return r?.priceRange && floor.current !== null ? { ...r, priceRange: { minValue: Math.max(r.priceRange.minValue, floor.current), maxValue: r.priceRange.maxValue } } : r;
      };
      const trials = api.addSeries(lib.LineSeries, { color: "#94a3b8", lineVisible: false, pointMarkersVisible: true, pointMarkersRadius: 2, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false, autoscaleInfoProvider });
      const best = api.addSeries(lib.LineSeries, { color: "#0f766e", lineWidth: 2, lineType: lib.LineType.WithSteps, priceLineVisible: false, autoscaleInfoProvider });
      chart.current = { api, trials, best, floor };
      fill(chart.current, latest.current);
    });
    return () => {
      disposed = true;
      chart.current?.api.remove();
      chart.current = null;
    };
  }, []);

  return <div ref={ref} role="img" aria-label={`Best objective so far by trial: ${label}`} data-testid="best-so-far-chart" className="h-56 w-full overflow-hidden sm:h-64" />;
}

/** The 5th percentile of the trials' values: the scale's floor, so a few awful trials do not flatten the rest. */
function floorOf(points: TrialPoint[]): number | null {
  const values = points.flatMap((p) => (p.value === null ? [] : [p.value])).sort((a, b) => a - b);
  return values.length >= 20 ? values[Math.floor(values.length * 0.05)]! : null;
}

function fill(c: Chart, points: TrialPoint[]): void {
  const sorted = [...points].sort((a, b) => a.seq - b.seq);
  c.floor.current = floorOf(sorted);
  c.trials.setData(sorted.map((p) => (p.value === null ? { time: p.seq } : { time: p.seq, value: p.value })));
  c.best.setData(bestSoFar(sorted).map((p) => ({ time: p.seq, value: p.value })));
  c.api.timeScale().fitContent();
}

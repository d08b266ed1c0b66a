"use client";

import { useEffect, useRef, useState } from "react";
import type { IChartApi, ISeriesApi } from "lightweight-charts";
import { formatUsdCents } from "@/lib/format/numbers";
import { money } from "./format";

export interface PaperCurvePoint {
  /** UTC day, YYYY-MM-DD. */
  time: string;
  /** Realised equity at the day's end (decimal string). */
  value: string;
}

/**
 * The paper account's realised equity, day by day since its creation or last reset, drawn by lightweight-charts
 * (loaded in the browser only). Numbers reach the canvas as floats, which is fine for pixels: every figure a person
 * reads is printed from the decimal strings. The accessible name says where the curve starts and ends.
 */
export function PaperEquityChart({ points, label }: { points: PaperCurvePoint[]; label: string }) {
  // One point gives the price scale nothing to span (it invents a ±$0.05 axis around it): say it in words instead.
  const [first] = points;
  if (points.length < 2) {
    return (
      <p data-testid="paper-equity-empty" className="mt-2 rounded-md border border-dashed border-slate-200 px-4 py-6 text-center text-sm text-slate-600">
        {first
          ? `One day so far (${money(first.value)} on ${first.time}). The curve appears from the second day: it grows a point each day a copy fills.`
          : "No days yet: the curve starts the first day a copy fills."}
      </p>
    );
  }
  return <EquityCanvas points={points} label={label} />;
}

function EquityCanvas({ points, label }: { points: PaperCurvePoint[]; label: string }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<{ chart: IChartApi; series: ISeriesApi<"Area"> } | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | undefined;
    void import("lightweight-charts").then(({ createChart, AreaSeries, ColorType }) => {
      const el = containerRef.current;
      if (disposed || !el) return;
      const chart = createChart(el, {
        autoSize: true,
        layout: {
          background: { type: ColorType.Solid, color: "#ffffff" },
          textColor: "#64748b",
          fontSize: 11,
          fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
        },
        grid: { vertLines: { visible: false }, horzLines: { color: "#f1f5f9" } },
        rightPriceScale: { borderVisible: false },
        timeScale: { borderVisible: false, fixLeftEdge: true, fixRightEdge: true },
        handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
        handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: true, axisDoubleClickReset: true },
      });
      const series = chart.addSeries(AreaSeries, {
        lineColor: "#0f766e",
        lineWidth: 2,
        topColor: "rgba(13, 148, 136, 0.25)",
        bottomColor: "rgba(13, 148, 136, 0.02)",
        priceLineVisible: false,
        priceFormat: { type: "custom", minMove: 0.01, formatter: (p: number) => formatUsdCents(p) },
      });
      chartRef.current = { chart, series };
      setReady(true);
      cleanup = () => {
        chart.remove();
        chartRef.current = null;
      };
    });
    return () => {
      disposed = true;
      cleanup?.();
    };
  }, []);

  useEffect(() => {
    const c = chartRef.current;
    if (!ready || !c) return;
    c.series.setData(points.map((p) => ({ time: p.time, value: Number(p.value) })));
    c.chart.timeScale().fitContent();
  }, [ready, points]);

  return <div ref={containerRef} role="img" aria-label={label} data-testid="paper-equity-chart" className="h-48 w-full overflow-hidden sm:h-56" />;
}

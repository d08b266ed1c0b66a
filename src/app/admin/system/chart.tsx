"use client";

import { useEffect, useRef, useState } from "react";
import type { IChartApi, ISeriesApi, UTCTimestamp } from "lightweight-charts";
import { formatReading, type OpsUnit } from "@/lib/ops/thresholds";

/**
 * One metric's last 24 hours, drawn by lightweight-charts (loaded in the browser only, like the other charts), with
 * its warning and critical lines as dashed price lines. Points are [epoch seconds, value].
 */
export function MetricChart({ points, unit, warning, critical, label }: { points: [number, number][]; unit: OpsUnit; warning: number | null; critical: number | null; label: string }) {
  if (points.length < 2)
    return (
      <p className="rounded-md border border-dashed border-slate-200 px-4 py-6 text-center text-sm text-slate-600">
        {points.length ? "One point so far: the line appears with the next 5 minutes of readings." : "No readings in the last 24 hours."}
      </p>
    );
  return <Canvas points={points} unit={unit} warning={warning} critical={critical} label={label} />;
}

function Canvas({ points, unit, warning, critical, label }: { points: [number, number][]; unit: OpsUnit; warning: number | null; critical: number | null; label: string }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<{ chart: IChartApi; series: ISeriesApi<"Line"> } | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | undefined;
    void import("lightweight-charts").then(({ createChart, LineSeries, ColorType, LineStyle }) => {
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
        timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false, fixLeftEdge: true, fixRightEdge: true },
        handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
        handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: true, axisDoubleClickReset: true },
      });
      const series = chart.addSeries(LineSeries, {
        color: "#0f766e",
        lineWidth: 2,
        priceLineVisible: false,
        priceFormat: { type: "custom", minMove: 0.1, formatter: (v: number) => formatReading(unit, v) },
      });
      if (warning !== null) series.createPriceLine({ price: warning, color: "#d97706", lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: "warning" });
      if (critical !== null) series.createPriceLine({ price: critical, color: "#dc2626", lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: "critical" });
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
  }, [unit, warning, critical]);

  useEffect(() => {
    const c = chartRef.current;
    if (!ready || !c) return;
    c.series.setData(points.map(([time, value]) => ({ time: time as UTCTimestamp, value })));
    c.chart.timeScale().fitContent();
  }, [ready, points]);

  return <div ref={containerRef} role="img" aria-label={label} data-testid="system-chart" className="h-40 w-full overflow-hidden" />;
}

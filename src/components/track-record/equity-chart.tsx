"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import type { IChartApi, ISeriesApi, ISeriesMarkersPluginApi, MouseEventParams, SeriesMarker, Time, UTCTimestamp } from "lightweight-charts";
import { cn } from "@/components/ui/cn";
import { formatDate } from "@/lib/format/dates";
import { formatUsd, formatUsdCents } from "@/lib/format/numbers";
import type { ChartPoint } from "./chart-data";
import { fromChartWire, type ChartWire } from "./chart-wire";

/**
 * The profile's equity curve (standard account, day by day) with the worst drawdown of each day in a pane below and
 * a marker per closed signal on the day it closed. Drawn on a canvas by lightweight-charts, which is loaded in the
 * browser only; the accessible name summarises the curve and the page renders a table of key points beside it.
 * The data arrives in the compact column form of ./chart-wire (most of the page's payload otherwise).
 */

const GAIN = "#059669";
const LOSS = "#dc2626";
const BRAND = "#0f766e";

const pctText = (p: number, dp: number) => `${p <= -0.5 * 10 ** -dp ? "-" : ""}${Math.abs(p).toFixed(dp)}%`;

/** Axis labels need more decimals when the visible range is narrow (a young record moves by cents, not dollars). */
function smallestStep(prices: readonly number[]): number {
  let step = Infinity;
  for (let i = 1; i < prices.length; i++) step = Math.min(step, Math.abs(prices[i]! - prices[i - 1]!));
  return step;
}

interface Legend {
  time: number;
  equity: number | null;
  drawdown: number | null;
  wins: number;
  losses: number;
}

export function EquityChart({ data: wire, label, className }: { data: ChartWire; label: string; className?: string }) {
  const data = useMemo(() => fromChartWire(wire), [wire]);
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<{
    chart: IChartApi;
    equity: ISeriesApi<"Area">;
    drawdown: ISeriesApi<"Histogram">;
    markers: ISeriesMarkersPluginApi<Time>;
  } | null>(null);
  const [ready, setReady] = useState(false);
  const [hover, setHover] = useState<Legend | null>(null);

  const closesByDay = useMemo(() => {
    const m = new Map<number, { wins: number; losses: number }>();
    for (const mk of data.markers) {
      const c = m.get(mk.time) ?? { wins: 0, losses: 0 };
      if (mk.win) c.wins += 1;
      else c.losses += 1;
      m.set(mk.time, c);
    }
    return m;
  }, [data.markers]);

  const latest = useMemo<Legend | null>(() => {
    const last = data.equity.at(-1);
    if (!last) return null;
    const c = closesByDay.get(last.time);
    return { time: last.time, equity: last.value, drawdown: data.drawdown.at(-1)?.value ?? null, wins: c?.wins ?? 0, losses: c?.losses ?? 0 };
  }, [data.equity, data.drawdown, closesByDay]);

  // Create the chart once; data arrives through the effect below, so a refresh does not rebuild the canvas.
  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | undefined;
    void import("lightweight-charts").then(({ createChart, createSeriesMarkers, AreaSeries, HistogramSeries, ColorType, CrosshairMode }) => {
      const el = containerRef.current;
      if (disposed || !el) return;
      const chart = createChart(el, {
        autoSize: true,
        layout: {
          background: { type: ColorType.Solid, color: "#ffffff" },
          textColor: "#64748b",
          fontSize: 11,
          fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
          panes: { separatorColor: "#e2e8f0", separatorHoverColor: "rgba(148, 163, 184, 0.2)", enableResize: false },
        },
        grid: { vertLines: { visible: false }, horzLines: { color: "#f1f5f9" } },
        rightPriceScale: { borderVisible: false },
        timeScale: { borderVisible: false, fixLeftEdge: true, fixRightEdge: true, timeVisible: false },
        crosshair: { mode: CrosshairMode.Magnet },
        // The page scrolls with the wheel and vertical swipes; the chart pans with drags and zooms with pinches.
        handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
        handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: true, axisDoubleClickReset: true },
      });
      const equity = chart.addSeries(AreaSeries, {
        lineColor: BRAND,
        lineWidth: 2,
        topColor: "rgba(13, 148, 136, 0.28)",
        bottomColor: "rgba(13, 148, 136, 0.02)",
        priceLineVisible: false,
        lastValueVisible: true,
        priceFormat: {
          type: "custom",
          minMove: 0.01,
          formatter: (p: number) => formatUsdCents(p),
          tickmarksFormatter: (prices: number[]) => {
            const f = smallestStep(prices) < 1 ? formatUsdCents : formatUsd;
            return prices.map((p) => f(p));
          },
        },
      });
      const drawdown = chart.addSeries(
        HistogramSeries,
        {
          color: "rgba(220, 38, 38, 0.55)",
          priceLineVisible: false,
          lastValueVisible: false,
          base: 0,
          priceFormat: {
            type: "custom",
            minMove: 0.01,
            formatter: (p: number) => pctText(p, 2),
            tickmarksFormatter: (prices: number[]) => {
              const dp = smallestStep(prices) < 0.1 ? 2 : 1;
              return prices.map((p) => pctText(p, dp));
            },
          },
        },
        1,
      );
      const panes = chart.panes();
      panes[0]?.setStretchFactor(3);
      panes[1]?.setStretchFactor(1);
      const markers = createSeriesMarkers(equity, [], { autoScale: true });

      const onMove = (param: MouseEventParams<Time>) => {
        if (param.time === undefined || !param.point) {
          setHover(null);
          return;
        }
        const e = param.seriesData.get(equity) as { value?: number } | undefined;
        const d = param.seriesData.get(drawdown) as { value?: number } | undefined;
        setHover({ time: param.time as number, equity: e?.value ?? null, drawdown: d?.value ?? null, wins: 0, losses: 0 });
      };
      chart.subscribeCrosshairMove(onMove);
      chartRef.current = { chart, equity, drawdown, markers };
      setReady(true);
      cleanup = () => {
        chart.unsubscribeCrosshairMove(onMove);
        chart.remove();
        chartRef.current = null;
      };
    });
    return () => {
      disposed = true;
      cleanup?.();
    };
  }, []);

  const fitted = useRef(false);
  useEffect(() => {
    const c = chartRef.current;
    if (!ready || !c) return;
    const asTime = (p: ChartPoint) => ({ time: p.time as UTCTimestamp, value: p.value });
    c.equity.setData(data.equity.map(asTime));
    c.drawdown.setData(data.drawdown.map(asTime));
    c.markers.setMarkers(
      data.markers.map(
        (m): SeriesMarker<Time> => ({
          time: m.time as UTCTimestamp,
          position: "inBar",
          shape: "circle",
          color: m.win ? GAIN : LOSS,
          size: 0.4,
          id: String(m.number),
        }),
      ),
    );
    // Fit once; later refreshes (live updates) keep whatever range the viewer has zoomed to.
    if (!fitted.current) {
      c.chart.timeScale().fitContent();
      fitted.current = true;
    }
  }, [ready, data]);

  const shown = hover ? { ...hover, ...(closesByDay.get(hover.time) ?? { wins: 0, losses: 0 }) } : latest;

  return (
    <div className={className}>
      <div className="flex min-h-10 flex-wrap items-baseline gap-x-4 gap-y-1 text-sm" aria-hidden="true">
        {shown ? (
          <>
            <span className="text-slate-500 tabular-nums">{formatDate(new Date(shown.time * 1000))}</span>
            <span className="text-slate-500">
              Equity <span className="font-semibold text-slate-900 tabular-nums">{shown.equity === null ? "—" : formatUsdCents(shown.equity)}</span>
            </span>
            <span className="text-slate-500">
              Drawdown{" "}
              <span className={cn("font-semibold tabular-nums", shown.drawdown !== null && shown.drawdown <= -0.005 ? "text-loss" : "text-slate-900")}>
                {shown.drawdown === null ? "—" : pctText(shown.drawdown, 2)}
              </span>
            </span>
            {shown.wins + shown.losses > 0 ? (
              <span className="text-slate-500 tabular-nums">
                Closed <span className="font-semibold text-gain">{shown.wins} won</span> · <span className="font-semibold text-loss">{shown.losses} lost</span>
              </span>
            ) : null}
          </>
        ) : null}
      </div>
      <div
        ref={containerRef}
        data-testid="equity-chart"
        role="img"
        aria-label={label}
        className="relative mt-2 h-72 w-full overflow-hidden sm:h-96"
      />
      <ul className="mt-3 flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-500" aria-hidden="true">
        <li className="flex items-center gap-1.5">
          <span className="inline-block h-0.5 w-4 rounded bg-brand-700" /> Equity (standard $10,000 account)
        </li>
        <li className="flex items-center gap-1.5">
          <span className="inline-block size-2.5 rounded-sm bg-red-500/60" /> Worst drawdown of the day
        </li>
        <li className="flex items-center gap-1.5">
          <span className="inline-block size-2 rounded-full bg-gain" /> Winning close
        </li>
        <li className="flex items-center gap-1.5">
          <span className="inline-block size-2 rounded-full bg-loss" /> Losing close
        </li>
      </ul>
    </div>
  );
}

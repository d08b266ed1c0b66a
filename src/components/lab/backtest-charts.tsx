"use client";

/**
 * A backtest's charts with lightweight-charts (loaded in the browser only, as the other charts here): the equity
 * curve, its drawdown, and the price with the trades' entries and exits as markers. Times are ms; the library takes
 * UTC seconds. Hypothetical figures, floats by design.
 */
import { useEffect, useRef } from "react";
import type { IChartApi, Time } from "lightweight-charts";

const base = {
  autoSize: true,
  grid: { vertLines: { visible: false }, horzLines: { color: "#f1f5f9" } },
  rightPriceScale: { borderVisible: false },
  timeScale: { borderVisible: false, fixLeftEdge: true, fixRightEdge: true, timeVisible: true },
  handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
  handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: true, axisDoubleClickReset: true },
} as const;

const sec = (ms: number) => Math.floor(ms / 1000) as Time;

function useChart(build: (lib: typeof import("lightweight-charts"), el: HTMLDivElement) => IChartApi, deps: unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: IChartApi | undefined;
    void import("lightweight-charts").then((lib) => {
      if (disposed || !ref.current) return;
      chart = build(lib, ref.current);
      chart.timeScale().fitContent();
    });
    return () => {
      disposed = true;
      chart?.remove();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return ref;
}

function layout(lib: typeof import("lightweight-charts")) {
  return { background: { type: lib.ColorType.Solid, color: "#ffffff" }, textColor: "#64748b", fontSize: 11 };
}

/** Equity at each sampled bar, and below it the fall from the running peak (≤ 0 %). */
export function EquityDrawdownCharts({ points, label }: { points: { time: number; equity: number; drawdownPct: number }[]; label: string }) {
  const equityRef = useChart(
    (lib, el) => {
      const chart = lib.createChart(el, { ...base, layout: layout(lib) });
      const s = chart.addSeries(lib.AreaSeries, { lineColor: "#0f766e", lineWidth: 2, topColor: "rgba(13,148,136,0.25)", bottomColor: "rgba(13,148,136,0.02)", priceLineVisible: false });
      s.setData(dedupe(points.map((p) => ({ time: sec(p.time), value: p.equity }))));
      return chart;
    },
    [points],
  );
  const ddRef = useChart(
    (lib, el) => {
      const chart = lib.createChart(el, { ...base, layout: layout(lib) });
      const s = chart.addSeries(lib.AreaSeries, {
        lineColor: "#b91c1c",
        lineWidth: 1,
        topColor: "rgba(185,28,28,0.02)",
        bottomColor: "rgba(185,28,28,0.25)",
        invertFilledArea: false,
        priceLineVisible: false,
        priceFormat: { type: "custom", minMove: 0.01, formatter: (p: number) => `${p.toFixed(1)}%` },
      });
      s.setData(dedupe(points.map((p) => ({ time: sec(p.time), value: p.drawdownPct }))));
      return chart;
    },
    [points],
  );
  return (
    <div className="space-y-2">
      <div ref={equityRef} role="img" aria-label={`Equity curve: ${label}`} data-testid="equity-chart" className="h-56 w-full overflow-hidden sm:h-64" />
      <p className="text-xs font-medium text-slate-500">Drawdown from the running peak</p>
      <div ref={ddRef} role="img" aria-label={`Drawdown: ${label}`} data-testid="drawdown-chart" className="h-28 w-full overflow-hidden sm:h-32" />
    </div>
  );
}

export interface MarkerTrade {
  side: "long" | "short";
  entryTime: number;
  exitTime: number;
  pnl: number;
}

/** Candles with an arrow at each entry (up for long, down for short) and a dot at each exit (green win, red loss). */
export function PriceTradesChart({ bars, trades, label }: { bars: { time: number; open: number; high: number; low: number; close: number }[]; trades: MarkerTrade[]; label: string }) {
  const ref = useChart(
    (lib, el) => {
      const chart = lib.createChart(el, { ...base, layout: layout(lib) });
      const s = chart.addSeries(lib.CandlestickSeries, { upColor: "#16a34a", downColor: "#dc2626", borderVisible: false, wickUpColor: "#16a34a", wickDownColor: "#dc2626" });
      s.setData(dedupe(bars.map((b) => ({ time: sec(b.time), open: b.open, high: b.high, low: b.low, close: b.close }))));
      // Bars may be merged (at most 2,000): a marker sits on the bar that holds its time.
      const times = bars.map((b) => b.time);
      const at = (t: number) => {
        let lo = 0;
        let hi = times.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (times[mid]! <= t) lo = mid;
          else hi = mid - 1;
        }
        return sec(times[lo] ?? t);
      };
      const markers = trades.slice(-400).flatMap((t) => [
        { time: at(t.entryTime), position: t.side === "long" ? "belowBar" : "aboveBar", color: "#1d4ed8", shape: t.side === "long" ? "arrowUp" : "arrowDown", text: t.side === "long" ? "L" : "S" } as const,
        { time: at(t.exitTime), position: t.side === "long" ? "aboveBar" : "belowBar", color: t.pnl >= 0 ? "#16a34a" : "#dc2626", shape: "circle" } as const,
      ]);
      markers.sort((a, b) => (a.time as number) - (b.time as number));
      lib.createSeriesMarkers(s, markers);
      return chart;
    },
    [bars, trades],
  );
  return <div ref={ref} role="img" aria-label={`Price with trades: ${label}`} data-testid="price-chart" className="h-64 w-full overflow-hidden sm:h-80" />;
}

function dedupe<T extends { time: Time }>(data: T[]): T[] {
  const out: T[] = [];
  for (const d of data) {
    if (out.length && (out[out.length - 1]!.time as number) >= (d.time as number)) out[out.length - 1] = d;
    else out.push(d);
  }
  return out;
}

/**
 * A stored reference backtest's curve (one point per day, or per k days on long daily runs; the deepest drawdown of
 * each) and its trade closes in the equity chart's wire form (components/track-record/chart-wire), so the library
 * reuses the profile's lightweight-charts equity and drawdown chart. Pure.
 */
import type { ChartWire } from "@/components/track-record/chart-wire";

const DAY_MS = 86_400_000;
const round = (v: number, dp: number) => Math.round(v * 10 ** dp) / 10 ** dp + 0;

export function libraryChartWire(equity: readonly { time: number; equity: number; drawdownPct: number }[], closes: readonly { exitTime: number; win: boolean }[]): ChartWire {
  const day = (ms: number) => Math.floor(ms / DAY_MS);
  const day0 = equity.length ? day(equity[0]!.time) : 0;
  const first = equity.length ? equity[0]!.time : 0;
  const markers = closes.filter((c) => c.exitTime >= first);
  return {
    day0,
    days: equity.map((p) => day(p.time) - day0),
    equity: equity.map((p) => round(p.equity, 2)),
    drawdown: equity.map((p) => round(p.drawdownPct, 3)),
    markers: { days: markers.map((c) => day(c.exitTime) - day0), numbers: markers.map((_, i) => i + 1), wins: markers.map((c) => (c.win ? 1 : 0)) },
  };
}

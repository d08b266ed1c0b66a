/** Number formatting for the lab's hypothetical backtest figures (floats by design: a simulation, not money held). */

export function num(v: number | null | undefined, dp = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return v.toLocaleString("en-US", { minimumFractionDigits: dp, maximumFractionDigits: dp });
}

export function pct(v: number | null | undefined, dp = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : `${num(v, dp)}%`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const h = ms / 3_600_000;
  if (h < 48) return `${num(h, 0)} h`;
  return `${num(h / 24, 0)} days`;
}

export function utcDay(ms: number | Date | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return new Date(ms).toISOString().slice(0, 10);
}

export function utcMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

const BT_KIND: Record<string, "pct" | "money" | "ms" | "time" | "count" | "ratio"> = {
  start: "time",
  end: "time",
  durationMs: "ms",
  equityFinal: "money",
  equityPeak: "money",
  commissions: "money",
  maxDrawdownDurationMs: "ms",
  avgDrawdownDurationMs: "ms",
  maxTradeDurationMs: "ms",
  avgTradeDurationMs: "ms",
  trades: "count",
  sharpe: "ratio",
  sortino: "ratio",
  calmar: "ratio",
  beta: "ratio",
  profitFactor: "ratio",
  sqn: "ratio",
  kellyCriterion: "ratio",
};

/** A backtesting.py statistic as it prints it (percent figures are already percentages). */
export function backtestingPyValue(key: string, v: number | null): string {
  const kind = BT_KIND[key] ?? "pct";
  if (kind === "time") return v === null ? "—" : utcDay(v);
  if (kind === "ms") return duration(v);
  if (kind === "money") return num(v);
  if (kind === "count") return num(v, 0);
  if (kind === "ratio") return num(v, 3);
  return num(v);
}

/** A track-record figure: fractions shown as percentages (src/lib/stats returns 0.05 for 5%). */
export function trackRecordValue(key: string, v: number | null): string {
  if (["roi", "winRate", "maxDrawdown", "expectancy"].includes(key)) return v === null ? "—" : pct(v * 100);
  if (key === "closedSignals") return num(v, 0);
  if (key === "avgHoldHours") return num(v, 1);
  return num(v, 3);
}

export const STATUS_TONE = { queued: "slate", running: "brand", done: "green", failed: "red", cancelled: "amber" } as const;

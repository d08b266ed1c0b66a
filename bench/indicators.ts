/**
 * Incremental indicator updates per second (issue 19, acceptance 3, second part): our SMA(20), EMA(20) and RSI(14)
 * (src/lib/indicators) next to trading-signals 8.3.0's classes doing the same, measured in the same run on the same
 * COUNT (1,000,000) values: the recorded BTC/USDT 1h closes tiled (45,024 closes, repeated end to end).
 *
 * Each measurement feeds a fresh instance every value, one `update` (ours) or `add` (theirs) call per value, and
 * folds each returned value into a checksum so no call can be optimised away. Our EMA runs with seed "first",
 * trading-signals' seeding, so both sides compute the same numbers: their checksums are compared and a mismatch
 * fails the bench (a speed figure for a different computation would mean nothing). A warm-up pass of each on
 * 100,000 values first (JIT), then BENCH_INDICATORS_ROUNDS (3) rounds with the order rotated so drift on a shared
 * machine weighs on both alike; medians are reported.
 *
 * `benchIndicators()` returns [{ name, ours, reference, ratio }] in updates/s, ratio = ours / reference (how many
 * times faster ours is); [] with a SKIPPED line when the recording is absent (MARKET_DATA_DIR or ../shared/data).
 * Run alone: `npx tsx bench/indicators.ts` prints the table.
 */
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as TS from "trading-signals";
import { EMA, RSI, SMA } from "@/lib/indicators";

const COUNT = Number(process.env.BENCH_INDICATORS_COUNT ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_INDICATORS_ROUNDS ?? 3);
const WARMUP = Math.min(100_000, COUNT);

export interface IndicatorBenchRow {
  name: string;
  /** Updates per second. */
  ours: number;
  reference: number;
  /** ours / reference: above 1, ours is faster. */
  ratio: number;
}

/** One side of a comparison: feeds every value to a fresh instance and returns a checksum of what came back. */
type Run = (values: Float64Array) => number;

const CASES: { name: string; ours: Run; reference: Run }[] = [
  {
    name: "SMA(20)",
    ours: (v) => feed(new SMA({ period: 20 }), v),
    reference: (v) => feedReference(new TS.SMA(20), v),
  },
  {
    name: "EMA(20)",
    ours: (v) => feed(new EMA({ period: 20, seed: "first" }), v),
    reference: (v) => feedReference(new TS.EMA(20), v, true),
  },
  {
    name: "RSI(14)",
    ours: (v) => feed(new RSI({ period: 14 }), v),
    reference: (v) => feedReference(new TS.RSI(14), v),
  },
];

function feed(indicator: { update(x: number): number | null }, values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const r = indicator.update(values[i]!);
    if (r !== null) sum += r;
  }
  return sum;
}

/**
 * trading-signals' `add` returns the EMA even before it is stable (its getResult() withholds those), so for the
 * EMA the checksum counts only stable values, as ours returns them; isStable is a getter that costs little.
 */
function feedReference(indicator: { add(x: number): unknown; isStable: boolean }, values: Float64Array, stableOnly = false): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const r = indicator.add(values[i]!);
    if (typeof r === "number" && (!stableOnly || indicator.isStable)) sum += r;
  }
  return sum;
}

function btcCloses(): number[] | undefined {
  const dirs = [process.env.MARKET_DATA_DIR, path.resolve(process.cwd(), "..", "shared", "data")].filter(Boolean) as string[];
  for (const dir of dirs) {
    const candles = path.join(dir, "candles");
    if (!fs.existsSync(candles)) continue;
    const file = fs.readdirSync(candles).find((f) => f.startsWith("binance_BTC_USDT_1h_") && f.endsWith(".json"));
    // ccxt's OHLCV layout: [openTimeMs, open, high, low, close, volume].
    if (file) return (JSON.parse(fs.readFileSync(path.join(candles, file), "utf8")) as number[][]).map((r) => r[4]!);
  }
  return undefined;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function time(run: Run, values: Float64Array): { ms: number; checksum: number } {
  const t0 = performance.now();
  const checksum = run(values);
  return { ms: performance.now() - t0, checksum };
}

export function benchIndicators(): IndicatorBenchRow[] {
  const closes = btcCloses();
  if (!closes) {
    console.log("SKIPPED indicators bench: no binance_BTC_USDT_1h_*.json (set MARKET_DATA_DIR, or put the shared data in ../shared/data)");
    return [];
  }
  const values = new Float64Array(COUNT);
  for (let i = 0; i < COUNT; i++) values[i] = closes[i % closes.length]!;

  const rows: IndicatorBenchRow[] = [];
  for (const c of CASES) {
    const warm = values.subarray(0, WARMUP);
    c.ours(warm);
    c.reference(warm);
    const ours: number[] = [];
    const reference: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const oursFirst = r % 2 === 0;
      const first = time(oursFirst ? c.ours : c.reference, values);
      const second = time(oursFirst ? c.reference : c.ours, values);
      const [a, b] = oursFirst ? [first, second] : [second, first];
      // Same values, same definitions: the sums of millions of results agree to rounding, or the bench is void.
      if (Math.abs(a.checksum - b.checksum) > 1e-9 * Math.abs(b.checksum)) {
        throw new Error(`indicators bench: ${c.name} checksums differ (ours ${a.checksum}, trading-signals ${b.checksum})`);
      }
      ours.push((COUNT * 1000) / a.ms);
      reference.push((COUNT * 1000) / b.ms);
    }
    const o = median(ours);
    const ref = median(reference);
    rows.push({ name: `${c.name} incremental updates/s (${(COUNT / 1e6).toFixed(COUNT % 1e6 ? 2 : 0)}M BTC/USDT 1h closes, tiled)`, ours: o, reference: ref, ratio: o / ref });
  }
  return rows;
}

export function printIndicatorTable(rows: IndicatorBenchRow[]) {
  const width = Math.max(20, ...rows.map((r) => r.name.length));
  const fmt = (v: number) => Math.round(v).toLocaleString("en-US").padStart(14);
  console.log(`${"measurement".padEnd(width)} ${"ours".padStart(14)} ${"trading-signals".padStart(15)} ${"ratio".padStart(8)}`);
  console.log("-".repeat(width + 40));
  for (const r of rows) console.log(`${r.name.padEnd(width)} ${fmt(r.ours)} ${fmt(r.reference).padStart(15)} ${r.ratio.toFixed(1).padStart(7)}x`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printIndicatorTable(benchIndicators());
}

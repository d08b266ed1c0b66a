/**
 * The optimiser's parallel speed (issue 20, acceptance 2): a 400-point grid of SmaCross (fast 2–21 × slow 30–220
 * step 10, every point with fast < slow) over 100,000 hourly bars, run through the app's own trial pool
 * (src/server/services/lab/trial-pool.ts: worker threads reading the candles from one SharedArrayBuffer) with one
 * worker and with one per core, side by side in the same run. Reports trials/second of each and the speed-up
 * (budget ≥ 1.6× on two cores), and checks both runs scored every point identically.
 *
 * Data: the recorded BTC/USDT 1h candles tiled to 100,000 bars as bench/engine.ts does. Each pool first runs a few
 * trials untimed (thread start-up and V8's warm-up); then the two time the whole grid in turn, ROUNDS (3) times,
 * and the fastest run of each counts (other work on a shared machine only ever adds time).
 */
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { drive } from "@/lib/optimize/driver";
import { GridSearch } from "@/lib/optimize/search";
import { gridPoints, type ParamSpace } from "@/lib/optimize/space";
import type { TrialSetup } from "@/lib/optimize/strategy";
import { defaultPoolSize, TrialPool } from "@/server/services/lab/trial-pool";
import { findBtcFile, pingPongTiles } from "./engine";

const BARS = 100_000;
export const OPTIMIZE_BUDGET = 1.6;
const SPACE: ParamSpace = {
  dimensions: [
    { name: "fast", kind: "int", min: 2, max: 21, step: 1 },
    { name: "slow", kind: "int", min: 30, max: 220, step: 10 },
  ],
  constraints: [{ a: "fast", op: "<", b: "slow" }],
};
const SETUP: TrialSetup = {
  curatedId: "sma-cross",
  objective: "sharpe",
  minTrades: 10,
  config: { cash: 10_000, commission: { relative: 0.001, fixed: 0 }, defaultSize: { fraction: 0.9999 }, endOfData: "close-at-last-close" },
};

export type OptimizeBench =
  | { points: number; cores: number; workers: number; oneMs: number; manyMs: number; speedup: number; oneRate: number; manyRate: number; best: string }
  | { skipped: string };

const ROUNDS = Number(process.env.BENCH_OPTIMIZE_ROUNDS ?? 3);

async function timeGrid(pool: TrialPool): Promise<{ ms: number; values: Map<string, number | null> }> {
  const values = new Map<string, number | null>();
  const t = performance.now();
  await drive({
    search: new GridSearch(SPACE),
    evaluate: (p) => pool.evaluate(p),
    budget: Infinity,
    concurrency: pool.size,
    onTrial: (p, r) => void values.set(`${p.fast}/${p.slow}`, r.value),
  });
  return { ms: performance.now() - t, values };
}

async function startWarm(series: ReturnType<typeof pingPongTiles>, workers: number): Promise<TrialPool> {
  const pool = await TrialPool.start(SETUP, series, workers);
  const warm = [...gridPoints(SPACE)].slice(0, 4 * workers);
  await Promise.all(warm.map((p) => pool.evaluate(p)));
  return pool;
}

export async function benchOptimize(): Promise<OptimizeBench> {
  const file = findBtcFile();
  if (!file) return { skipped: "no recorded BTC/USDT 1h candles (MARKET_DATA_DIR or ../shared/data)" };
  const series = pingPongTiles(JSON.parse(fs.readFileSync(file, "utf8")) as number[][], BARS);
  const cores = defaultPoolSize();
  const workers = Math.max(2, cores);
  // Rounds interleaved, the fastest of each kept: other work on the machine only ever adds time.
  const onePool = await startWarm(series, 1);
  const manyPool = await startWarm(series, workers);
  let one = { ms: Infinity, values: new Map<string, number | null>() };
  let many = { ms: Infinity, values: new Map<string, number | null>() };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const a = await timeGrid(onePool);
      if (a.ms < one.ms) one = a;
      const b = await timeGrid(manyPool);
      if (b.ms < many.ms) many = b;
    }
  } finally {
    await Promise.all([onePool.close(), manyPool.close()]);
  }
  for (const [k, v] of one.values) if (many.values.get(k) !== v) throw new Error(`grid point ${k} scored ${v} with one worker, ${many.values.get(k)} with ${workers}`);
  let best = "";
  let bestValue = -Infinity;
  for (const [k, v] of one.values) if (v !== null && v > bestValue) [best, bestValue] = [`fast/slow ${k}, Sharpe ${v.toFixed(3)}`, v];
  const points = one.values.size;
  return { points, cores, workers, oneMs: one.ms, manyMs: many.ms, speedup: one.ms / many.ms, oneRate: (points / one.ms) * 1000, manyRate: (points / many.ms) * 1000, best };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  benchOptimize().then(
    (r) => {
      console.log(r);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

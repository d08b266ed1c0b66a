/**
 * The strategy lab's figures (issue 19, acceptance 3), each next to its floor or reference measured in the same run:
 * the engine running SmaCross(10, 20) over 1,000,000 hourly bars next to a bare single-pass loop with the same fill
 * rules (budget: within 3×), and incremental SMA/EMA/RSI updates per second next to trading-signals doing the same.
 * Issue 20 adds the optimiser's parallel grid (bench/optimize.ts): trials/second with one worker and one per core.
 * All need the recorded BTC/USDT 1h candles (MARKET_DATA_DIR or ../shared/data); without them the rows say skipped.
 */
import { benchEngine } from "./engine";
import { benchIndicators } from "./indicators";
import { benchOptimize, OPTIMIZE_BUDGET } from "./optimize";
import { round, type Check, type Result } from "./report";

export async function benchLab(results: Result[], checks: Check[]): Promise<void> {
  const engine = benchEngine();
  if ("skipped" in engine) {
    results.push({ name: "lab: engine SmaCross(10, 20), 1,000,000 1h bars", value: null, unit: "skipped", budget: "≤ 3× the bare loop", skipped: engine.skipped });
  } else {
    const bars = engine.bars.toLocaleString("en-US");
    results.push({ name: `lab: engine SmaCross(10, 20), ${bars} 1h bars`, value: round(engine.engineMs, 1), unit: "ms", budget: `≤ ${engine.budgetRatio}× the bare loop` });
    results.push({ name: "lab: bare single-pass loop, same fill rules", value: round(engine.loopMs, 1), unit: "ms", budget: "floor (same run)" });
    results.push({ name: "lab: engine / bare loop", value: round(engine.ratio, 2), unit: "x", budget: `≤ ${engine.budgetRatio}` });
    checks.push({
      name: "strategy engine within 3× a bare loop",
      ok: engine.ratio <= engine.budgetRatio,
      detail: `${engine.ratio.toFixed(2)}× (${engine.engineMs.toFixed(1)} ms vs ${engine.loopMs.toFixed(1)} ms over ${bars} bars, ${engine.trades} trades each, same final equity)`,
    });
  }
  const rows = benchIndicators();
  if (rows.length === 0) {
    results.push({ name: "lab: incremental indicator updates/s", value: null, unit: "skipped", budget: "next to trading-signals", skipped: "no recorded BTC/USDT 1h candles" });
  }
  for (const r of rows) {
    const name = r.name.split(" incremental")[0];
    results.push({ name: `lab: ${name} updates/s, ours`, value: Math.round(r.ours), unit: "upd/s", budget: "next to trading-signals" });
    results.push({ name: `lab: ${name} updates/s, trading-signals`, value: Math.round(r.reference), unit: "upd/s", budget: "reference (same run)" });
    results.push({ name: `lab: ${name} ours / trading-signals`, value: round(r.ratio, 2), unit: "x", budget: "ratio" });
  }
  const opt = await benchOptimize();
  if ("skipped" in opt) {
    results.push({ name: "lab: optimiser 400-point SmaCross grid, 100,000 1h bars", value: null, unit: "skipped", budget: `≥ ${OPTIMIZE_BUDGET}× one worker`, skipped: opt.skipped });
  } else {
    const grid = `${opt.points}-point SmaCross grid, 100,000 1h bars`;
    results.push({ name: `lab: optimiser ${grid}, 1 worker`, value: round(opt.oneRate, 1), unit: "trials/s", budget: "floor (same run)" });
    results.push({ name: `lab: optimiser ${grid}, ${opt.workers} workers`, value: round(opt.manyRate, 1), unit: "trials/s", budget: `≥ ${OPTIMIZE_BUDGET}× one worker` });
    results.push({ name: `lab: optimiser speed-up, ${opt.workers} workers / 1 (${opt.cores} cores)`, value: round(opt.speedup, 2), unit: "x", budget: `≥ ${OPTIMIZE_BUDGET}` });
    checks.push({
      name: "optimiser grid uses every core",
      ok: opt.speedup >= OPTIMIZE_BUDGET,
      detail: `${opt.speedup.toFixed(2)}× (${opt.oneMs.toFixed(0)} ms with 1 worker, ${opt.manyMs.toFixed(0)} ms with ${opt.workers}; same score at every point; best ${opt.best})`,
    });
  }
}

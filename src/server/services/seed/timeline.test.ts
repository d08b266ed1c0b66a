/**
 * The demo plans' pure timeline, and the promise the demo makes to the demo trader: both providers the trader pays
 * for (Momentum Desk, Steady Swing) have at least one open or pending signal at the end of their seeded history,
 * wherever the replay's "now" lands. The replay's whole-week offsets put recorded "now" somewhere in a week-long
 * window, depending only on the weekday and hour the database is seeded at; every hour of that week is checked
 * here against the real recordings (skipped without them), and every hour of the day on the synthetic walk.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_REPLAY_RUNWAY_MS, chooseReplayOffset } from "@/lib/market-data/replay-clock";
import { SYNTHETIC_SYMBOLS, createSyntheticSeries } from "@/lib/market-data/synthetic";
import { slugify } from "@/lib/slug";
import { REPLAY_SERIES, REPLAY_STEP_MS, loadRecordedSeries, readRecordedSpan, replayAvailable } from "@/server/integrations/market-data";
import { DEFAULT_SYNTHETIC_SEED } from "@/server/integrations/market-data/synthetic";
import type { Candle } from "@/lib/lifecycle";
import { DEMO_PAID_FOLLOWS } from "./billing";
import { DEMO_PLANS } from "./track-records";
import { DAY, HOUR, historyStart, lifecycleOf, proposalsOf, strategyCandles, timeline, type Plan, type PlanSeries } from "./timeline";

const fallback = path.resolve(import.meta.dirname, "../../../../../shared/data");
const dir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const available = replayAvailable(dir);
if (!available) console.warn(`[seed] paid-provider replay window test skipped: no recorded candles (set MARKET_DATA_DIR; looked at ${dir ?? fallback})`);

const candle = (openTime: number, close: number): Candle => ({ openTime, open: String(close), high: String(close + 1), low: String(close - 1), close: String(close), volume: "1" });

describe("strategyCandles and historyStart", () => {
  it("builds candles on UTC boundaries of their length, complete ones only", () => {
    const t0 = Date.UTC(2022, 6, 1, 2); // 02:00: the first 4h candle is the one opening at 04:00
    const hourly = Array.from({ length: 29 }, (_, i) => candle(t0 + i * HOUR, 100 + i)).filter((c) => c.openTime !== Date.UTC(2022, 6, 1, 13));
    const four = strategyCandles(hourly, 4);
    // 04, 08 complete; 12 misses 13:00 (a gap); 16, 20, 00(+1d) complete; 04(+1d) unfinished (06:00 is the last hour).
    expect(four.map((c) => new Date(c.openTime).toISOString().slice(8, 13))).toEqual(["01T04", "01T08", "01T16", "01T20", "02T00"]);
    expect(four[0]).toEqual({ openTime: Date.UTC(2022, 6, 1, 4), open: "102", high: "106", low: "101", close: "105", volume: "4" });
    expect(strategyCandles(hourly, 1)).toBe(hourly);
    expect(() => strategyCandles(hourly, 5)).toThrow(RangeError);
  });

  it("starts the history at the UTC midnight a year back, the same all day", () => {
    expect(historyStart(Date.UTC(2026, 11, 6, 0))).toBe(Date.UTC(2025, 11, 6));
    expect(historyStart(Date.UTC(2026, 11, 6, 23, 59))).toBe(Date.UTC(2025, 11, 6));
  });
});

const planOf = (slug: string): Plan => {
  const name = Object.keys(DEMO_PLANS).find((n) => slugify(n) === slug);
  if (!name) throw new Error(`no demo plan for ${slug}`);
  return DEMO_PLANS[name]!;
};

interface Recorded {
  symbol: string;
  decimals: number;
  /** Every candle there is, at recorded times. */
  hourly: Candle[];
  times: number[];
}

/** Recorded "now" of one instrument at one position of the real clock. */
type Position = Map<string, number>;

/**
 * For each position, how many of the plan's signals are open or pending at the end of the history the seed would
 * write, each instrument's history running from `historyStart(now)` to `now` in its own recorded time.
 *
 * Fast and exact by two properties the strategies and the lifecycle have, which `spotCheck` confirms on the
 * seed's own `timeline`: a strategy is causal (its proposals on a longer history are those on the shorter one plus
 * later ones), so one run per history start serves every end; and a signal's lifecycle on the candles up to "now"
 * is a prefix of its lifecycle on all of them, so it is live at "now" exactly when it ended after "now".
 */
function liveCounts(plan: Plan, recorded: readonly Recorded[], positions: readonly Position[]): number[] {
  const live = positions.map(() => 0);
  for (const r of recorded) {
    const ends = new Map<string, number>();
    const endOf = (p: ReturnType<typeof proposalsOf>[number]) => {
      const key = `${p.state.publishedAt.getTime()}|${JSON.stringify(p.proposal)}`;
      let end = ends.get(key);
      if (end === undefined) {
        const run = lifecycleOf(p, r.hourly, r.times, Number.POSITIVE_INFINITY);
        end = run.state.status === "open" || run.state.status === "pending" ? Number.POSITIVE_INFINITY : run.events.at(-1)!.at.getTime();
        ends.set(key, end);
      }
      return end;
    };
    const byStart = new Map<number, number[]>();
    positions.forEach((pos, i) => {
      const start = historyStart(pos.get(r.symbol)!);
      byStart.set(start, [...(byStart.get(start) ?? []), i]);
    });
    for (const [start, indexes] of byStart) {
      const last = Math.max(...indexes.map((i) => positions[i]!.get(r.symbol)!));
      const hourly = r.hourly.filter((c) => c.openTime >= start && c.openTime + HOUR <= last);
      const proposals = proposalsOf(plan, [{ symbol: r.symbol, hourly, decimals: r.decimals }], last);
      for (const i of indexes) {
        const now = positions[i]!.get(r.symbol)!;
        live[i]! += proposals.filter((p) => p.state.publishedAt.getTime() <= now && endOf(p) > now).length;
      }
    }
  }
  return live;
}

/** The seed's own computation at one position (all instruments shifted to one real clock), for comparison. */
function seedLiveCount(plan: Plan, recorded: readonly Recorded[], realNow: number, offsets: Map<string, number>): number {
  const series: PlanSeries[] = recorded.map((r) => {
    const off = offsets.get(r.symbol)!;
    const start = historyStart(realNow);
    return {
      symbol: r.symbol,
      decimals: r.decimals,
      hourly: r.hourly.filter((c) => c.openTime + off >= start && c.openTime + off + HOUR <= realNow).map((c) => ({ ...c, openTime: c.openTime + off })),
    };
  });
  const { finalStates } = timeline(plan, series, new Date(realNow));
  return [...finalStates.values()].filter((s) => s.status === "open" || s.status === "pending").length;
}

describe.skipIf(!available)("paid demo providers over the replayed recordings", () => {
  it.each(DEMO_PAID_FOLLOWS)("%s has an open or pending signal at every hour of the week the replay's now can land in", async (slug) => {
    const plan = planOf(slug);
    const recorded: Recorded[] = [];
    const spans = new Map<string, { firstOpen: number; lastClose: number }>();
    for (const symbol of plan.symbols) {
      const spec = REPLAY_SERIES.find((s) => s.info.symbol === symbol)!;
      expect(spec.timeframe, symbol).toBe("1h");
      const series = await loadRecordedSeries(dir!, spec);
      recorded.push({ symbol, decimals: spec.info.pricePrecision, hourly: [...series.candles], times: Array.from(series.times) });
      spans.set(symbol, await readRecordedSpan(dir!, spec));
    }
    // Offsets are whole weeks: one real week, hour by hour, meets every recorded "now" the anchoring can produce.
    // (Within an hour nothing changes: the history starts at midnight, candles close on the hour, and the window's
    // edges are on the hour.) Each instrument gets its own offset, as the replay stores one per series.
    const week0 = Date.UTC(2026, 11, 7);
    const reals = Array.from({ length: 7 * 24 }, (_, k) => week0 + k * HOUR);
    const offsetsAt = (realNow: number) =>
      new Map(
        plan.symbols.map((s) => [s, chooseReplayOffset({ ...spans.get(s)!, now: realNow, runwayMs: DEFAULT_REPLAY_RUNWAY_MS, stepMs: REPLAY_STEP_MS })]),
      );
    const positions = reals.map((realNow) => new Map([...offsetsAt(realNow)].map(([s, off]) => [s, realNow - off])));
    // The positions cover the whole week-long window of each instrument.
    for (const s of plan.symbols) {
      const recordedNows = positions.map((p) => p.get(s)!).sort((a, b) => a - b);
      expect(recordedNows.at(-1)! - recordedNows[0]!).toBe(7 * DAY - HOUR);
      expect(spans.get(s)!.lastClose - recordedNows.at(-1)!).toBe(DEFAULT_REPLAY_RUNWAY_MS);
    }

    const live = liveCounts(plan, recorded, positions);
    const without = reals.filter((_, i) => live[i] === 0).map((t) => new Date(t).toISOString());
    expect(without, `${slug}: no open or pending signal when seeded at these times`).toEqual([]);

    // The fast count agrees with the seed's own timeline, at the window's ends and in between.
    for (const k of [0, 1, 101, 167]) {
      expect(seedLiveCount(plan, recorded, reals[k]!, offsetsAt(reals[k]!)), `${slug} seeded at ${new Date(reals[k]!).toISOString()}`).toBe(live[k]);
    }
  }, 120_000);
});

describe("paid demo providers over the synthetic walk", () => {
  it.each(DEMO_PAID_FOLLOWS)("%s has an open or pending signal whatever the hour the demo is seeded at", (slug) => {
    const plan = planOf(slug);
    // The walk starts 400 days before the first use (whole days), so the history always sees the same walk: only
    // the hour of the day moves its end.
    const origin = Date.UTC(2025, 0, 1);
    const recorded: Recorded[] = plan.symbols.map((symbol) => {
      const spec = SYNTHETIC_SYMBOLS.find((s) => s.info.symbol === symbol)!;
      const hourly = createSyntheticSeries({ seed: DEFAULT_SYNTHETIC_SEED, spec, origin }).candles(origin, origin + 402 * DAY);
      return { symbol, decimals: spec.info.pricePrecision, hourly, times: hourly.map((c) => c.openTime) };
    });
    const reals = Array.from({ length: 24 }, (_, h) => origin + 400 * DAY + h * HOUR);
    const positions = reals.map((t) => new Map(plan.symbols.map((s) => [s, t])));
    const live = liveCounts(plan, recorded, positions);
    expect(reals.filter((_, i) => live[i] === 0).map((t) => new Date(t).toISOString().slice(11, 16)), `${slug}: hours without a live signal`).toEqual([]);
    const zero = new Map(plan.symbols.map((s) => [s, 0]));
    for (const k of [0, 23]) expect(seedLiveCount(plan, recorded, reals[k]!, zero)).toBe(live[k]);
  }, 60_000);
});

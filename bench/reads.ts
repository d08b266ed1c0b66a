/**
 * Marketplace reads, measured in process against a scratch database holding 1,000 providers, 1,000,000 signals,
 * provider_stats for the four windows and 20,000 subscriptions: the directory read (listPublicProviders) and the
 * leaderboard service call (leaderboard()) with varied windows, sorts, filters and pages.
 */
import { performance } from "node:perf_hooks";
import { setDatabase, type DatabaseHandle } from "@/server/db";
import { listPublicProviders } from "@/server/services/providers";
import { leaderboard, type LeaderboardInput, type LeaderboardSort } from "@/server/services/stats";
import type { StatsWindow } from "@/server/db/schema";
import { analyze, seedProviderStats, seedProviders, seedSignals, seedSubscriptions } from "./seed";
import { percentile, round, type Check, type Result } from "./report";

const PROVIDERS = 1000;
const CALLS = 400;
/** 1,000,000 signals on PostgreSQL; an in-memory PGlite (no PostgreSQL around) gets a tenth of them. */
const signalsPerProvider = (kind: DatabaseHandle["kind"]) => (kind === "postgres" ? 1000 : 100);

async function time<T>(samples: number[], fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  samples.push(performance.now() - t0);
  return out;
}

export function leaderboardInputs(n: number): LeaderboardInput[] {
  const windows: StatsWindow[] = ["30d", "90d", "1y", "all"];
  const sorts: LeaderboardSort[] = ["score", "roi", "winRate", "maxDrawdown", "subscribers", "newest"];
  const filters: Omit<LeaderboardInput, "window" | "sort" | "page" | "pageSize">[] = [
    {},
    { market: "crypto" },
    { maxPriceCents: 900 },
    { minAgeDays: 90 },
    { q: "provider 9" },
    // Search by instrument: a common name (a third of the providers trade BTC) and a code nobody trades.
    { q: "bitcoin" },
    { q: "solana" },
  ];
  const pages = [1, 2, 5, 40];
  const combos = windows.flatMap((window) => sorts.flatMap((sort) => filters.map((f) => ({ ...f, window, sort }))));
  return Array.from({ length: n }, (_, i) => ({ ...combos[i % combos.length]!, page: pages[i % pages.length]!, pageSize: 12 }));
}

const label = (i: LeaderboardInput) =>
  [i.window, i.sort, i.market && `market=${i.market}`, i.maxPriceCents !== undefined && `price<=${i.maxPriceCents}`, i.minAgeDays && `age>=${i.minAgeDays}d`, i.q && `q="${i.q}"`, `page ${i.page}`]
    .filter(Boolean)
    .join(" ");

export async function benchReads(handle: DatabaseHandle, results: Result[], checks: Check[]) {
  setDatabase(handle);
  try {
    const t0 = performance.now();
    await seedProviders(handle.db, PROVIDERS);
    const perProvider = signalsPerProvider(handle.kind);
    const signalsLabel = (PROVIDERS * perProvider).toLocaleString("en-US");
    await seedSignals(handle.db, PROVIDERS, perProvider, handle.kind === "postgres" ? 2 : 1);
    await seedProviderStats(handle.db, PROVIDERS);
    await seedSubscriptions(handle.db, PROVIDERS, 5000, 4);
    await analyze(handle.db);
    const seedSec = (performance.now() - t0) / 1000;
    console.log(`seeded ${PROVIDERS} providers, ${signalsLabel} signals, stats and 20,000 subscriptions in ${seedSec.toFixed(1)} s (${handle.kind})`);
    results.push({ name: `seed 1,000 providers + ${signalsLabel} signals (${handle.kind})`, value: round(seedSec, 1), unit: "s", budget: "-" });

    // Marketplace directory read (listPublicProviders), as before.
    const queries = [
      { page: 1, pageSize: 12 },
      { page: 40, pageSize: 12 },
      { page: 1, pageSize: 12, market: "forex" as const },
      { page: 1, pageSize: 12, q: "provider 99" },
      { page: 1, pageSize: 12, q: "google" },
    ];
    for (let i = 0; i < 20; i++) await listPublicProviders(queries[i % queries.length]!); // warm-up
    const dir: number[] = [];
    for (let i = 0; i < CALLS; i++) await time(dir, () => listPublicProviders(queries[i % queries.length]!));
    dir.sort((a, b) => a - b);
    results.push(
      { name: `marketplace directory read, 1,000 providers (${handle.kind}) p50`, value: round(percentile(dir, 50)), unit: "ms", budget: "-" },
      { name: `marketplace directory read, 1,000 providers (${handle.kind}) p95`, value: round(percentile(dir, 95)), unit: "ms", budget: "<= 100 ms" },
    );
    checks.push({ name: "marketplace directory read p95", ok: percentile(dir, 95) <= 100, detail: `${round(percentile(dir, 95))} ms (budget <= 100 ms)` });

    // Leaderboard service call: every window x sort x filter, pages 1, 2, 5 and 40.
    const inputs = leaderboardInputs(CALLS);
    for (const input of inputs.slice(0, 24)) await leaderboard(input); // warm-up
    const lb: number[] = [];
    const byCall: { ms: number; input: LeaderboardInput; total: number }[] = [];
    for (const input of inputs) {
      const before = lb.length;
      const out = await time(lb, () => leaderboard(input));
      byCall.push({ ms: lb[before]!, input, total: out.total });
    }
    const sorted = [...lb].sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    const name = `leaderboard(), 1,000 providers / ${signalsLabel} signals (${handle.kind})`;
    results.push(
      { name: `${name} p50`, value: round(percentile(sorted, 50)), unit: "ms", budget: "-" },
      { name: `${name} p95`, value: round(p95), unit: "ms", budget: "<= 100 ms" },
    );
    checks.push({ name: "leaderboard p95", ok: p95 <= 100, detail: `${round(p95)} ms (budget <= 100 ms)` });
    const bySort = new Map<string, number[]>();
    for (const c of byCall) bySort.set(c.input.sort, [...(bySort.get(c.input.sort) ?? []), c.ms]);
    console.log(
      "leaderboard p95 by sort: " +
        [...bySort].map(([s, v]) => `${s} ${round(percentile(v.sort((a, b) => a - b), 95))} ms`).join(", "),
    );
    const slowest = [...byCall].sort((a, b) => b.ms - a.ms).slice(0, 3);
    console.log("leaderboard slowest calls: " + slowest.map((c) => `${label(c.input)} (${round(c.ms)} ms, ${c.total} rows)`).join("; "));
  } finally {
    setDatabase(undefined);
  }
}

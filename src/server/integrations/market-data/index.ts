/**
 * Chooses the market-data adapter, once per process (see DESIGN.md "Modes"):
 * - `MARKET_DATA_DIR` set: replay of the recorded candles in that folder, shifted to now (offline);
 * - `MARKET_EXCHANGE=none`: synthetic prices (a seeded random walk), for a demo that must not go online;
 * - otherwise: ccxt public endpoints of the configured exchange, cached in `candles`.
 * The demo track records choose their prices once per database (`chooseDemoMarketData`): recordings, else ccxt
 * when the exchange answers within seconds, else the synthetic walk, which the UI then labels.
 * Tests and tools can install their own adapter with `setMarketData`.
 */
import "server-only";
import path from "node:path";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { env } from "@/env";
import { db as defaultDb, type Executor } from "@/server/db";
import { appSettings } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { CcxtMarketData, DEFAULT_EXCHANGE_ID } from "./ccxt";
import { REPLAY_SERIES, ReplayMarketData, replayAvailable } from "./replay";
import { SyntheticMarketData } from "./synthetic";
import type { MarketData } from "./types";

export type { Candle, MarketData, MarketKind, Quote, SymbolInfo, Timeframe } from "./types";
export { UnsupportedTimeframeError } from "./types";
export { CcxtMarketData, type CcxtOptions } from "./ccxt";
export {
  REPLAY_OFFSETS_KEY,
  REPLAY_SERIES,
  REPLAY_SOURCE,
  REPLAY_STEP_MS,
  ReplayMarketData,
  loadRecordedSeries,
  readRecordedSpan,
  replayAvailable,
  type RecordedSeries,
  type RecordedSpan,
  type ReplayOptions,
  type ReplaySeriesSpec,
} from "./replay";
export { SYNTHETIC_SERIES_KEY, SYNTHETIC_SOURCE, SyntheticMarketData, type SyntheticOptions } from "./synthetic";

/** `MARKET_EXCHANGE` value that turns ccxt off: prices come from recordings or the synthetic walk. */
export const NO_EXCHANGE = "none";

export interface MarketDataConfig {
  /** Recorded data folder (env `MARKET_DATA_DIR`); relative paths resolve from the working directory. */
  marketDataDir?: string;
  /** ccxt exchange id when not replaying (env `MARKET_EXCHANGE`, default "binance"); "none" for synthetic prices. */
  exchangeId?: string;
}

export function createMarketData(config: MarketDataConfig): MarketData {
  if (config.marketDataDir) {
    const dir = path.resolve(config.marketDataDir);
    // Configured but empty is a mistake to surface, not a reason to go to the network behind the user's back.
    if (!replayAvailable(dir)) {
      throw new Error(`MARKET_DATA_DIR=${config.marketDataDir} holds no recorded candles (expected e.g. ${dir}/${REPLAY_SERIES[0]?.file})`);
    }
    return new ReplayMarketData({ dir });
  }
  if (config.exchangeId === NO_EXCHANGE) return new SyntheticMarketData();
  return new CcxtMarketData({ exchangeId: config.exchangeId ?? DEFAULT_EXCHANGE_ID });
}

const g = globalThis as unknown as { __tradsyMarketData?: MarketData };

/** The process-wide adapter (kept on globalThis so hot reloads do not re-parse files or rebuild clients). */
export function getMarketData(): MarketData {
  g.__tradsyMarketData ??= createMarketData({ marketDataDir: resolveMarketDataDir(), exchangeId: env.MARKET_EXCHANGE });
  return g.__tradsyMarketData;
}

/**
 * `MARKET_DATA_DIR`, or in development the workspace's shared recordings (`../shared/data`) when they are there, so
 * `npm run dev` replays real prices with no configuration. Production never guesses.
 */
export function resolveMarketDataDir(): string | undefined {
  if (env.MARKET_DATA_DIR) return env.MARKET_DATA_DIR;
  if (env.NODE_ENV === "production" && !env.SEED_DEMO) return undefined;
  const shared = path.resolve(process.cwd(), "..", "shared", "data");
  return replayAvailable(shared) ? shared : undefined;
}

/** Installs an adapter for this process (tests, scripts); `undefined` goes back to the configured one. */
export function setMarketData(adapter: MarketData | undefined): void {
  g.__tradsyMarketData = adapter;
}

/** Where the demo track records' prices came from, stored in `app_settings` when first chosen. */
export const DEMO_SOURCE_KEY = "market-data.demo-source";

const demoSourceSchema = z.object({
  kind: z.enum(["replay", "ccxt", "synthetic"]),
  /** The adapter's `source`: "replay", "ccxt:binance", "synthetic". */
  source: z.string(),
  chosenAt: z.string(),
});
export type DemoPriceSource = z.infer<typeof demoSourceSchema>;

/** The demo's recorded price source, or null before any demo track record was written. */
export async function readDemoPriceSource(db: Executor = defaultDb): Promise<DemoPriceSource | null> {
  const [row] = await db.select({ value: appSettings.value }).from(appSettings).where(eq(appSettings.key, DEMO_SOURCE_KEY));
  if (!row) return null;
  const parsed = demoSourceSchema.safeParse(row.value);
  if (!parsed.success) throw new Error(`app_settings "${DEMO_SOURCE_KEY}" is not { kind, source, chosenAt }; fix or delete that row`);
  return parsed.data;
}

/** True when the demo's figures were computed on synthetic prices, which every page showing them must say. */
export async function demoPricesAreSynthetic(db: Executor = defaultDb): Promise<boolean> {
  return (await readDemoPriceSource(db))?.kind === "synthetic";
}

/** Long enough for a distant exchange, short enough that an offline start-up is not held up. */
export const DEFAULT_PROBE_TIMEOUT_MS = 3_000;

export interface DemoMarketDataOptions {
  db?: Executor;
  /** How long the exchange gets to answer before the demo falls back to synthetic prices. */
  probeTimeoutMs?: number;
  /**
   * Whether synthetic prices may stand in. Default: everywhere but a production PostgreSQL database, where a
   * demo without real prices is not written at all (production never guesses).
   */
  allowSynthetic?: boolean;
  /** Only take over a choice already stored (there is nothing left to write): never probe, never store. */
  adoptOnly?: boolean;
}

/**
 * The adapter the demo track records are computed on, chosen once per database and stored under
 * `market-data.demo-source`: the configured recordings; else the configured exchange, if it answers within
 * `probeTimeoutMs`; else the synthetic walk. When the demo runs on synthetic prices this process uses the same
 * walk for everything (an exchange is configured but was not there), so the demo's open signals are judged on the
 * prices they were published on. Returns null only with `adoptOnly` and nothing stored.
 */
export async function chooseDemoMarketData(options: DemoMarketDataOptions = {}): Promise<{ market: MarketData; source: DemoPriceSource } | null> {
  const db = options.db ?? defaultDb;
  const configured = getMarketData();
  const stored = await readDemoPriceSource(db);
  if (stored?.kind === "synthetic") return { market: adoptSynthetic(configured, db), source: stored };
  if (stored) return { market: configured, source: stored };
  if (options.adoptOnly) return null;

  let market = configured;
  if (configured.kind === "ccxt") {
    const timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    if (!(await answers(configured, timeoutMs))) {
      const allowed = options.allowSynthetic ?? !(env.NODE_ENV === "production" && env.DATABASE_URL);
      if (!allowed) throw new Error(`${configured.source} did not answer within ${timeoutMs} ms and a production database gets no synthetic prices`);
      logger.warn({ exchange: configured.source, timeoutMs }, "no recorded candles and the exchange did not answer: the demo uses synthetic prices");
      market = new SyntheticMarketData({ db });
    }
  }
  const chosen: DemoPriceSource = { kind: market.kind, source: market.source, chosenAt: new Date().toISOString() };
  // INVARIANT: the first choice stored wins for good; a process that lost the race takes the stored one instead.
  await db.insert(appSettings).values({ key: DEMO_SOURCE_KEY, value: chosen }).onConflictDoNothing();
  const winner = await readDemoPriceSource(db);
  if (!winner || winner.chosenAt !== chosen.chosenAt || winner.kind !== chosen.kind) {
    return chooseDemoMarketData({ ...options, db, adoptOnly: true });
  }
  if (market.kind === "synthetic") return { market: adoptSynthetic(configured, db), source: winner };
  return { market, source: winner };
}

/**
 * The synthetic walk, installed for this process when the configured adapter is the exchange. Recordings that were
 * configured since are kept, with a warning: the demo's figures stay labelled synthetic until it is reseeded.
 */
function adoptSynthetic(configured: MarketData, db: Executor): MarketData {
  if (configured.kind === "synthetic") return configured;
  const synthetic = new SyntheticMarketData({ db });
  if (configured.kind === "ccxt") {
    setMarketData(synthetic);
    logger.info("demo data runs on synthetic prices; start from an empty database (rm -rf .data) for real ones");
  } else {
    logger.warn("recorded candles are configured but the demo was computed on synthetic prices; reseed for real ones");
  }
  return synthetic;
}

/** Whether an exchange adapter answers within `timeoutMs`; test doubles without `reachable` are asked for a symbol. */
async function answers(market: MarketData, timeoutMs: number): Promise<boolean> {
  if (market instanceof CcxtMarketData) return market.reachable(timeoutMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([market.getSymbol("BTC/USDT").then(Boolean, () => false), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

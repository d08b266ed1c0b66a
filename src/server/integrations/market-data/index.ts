/**
 * Chooses the market-data adapter, once per process (see DESIGN.md "Modes"):
 * - `MARKET_DATA_DIR` set: replay of the recorded candles in that folder, shifted to now (offline);
 * - otherwise: ccxt public endpoints of the configured exchange, cached in `candles`.
 * Tests and tools can install their own adapter with `setMarketData`.
 */
import "server-only";
import path from "node:path";
import { env } from "@/env";
import { CcxtMarketData, DEFAULT_EXCHANGE_ID } from "./ccxt";
import { REPLAY_SERIES, ReplayMarketData, replayAvailable } from "./replay";
import type { MarketData } from "./types";

export type { Candle, MarketData, MarketKind, Quote, SymbolInfo, Timeframe } from "./types";
export { UnsupportedTimeframeError } from "./types";
export { CcxtMarketData, type CcxtOptions } from "./ccxt";
export { REPLAY_OFFSETS_KEY, REPLAY_SOURCE, ReplayMarketData, replayAvailable, type ReplayOptions } from "./replay";

export interface MarketDataConfig {
  /** Recorded data folder (env `MARKET_DATA_DIR`); relative paths resolve from the working directory. */
  marketDataDir?: string;
  /** ccxt exchange id when not replaying (proposed env `MARKET_EXCHANGE`, default "binance"). */
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

/**
 * Test-only (imported by *.test.ts): the deterministic live market of the strategy-run tests — 280 hourly BTC/USDT
 * candles before the run starts at T0 (with an EMA crossover in them that must never publish) and 25 after it, on
 * which EMA crossover (2, 5) enters long at the close of live bars 5 and 16 and exits at 11 and 20.
 */
import { candle } from "@/test/fake-market";
import type { Candle } from "@/server/integrations/market-data";

export const H = 3_600_000;
export const T0 = Date.UTC(2026, 0, 5, 0);
export const WARM = Array.from({ length: 280 }, (_, i) => (i >= 250 && i < 260 ? 100 + (i - 249) : i >= 260 && i < 270 ? 110 - (i - 259) : 100));
export const LIVE = [100, 100, 100, 100, 100, 102, 104, 106, 106, 106, 104, 100, 96, 96, 96, 98, 101, 104, 104, 104, 100, 96, 92, 92, 92];

export function fixture(): Candle[] {
  const at = (i: number) => T0 + (i - WARM.length) * H;
  return [...WARM, ...LIVE].map((p, i) => candle(at(i), String(p), String(p + 0.5), String(p - 0.5), String(p)));
}

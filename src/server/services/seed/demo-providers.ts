import "server-only";
import type { Market } from "@/server/db/schema";

/**
 * Demo provider profiles for the embedded marketplace. Each one's markets, tagline and bio describe what its plan
 * in track-records.ts (DEMO_PLANS) actually trades: the instruments, the timeframe and the rules.
 */
export const DEMO_PROVIDERS: {
  name: string;
  tagline: string;
  bio: string;
  markets: Market[];
  priceCents: number;
  ageDays: number;
}[] = [
  { name: "Northwind Trend", tagline: "4-hour trend following on BTC and ETH", bio: "Goes with the trend when the 12- and 48-period EMAs cross on the 4-hour charts of BTC/USDT and ETH/USDT. Stop two ATRs away; half off at 2R, the rest at 3R. Few trades, long holds, small losses.", markets: ["crypto"], priceCents: 300, ageDays: 420 },
  { name: "Range Rider", tagline: "Mean reversion on EUR/USD and XRP", bio: "Fades stretched moves on the hourly charts of EUR/USD and XRP/USDT: buys when RSI(14) falls below 25, sells when it rises above 75. Stop 1.5 ATRs away, targets at 1R and 2R, at most one new trade a day per market.", markets: ["crypto", "forex"], priceCents: 500, ageDays: 380 },
  { name: "Breakout Lab", tagline: "Volatility-contraction breakouts on SOL, 4h timeframe", bio: "Waits for the Bollinger bands on SOL/USDT's 4-hour chart to squeeze, then trades the close outside them with the stop at the middle band. Targets at 1.5R and 3R.", markets: ["crypto"], priceCents: 700, ageDays: 365 },
  { name: "Quiet Carry FX", tagline: "Slow, risk-first swing trades in EUR/USD", bio: "EUR/USD swings on the 4-hour chart, entered when the 8- and 21-period EMAs cross. Stop 1.5 ATRs away; half off at 2R, the rest at 3R. One position at a time.", markets: ["forex"], priceCents: 900, ageDays: 510 },
  { name: "Momentum Desk", tagline: "RSI momentum continuation on BTC and ETH", bio: "Buys strength when RSI(14) crosses 60 above the 50-period EMA on the 4-hour charts of BTC/USDT and ETH/USDT; sells weakness when it crosses 40 below it. Stops at the last swing; 60% off at 1.5R, the rest at 2.5R. Positions usually run for days.", markets: ["crypto"], priceCents: 400, ageDays: 300 },
  { name: "Contrarian Capital", tagline: "Buys panic, sells euphoria in DOGE", bio: "Counter-trend entries on DOGE/USDT after an hourly move of 3.5 standard deviations or more, with a hard stop and one quick target at 1R.", markets: ["crypto"], priceCents: 300, ageDays: 250 },
  { name: "Macro Compass", tagline: "Channel-breakout positioning in EUR/USD", bio: "Takes a position in EUR/USD when the 4-hour close breaks out of its 30-period channel, the way macro moves tend to start. Stop two ATRs away, targets at 2R and 4R. Holds for days to weeks.", markets: ["forex"], priceCents: 1500, ageDays: 600 },
  { name: "Scalp Theory", tagline: "Short-term RSI scalps on BTC/USDT", bio: "Fades hourly RSI(7) extremes (below 15, above 85) on BTC/USDT with tight stops one ATR away and targets at 1R and 2R. High trade count; results depend on execution quality.", markets: ["crypto"], priceCents: 600, ageDays: 200 },
  { name: "Golden Cross Club", tagline: "Classic moving-average crossovers on BNB, no discretion", bio: "A fully mechanical 20/50 SMA crossover system on BNB/USDT's 4-hour chart, long and short, with one target at 2R, published unchanged since day one so anyone can audit it.", markets: ["crypto"], priceCents: 200, ageDays: 450 },
  { name: "Volatility Harvest", tagline: "Trades ADA only when volatility is cheap", bio: "Waits until the Bollinger bands on ADA/USDT's 4-hour chart are unusually narrow and trades the expansion, long or short, with the stop at the middle band and targets at 1.5R and 3R.", markets: ["crypto"], priceCents: 800, ageDays: 330 },
  { name: "Steady Swing", tagline: "Weekly swing trades on BTC and ETH for people with day jobs", bio: "About one signal a week per coin on BTC/USDT and ETH/USDT, placed as a limit order at daily support in an uptrend (resistance in a downtrend), so followers never need to watch the screen. Unfilled orders expire after five days.", markets: ["crypto"], priceCents: 300, ageDays: 280 },
  { name: "Donchian Works", tagline: "Turtle-style channel breakouts on XRP", bio: "55-period channel breakouts on XRP/USDT's 4-hour chart, the Turtles' entry rule, with a stop 2.5 ATRs away and targets at 2R and 4R. Expect long flat periods between big wins.", markets: ["crypto"], priceCents: 500, ageDays: 700 },
];

import "server-only";
import type { Market } from "@/server/db/schema";

/** Demo provider profiles for the embedded marketplace. Their track records are added by the signals issue. */
export const DEMO_PROVIDERS: {
  name: string;
  tagline: string;
  bio: string;
  markets: Market[];
  priceCents: number;
  ageDays: number;
}[] = [
  { name: "Northwind Trend", tagline: "Daily-chart trend following on BTC and ETH", bio: "Enters on 50/200 EMA alignment after a pullback, exits on a trailing ATR stop. Few trades, long holds, small losses.", markets: ["crypto"], priceCents: 300, ageDays: 420 },
  { name: "Range Rider", tagline: "Mean reversion inside established ranges", bio: "Fades the edges of multi-week ranges with tight stops just outside them. Stops trading when volatility expands.", markets: ["crypto", "forex"], priceCents: 500, ageDays: 380 },
  { name: "Breakout Lab", tagline: "Volatility-contraction breakouts, 4h timeframe", bio: "Waits for Bollinger-band squeezes and trades the break with a stop at the opposite band. Targets at 1.5R and 3R.", markets: ["crypto"], priceCents: 700, ageDays: 365 },
  { name: "Quiet Carry FX", tagline: "Slow, risk-first swing trades in major FX pairs", bio: "EUR/USD and GBP/USD swings from weekly structure. Risk per trade never above 1%; no trades around rate decisions.", markets: ["forex"], priceCents: 900, ageDays: 510 },
  { name: "Momentum Desk", tagline: "RSI momentum continuation on large caps", bio: "Buys strength when RSI(14) crosses 60 in an uptrend; sells weakness below 40 in a downtrend. Stops at the last swing.", markets: ["crypto", "stocks"], priceCents: 400, ageDays: 300 },
  { name: "Contrarian Capital", tagline: "Buys panic, sells euphoria", bio: "Counter-trend entries after three-sigma daily moves, sized small, with a hard stop and a quick first target.", markets: ["crypto"], priceCents: 300, ageDays: 250 },
  { name: "Macro Compass", tagline: "Macro-driven positioning across FX and indices", bio: "Positions from rate differentials and risk sentiment; technical entries on the 4h chart. Holds for days to weeks.", markets: ["forex", "futures"], priceCents: 1500, ageDays: 600 },
  { name: "Scalp Theory", tagline: "Intraday order-flow scalps on BTC/USDT", bio: "Short intraday trades at session opens with tight stops. High trade count; results depend on execution quality.", markets: ["crypto"], priceCents: 600, ageDays: 200 },
  { name: "Golden Cross Club", tagline: "Classic moving-average crossovers, no discretion", bio: "A fully mechanical 20/50 SMA crossover system, published unchanged since day one so anyone can audit it.", markets: ["crypto", "stocks"], priceCents: 200, ageDays: 450 },
  { name: "Volatility Harvest", tagline: "Trades only when volatility is cheap", bio: "Enters after ATR falls to a 90-day low and exits on expansion. Long and short, with a fixed 2R target.", markets: ["crypto", "commodities"], priceCents: 800, ageDays: 330 },
  { name: "Steady Swing", tagline: "Weekly swing trades for people with day jobs", bio: "One or two signals a week, placed as limit orders at support, so followers never need to watch the screen.", markets: ["stocks", "crypto"], priceCents: 300, ageDays: 280 },
  { name: "Donchian Works", tagline: "Turtle-style channel breakouts", bio: "20-day channel breakouts with a 10-day exit, the rules the Turtles traded. Expect long flat periods between big wins.", markets: ["futures", "crypto"], priceCents: 500, ageDays: 700 },
];

/**
 * The demo providers say what they trade: markets, tagline and bio match the instruments their plan trades.
 */
import { describe, expect, it } from "vitest";
import { SYNTHETIC_SYMBOLS } from "@/lib/market-data/synthetic";
import { slugify } from "@/lib/slug";
import { REPLAY_SERIES } from "@/server/integrations/market-data";
import { DEMO_PAID_FOLLOWS } from "./billing";
import { DEMO_PROVIDERS } from "./demo-providers";
import { DEMO_PLANS } from "./track-records";

const infoOf = (symbol: string) => REPLAY_SERIES.find((s) => s.info.symbol === symbol)?.info;
/** Every instrument a demo text could name, by the words people use for it. */
const INSTRUMENT_WORDS: Record<string, RegExp> = {
  BTC: /\bBTC\b|bitcoin/i,
  ETH: /\bETH\b|\bether\b/i,
  BNB: /\bBNB\b/,
  XRP: /\bXRP\b/,
  ADA: /\bADA\b|cardano/i,
  SOL: /\bSOL\b|solana/i,
  DOGE: /\bDOGE\b|dogecoin/i,
  EUR: /\bEUR\b|euro/i,
  GBP: /\bGBP\b|sterling|pound/i,
  GOOG: /\bGOOG\b|google|alphabet/i,
};
const MARKET_WORDS: Record<string, RegExp> = {
  stocks: /stock|equit|shares|large caps/i,
  futures: /futures/i,
  commodities: /commodit|\bgold\b|\boil\b/i,
  indices: /indices|index/i,
};

describe("demo providers", () => {
  it("each has a plan, and the trader's paid follows are among them", () => {
    expect(DEMO_PROVIDERS.map((p) => p.name).sort()).toEqual(Object.keys(DEMO_PLANS).sort());
    for (const slug of DEMO_PAID_FOLLOWS) expect(DEMO_PROVIDERS.map((p) => slugify(p.name))).toContain(slug);
  });

  it("every plan trades instruments both the replay and the synthetic walk offer, hourly", () => {
    for (const [name, plan] of Object.entries(DEMO_PLANS)) {
      for (const symbol of plan.symbols) {
        expect(REPLAY_SERIES.find((s) => s.info.symbol === symbol)?.timeframe, `${name}: ${symbol}`).toBe("1h");
        expect(SYNTHETIC_SYMBOLS.map((s) => s.info.symbol), `${name}: ${symbol}`).toContain(symbol);
      }
    }
  });

  it("the demo providers between them trade every recorded Binance pair", () => {
    const traded = new Set(Object.values(DEMO_PLANS).flatMap((p) => p.symbols));
    for (const s of REPLAY_SERIES.filter((s) => s.venue === "Binance")) expect(traded, s.info.symbol).toContain(s.info.symbol);
  });

  it.each(DEMO_PROVIDERS.map((p) => [p.name, p] as const))("%s: markets, tagline and bio match what it trades", (name, p) => {
    const plan = DEMO_PLANS[name]!;
    const infos = plan.symbols.map((s) => infoOf(s)!);
    expect([...p.markets].sort()).toEqual([...new Set(infos.map((i) => i.market))].sort());
    const text = `${p.tagline} ${p.bio}`;
    const traded = new Set(infos.flatMap((i) => [i.base, i.quote]));
    for (const [word, re] of Object.entries(INSTRUMENT_WORDS)) {
      if (traded.has(word)) expect(p.bio, `${name} bio names ${word}`).toMatch(re);
      else expect(text, `${name} does not trade ${word}`).not.toMatch(re);
    }
    for (const [market, re] of Object.entries(MARKET_WORDS)) {
      if (!p.markets.includes(market as never)) expect(text, `${name} does not trade ${market}`).not.toMatch(re);
    }
  });
});

/**
 * The marketplace page as a trader reads it (issue 11, items 6, 8 and 9):
 * - ordered by risk-adjusted score, it says so, and a ranked provider with a negative score sits under a heading of
 *   its own with its signed score, between the positive ranks and the "Not ranked yet" divider, never as a plain
 *   "Ranked #n" above a profitable unranked provider without a word;
 * - an unranked provider says what it lacks ("12 of 20 closed signals, 18 of 30 days");
 * - the market filters offer the markets that have instruments and list the others as coming, not as filters;
 * - the filters all apply at once: no "Apply" button, the selects and chips are the kit's controls, and the search
 *   box finds providers by instrument ("bitcoin").
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { eq } from "drizzle-orm";
import { db } from "@/server/db";
import { providerStats, providers, signals } from "@/server/db/schema";
import { setMarketData, type MarketData, type SymbolInfo } from "@/server/integrations/market-data";
import { useTestDatabase } from "@/test/db";
import { callerFor } from "@/test/factories";
import { newProvider } from "@/test/signals";

const as: { caller: unknown } = { caller: null };
vi.mock("@/trpc/server", () => ({ api: async () => as.caller }));
// The marketplace records a signed-in visit (onboarding); a static render has no request, so nobody is signed in.
vi.mock("@/server/auth", async (original) => ({ ...(await original<typeof import("@/server/auth")>()), auth: async () => null }));

// The filters navigate with the app router, which a static render has no instance of.
vi.mock("next/navigation", async (importOriginal) => ({ ...(await importOriginal<object>()), useRouter: () => ({ push: () => {} }) }));

const { default: ProvidersPage } = await import("./page");

useTestDatabase();

/** What the replay adapter lists: crypto, forex and one stock; no futures, no commodities. */
const SYMBOLS: SymbolInfo[] = [
  { symbol: "BTC/USDT", base: "BTC", quote: "USDT", market: "crypto", pricePrecision: 2 },
  { symbol: "EUR/USD", base: "EUR", quote: "USD", market: "forex", pricePrecision: 5 },
  { symbol: "GOOG", base: "GOOG", quote: "USD", market: "stocks", pricePrecision: 2 },
];
const listingOnly = {
  kind: "replay",
  source: "replay",
  listSymbols: async () => SYMBOLS.map((s) => ({ ...s })),
  getSymbol: async () => null,
  lastPrice: async () => Promise.reject(new Error("not in this test")),
  candles: async () => [],
} satisfies MarketData;
beforeAll(() => setMarketData(listingOnly));
afterAll(() => setMarketData(undefined));

const DAY = 86_400_000;

async function providerWith(name: string, stats: { closedSignals: number; ageDays: number; roi: string; sharpe: string; score: string | null; ranked: boolean }, symbol?: string) {
  const { provider } = await newProvider();
  await db.update(providers).set({ displayName: name, tagline: "", markets: ["crypto"] }).where(eq(providers.id, provider.id));
  await db.insert(providerStats).values({
    providerId: provider.id,
    window: "90d",
    closedSignals: stats.closedSignals,
    wins: Math.floor(stats.closedSignals / 2),
    roi: stats.roi,
    winRate: "0.5",
    maxDrawdown: "0.05",
    sharpe: stats.sharpe,
    expectancy: "0.001",
    avgHoldHours: "10",
    score: stats.score,
    ranked: stats.ranked,
    firstSignalAt: new Date(Date.now() - stats.ageDays * DAY - 3_600_000),
    computedAt: new Date(),
  });
  if (symbol) {
    await db.insert(signals).values({
      providerId: provider.id,
      number: 1,
      symbol,
      side: "long",
      entryType: "market",
      entryPrice: "100",
      source: "api",
      // Finished: only a finished signal's instrument is public, and so searchable.
      status: "closed",
      publishedAt: new Date(Date.now() - DAY),
      closedAt: new Date(),
      prevHash: "0".repeat(64),
      hash: provider.id.padEnd(64, "0"),
    });
  }
}

async function render(searchParams: Record<string, string> = {}) {
  return renderToStaticMarkup(await ProvidersPage({ searchParams: Promise.resolve(searchParams) }));
}

/** The list of providers (after the filters and the note on ranking), as text. */
const listOf = (html: string) => textOf(html.slice(html.indexOf("<section")));

/** The page's visible text, in order, tags stripped. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");

describe("marketplace ranking", () => {
  beforeEach(async () => {
    as.caller = await callerFor(null);
    await providerWith("Steady Winner", { closedSignals: 60, ageDays: 200, roi: "0.12", sharpe: "1.8", score: "1.8", ranked: true }, "BTC/USDT");
    await providerWith("Losing Veteran", { closedSignals: 40, ageDays: 120, roi: "-0.0179", sharpe: "-5.96", score: "-4.77", ranked: true }, "EUR/USD");
    await providerWith("Lucky Newcomer", { closedSignals: 12, ageDays: 18, roi: "0.09", sharpe: "3.1", score: null, ranked: false }, "BTC/USDT");
  });

  it("says the list is ordered by risk-adjusted score and puts a negative score under its own heading, signed, above the unranked divider", async () => {
    const html = await render();
    expect(textOf(html)).toContain("sorted by risk-adjusted score, ranked providers first");
    const text = listOf(html);
    const order = ["Ranked by risk-adjusted score", "Steady Winner", "Ranked, with a negative risk-adjusted score", "Losing Veteran", "Not ranked yet", "Lucky Newcomer"];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0), JSON.stringify(Object.fromEntries(order.map((s, i) => [s, at[i]])))).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The negative rank reads as such: its signed score, and no plain "Ranked #2".
    expect(text).toContain("Ranked #2 by risk-adjusted score, which is negative (-4.77)");
    expect(text).toContain("Risk-adjusted score -4.77");
    expect(text).not.toMatch(/Ranked #2(?! by risk-adjusted score, which is negative)/);
    expect(text).toContain("Ranked #1");
  });

  it("says why a provider is unranked", async () => {
    const text = textOf(await render());
    expect(text).toContain("Unranked: 12 of 20 closed signals, 18 of 30 days");
  });

  it("lists one group, no headings, when sorted by something else", async () => {
    const text = listOf(await render({ sort: "roi" }));
    expect(text).not.toContain("Not ranked yet");
    expect(text).not.toContain("Ranked by risk-adjusted score");
    expect(text.indexOf("Steady Winner")).toBeLessThan(text.indexOf("Lucky Newcomer"));
    expect(text.indexOf("Lucky Newcomer")).toBeLessThan(text.indexOf("Losing Veteran"));
  });
});

describe("marketplace filters", () => {
  beforeEach(async () => {
    as.caller = await callerFor(null);
    await providerWith("Steady Winner", { closedSignals: 60, ageDays: 200, roi: "0.12", sharpe: "1.8", score: "1.8", ranked: true }, "BTC/USDT");
    await providerWith("Pound Cake", { closedSignals: 60, ageDays: 200, roi: "0.02", sharpe: "0.5", score: "0.5", ranked: true }, "EUR/USD");
  });

  it("offers the markets with instruments as filters and lists the others as coming", async () => {
    const html = await render();
    const nav = html.slice(html.indexOf('aria-label="Filter by market"'), html.indexOf("</nav>"));
    const links = [...nav.matchAll(/<a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(links).toEqual(["All markets", "Crypto", "Forex", "Stocks"]);
    expect(nav).toContain("Futures");
    expect(nav).toContain("Commodities");
    expect(textOf(html)).toContain("Coming: Futures and Commodities");
    // A market that is not offered is no filter, whatever the URL says.
    expect(textOf(await render({ market: "futures" }))).toContain("2 providers ·");
  });

  it("applies every filter at once: no Apply button, the kit's selects, and the search finds by instrument", async () => {
    const html = await render({ sort: "roi", window: "30d" });
    expect(html).not.toMatch(/Apply/);
    for (const label of ["Figures over", "Sort by", "Max price / month", "Track record"]) expect(html).toContain(`>${label}</label>`);
    expect(html.match(/role="combobox"/g)).toHaveLength(4);
    // The search form carries the other filters, so Enter keeps them (with or without JavaScript).
    expect(html).toContain('<input type="hidden" name="sort" value="roi"/>');
    expect(html).toContain('<input type="hidden" name="window" value="30d"/>');
    // The market chips keep the other filters too.
    expect(html).toContain('href="/providers?market=crypto&amp;window=30d&amp;sort=roi"');
    const text = textOf(await render({ q: "bitcoin" }));
    expect(text).toContain("1 provider matching “bitcoin”");
    expect(text).toContain("Steady Winner");
    expect(text).not.toContain("Pound Cake");
  });
});

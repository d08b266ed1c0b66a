/**
 * The provider profile's sections (issue 11, item 10: the page was ~4,300 px long with its whole history below the
 * chart). The overview reads and renders no history rows; the history tab reads one page of 20, newest close first,
 * with its pagers; the method notes have their own tab; every tab is a URL that works without JavaScript.
 */
import { describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { db } from "@/server/db";
import { providerStats, signals } from "@/server/db/schema";
import { useTestDatabase } from "@/test/db";
import { callerFor } from "@/test/factories";
import { newProvider } from "@/test/signals";

type Caller = Awaited<ReturnType<typeof callerFor>>;
type ForProviderInput = Parameters<Caller["signals"]["forProvider"]>[0];

const as: { caller: unknown } = { caller: null };
const listed: ForProviderInput[] = [];
vi.mock("@/trpc/server", () => ({ api: async () => as.caller }));
vi.mock("@/server/auth", async (original) => ({ ...(await original<typeof import("@/server/auth")>()), auth: async () => null }));
// The live indicator and the checkout button need the browser's tRPC provider; what is at stake here is the server part.
vi.mock("./client", () => ({ LiveUpdates: () => null, SubscribeButton: () => null }));

const { default: ProfilePage } = await import("./page");

useTestDatabase();

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/** A visitor's caller that records what the page asks of the signal list. */
async function visitor() {
  const real = await callerFor(null);
  listed.length = 0;
  const signals = {
    forProvider: (input: ForProviderInput) => {
      listed.push(input);
      return real.signals.forProvider(input);
    },
  };
  // Every other procedure the page calls goes to the real caller untouched.
  as.caller = new Proxy(real, { get: (target, key) => (key === "signals" ? signals : Reflect.get(target, key)) });
}

/** A provider with `finished` closed signals (signal n closes at hour n) and two open ones, and an all-time curve. */
async function providerWithHistory(finished: number) {
  const { provider } = await newProvider();
  const row = (n: number, status: "closed" | "open") => ({
    providerId: provider.id,
    number: n,
    symbol: "BTC/USDT",
    side: "long" as const,
    entryType: "market" as const,
    entryPrice: "100",
    fillPrice: "100",
    exitPrice: status === "closed" ? "101" : null,
    source: "api" as const,
    status,
    publishedAt: new Date(T0 + (n - 1) * HOUR),
    filledAt: new Date(T0 + (n - 1) * HOUR),
    closedAt: status === "closed" ? new Date(T0 + n * HOUR) : null,
    exitReason: status === "closed" ? ("take_profit" as const) : null,
    resultPct: status === "closed" ? "0.0080" : null,
    resultR: status === "closed" ? "1.0" : null,
    prevHash: "0".repeat(64),
    hash: n.toString(16).padStart(64, "0"),
  });
  const rows = [...Array.from({ length: finished }, (_, i) => row(i + 1, "closed")), row(finished + 1, "open"), row(finished + 2, "open")];
  await db.insert(signals).values(rows);
  const day = (d: number) => new Date(T0 + d * 24 * HOUR).toISOString();
  const figures = {
    providerId: provider.id,
    closedSignals: finished,
    wins: finished,
    roi: "0.02",
    winRate: "1",
    maxDrawdown: "0",
    expectancy: "0.008",
    avgHoldHours: "1",
    ranked: false,
    firstSignalAt: new Date(T0),
    computedAt: new Date(),
  };
  // The figures' window (90 days) and the all-time row, which carries the chart's curve.
  await db.insert(providerStats).values([
    { ...figures, window: "90d" },
    {
      ...figures,
      window: "all",
      curve: {
        equity: [1, 2, 3].map((d, i) => ({ time: day(d), value: String(10_000 + 100 * i) })),
        drawdown: [0, 1, 2, 3].map((d) => ({ time: day(d), value: "0" })),
        finalEquity: "10200",
        maxDrawdown: "0",
      },
    },
  ]);
  return provider;
}

async function render(slug: string, searchParams: Record<string, string> = {}) {
  return renderToStaticMarkup(await ProfilePage({ params: Promise.resolve({ slug }), searchParams: Promise.resolve(searchParams) }));
}

const doneReads = () => listed.filter((i) => i.status === "done");
/** Signal numbers in the history table's rows, in order. */
const historyRows = (html: string) => [...html.matchAll(/<tr[^>]*><td[^>]*><span[^>]*>#(\d+)<\/span>/g)].map((m) => Number(m[1]));

describe("provider profile sections", () => {
  it("the overview shows the chart and figures with tabs above them, and reads no history rows", async () => {
    const provider = await providerWithHistory(45);
    await visitor();
    const html = await render(provider.slug);
    expect(html).toContain('aria-label="Profile sections"');
    expect(html).toMatch(/aria-current="page"[^>]*>Overview</);
    // The history tab carries the count of finished signals, and links to its own URL.
    expect(html).toContain(`href="/providers/${provider.slug}?tab=history"`);
    expect(html).toMatch(/Signal history<\/span><span[^>]*>45</);
    expect(html).toContain('data-testid="equity-chart"');
    expect(html).not.toContain('id="history"');
    expect(historyRows(html)).toEqual([]);
    // Only the count was read: one row, not a page, let alone the whole history.
    expect(doneReads()).toEqual([expect.objectContaining({ page: 1, pageSize: 1 })]);
    // The tabs come before the chart in the document, so they sit above the fold.
    expect(html.indexOf('aria-label="Profile sections"')).toBeLessThan(html.indexOf('data-testid="equity-chart"'));
  });

  it("the history tab reads and shows one page of 20, newest close first, with pagers above and below", async () => {
    const provider = await providerWithHistory(45);
    await visitor();
    const html = await render(provider.slug, { tab: "history" });
    expect(html).toMatch(/aria-current="page"[^>]*>.*Signal history/);
    expect(historyRows(html)).toEqual(Array.from({ length: 20 }, (_, i) => 45 - i));
    expect(doneReads()).toEqual([expect.objectContaining({ page: 1, pageSize: 20 })]);
    expect(html).toContain('aria-label="Signal history pages"');
    expect(html).toContain('aria-label="Signal history pages, end of list"');
    expect(html.match(/Page <span[^>]*>1<\/span> of <span[^>]*>3<\/span>/g)).toHaveLength(2);
    expect(html).toContain(`href="/providers/${provider.slug}?tab=history&amp;history=2#history"`);
    // The chart is the overview's: its data is not sent with the history.
    expect(html).not.toContain('data-testid="equity-chart"');
  });

  it("a history page number alone (the URLs from before the tabs) opens that page of the history tab", async () => {
    const provider = await providerWithHistory(45);
    await visitor();
    const html = await render(provider.slug, { history: "3" });
    expect(historyRows(html)).toEqual([5, 4, 3, 2, 1]);
    expect(doneReads()).toEqual([expect.objectContaining({ page: 3, pageSize: 20 })]);
  });

  it("a page beyond the end redirects to the last page of the history tab", async () => {
    const provider = await providerWithHistory(45);
    await visitor();
    await expect(render(provider.slug, { tab: "history", history: "9" })).rejects.toMatchObject({
      digest: expect.stringContaining(`/providers/${provider.slug}?tab=history&history=3#history;`),
    });
  });

  it("the method tab holds the definitions, which the figures link to", async () => {
    const provider = await providerWithHistory(3);
    await visitor();
    const overview = await render(provider.slug);
    expect(overview).not.toContain('id="definitions"');
    expect(overview).toContain(`href="/providers/${provider.slug}?tab=method#definitions"`);
    const html = await render(provider.slug, { tab: "method" });
    expect(html).toContain('id="definitions"');
    expect(html).toContain("How the figures are calculated");
    expect(html).not.toContain('data-testid="equity-chart"');
  });

  it("a provider with nothing finished gets an empty history tab, not an error", async () => {
    const { provider } = await newProvider();
    await visitor();
    const html = await render(provider.slug, { tab: "history" });
    expect(html).toContain("No finished signals yet");
    expect(html).toMatch(/Signal history<\/span><span[^>]*>0</);
  });
});

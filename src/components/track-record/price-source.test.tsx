/** The price-source notice and per-instrument lines as the server renders them. */
import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import type { PriceSource } from "@/lib/market-data/price-source";
import { InstrumentPriceSources, PriceSourceNotice } from "./price-source";

const DAY = 86_400_000;
const now = new Date(Date.UTC(2026, 11, 6, 13, 37));
const recordedNow = Date.UTC(2022, 6, 10, 13, 37);
const btc = { symbol: "BTC/USDT", venue: "Binance", timeframe: "1h" as const, recordedFrom: Date.UTC(2017, 7, 17, 4), recordedTo: Date.UTC(2022, 9, 11, 11), offsetMs: now.getTime() - recordedNow };
const replay: PriceSource = { kind: "replay", series: [btc, { ...btc, symbol: "ETH/USDT" }] };
const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'");

describe("PriceSourceNotice", () => {
  it("replay: a note naming the recordings and their months", () => {
    const html = renderToStaticMarkup(<PriceSourceNotice source={replay} now={now} />);
    expect(html).toContain('role="note"');
    expect(text(html)).toMatch(/^Replayed recordings, not today's market\. The demo's prices are real recorded candles, .*: Binance BTC\/USDT and ETH\/USDT 1h, recorded Jul 2021–Jul 2022\. They keep moving until Mar 9, 2027, when the recordings run out\.$/);
    expect(html).toContain("border-sky-200");
  });

  it("replay past its end: the note turns to a warning", () => {
    const html = renderToStaticMarkup(<PriceSourceNotice source={replay} now={new Date(now.getTime() + 200 * DAY)} />);
    expect(html).toContain("border-amber-300");
    expect(text(html)).toContain("prices have stood still since");
  });

  it("synthetic keeps its notice; live prices get one quiet line; a replay with nothing to describe renders nothing", () => {
    expect(text(renderToStaticMarkup(<PriceSourceNotice source={{ kind: "synthetic" }} now={now} />))).toContain("Synthetic prices — demo data.");
    expect(text(renderToStaticMarkup(<PriceSourceNotice source={{ kind: "ccxt", exchange: "binance" }} now={now} />))).toBe("Live prices from Binance.");
    expect(renderToStaticMarkup(<PriceSourceNotice source={{ kind: "replay", series: [] }} now={now} />)).toBe("");
  });
});

describe("InstrumentPriceSources", () => {
  it("one line per instrument traded, with the detail for screen readers and as a tooltip", () => {
    const html = renderToStaticMarkup(<InstrumentPriceSources source={replay} symbols={["ETH/USDT", "BTC/USDT"]} now={now} />);
    const items = [...html.matchAll(/<li[^>]*>(.*?)<\/li>/g)].map((m) => text(m[1]!));
    expect(items).toHaveLength(2);
    expect(items[0]).toMatch(/^Binance ETH\/USDT 1h, recorded Jul 2021–Jul 2022, replayed\. ETH\/USDT: candles recorded on Binance .* today here is Jul 10, 2022 in the recording\./);
    expect(html).toContain('title="ETH/USDT: candles recorded on Binance');
    expect(renderToStaticMarkup(<InstrumentPriceSources source={replay} symbols={["GOOG"]} now={now} />)).toBe("");
  });
});

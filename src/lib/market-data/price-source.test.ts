import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS } from "./candles";
import {
  exchangeName,
  instrumentPriceLabels,
  monthSpan,
  priceSourceNotice,
  replayedSeriesDetail,
  replayedSeriesLabel,
  replayedSpan,
  type PriceSource,
  type ReplayedSeries,
} from "./price-source";
import { chooseReplayOffset } from "./replay-clock";

const WEEK = 7 * DAY_MS;
/** Seeded on Sunday 2026-12-06 at 13:37 UTC. */
const SEEDED = Date.UTC(2026, 11, 6, 13, 37);

function binance(symbol: string, recordedFrom: number, recordedTo = Date.UTC(2022, 9, 11, 11)): ReplayedSeries {
  const offsetMs = chooseReplayOffset({ firstOpen: recordedFrom, lastClose: recordedTo, now: SEEDED, runwayMs: 90 * DAY_MS, stepMs: WEEK });
  return { symbol, venue: "Binance", timeframe: "1h", recordedFrom, recordedTo, offsetMs };
}
const btc = binance("BTC/USDT", Date.UTC(2017, 7, 17, 4));
const eth = binance("ETH/USDT", Date.UTC(2017, 7, 17, 4));
const sol = binance("SOL/USDT", Date.UTC(2020, 7, 11, 6));
const eurFrom = Date.UTC(2017, 3, 19, 9);
const eurTo = Date.UTC(2018, 1, 7, 16);
const eur: ReplayedSeries = {
  symbol: "EUR/USD",
  venue: null,
  timeframe: "1h",
  recordedFrom: eurFrom,
  recordedTo: eurTo,
  offsetMs: chooseReplayOffset({ firstOpen: eurFrom, lastClose: eurTo, now: SEEDED, runwayMs: 90 * DAY_MS, stepMs: WEEK }),
};
const replay: PriceSource = { kind: "replay", series: [btc, eth, sol, eur] };

describe("monthSpan and exchangeName", () => {
  it("names months in UTC, once when both ends share one", () => {
    expect(monthSpan(Date.UTC(2021, 6, 10), Date.UTC(2022, 6, 10))).toBe("Jul 2021–Jul 2022");
    expect(monthSpan(Date.UTC(2022, 6, 1), Date.UTC(2022, 6, 31, 23))).toBe("Jul 2022");
    // 23:59 on Jun 30 in UTC is still June wherever the server runs.
    expect(monthSpan(Date.UTC(2022, 5, 30, 23, 59), Date.UTC(2022, 5, 30, 23, 59))).toBe("Jun 2022");
  });

  it("spells exchanges as people do", () => {
    expect(exchangeName("binance")).toBe("Binance");
    expect(exchangeName("okx")).toBe("OKX");
    expect(exchangeName("gemini")).toBe("Gemini");
  });
});

describe("replayed series labels", () => {
  it("name the venue, instrument, resolution and the recorded months shown as the last year", () => {
    expect(replayedSeriesLabel(btc, SEEDED)).toBe("Binance BTC/USDT 1h, recorded Jul 2021–Jul 2022, replayed");
    expect(replayedSeriesLabel(sol, SEEDED)).toBe("Binance SOL/USDT 1h, recorded Jul 2021–Jul 2022, replayed");
    // A recording without a venue, shorter than a year plus the runway: its whole history, from its first month.
    expect(replayedSeriesLabel(eur, SEEDED)).toBe("EUR/USD 1h, recorded Apr 2017–Nov 2017, replayed");
  });

  it("move with the replay: two months on, the span ends two months later", () => {
    expect(replayedSeriesLabel(btc, SEEDED + 61 * DAY_MS)).toBe("Binance BTC/USDT 1h, recorded Sep 2021–Sep 2022, replayed");
  });

  it("say when the recording has run out and that the price stands still", () => {
    const span = replayedSpan(btc, SEEDED);
    expect(span.ended).toBe(false);
    expect(span.runwayLeftMs).toBeGreaterThanOrEqual(90 * DAY_MS);
    expect(span.runwayLeftMs).toBeLessThan(97 * DAY_MS);
    const after = span.endsAt + 5 * DAY_MS;
    expect(replayedSeriesLabel(btc, after)).toMatch(/^Binance BTC\/USDT 1h, recorded Oct 2021–Oct 2022, replayed; recording ended Mar \d+, 2027: the price stands still$/);
    expect(replayedSeriesLabel(btc, after + 800 * DAY_MS)).toBe(replayedSeriesLabel(btc, after));
    expect(replayedSeriesDetail(btc, after)).toContain("since then the last recorded price stands still and no new candles appear");
  });

  it("explain the shift: which recorded day is today and how long the prices keep moving", () => {
    const detail = replayedSeriesDetail(btc, SEEDED);
    const weeks = btc.offsetMs / WEEK;
    expect(detail).toMatch(new RegExp(`^BTC/USDT: candles recorded on Binance from Aug 17, 2017 to Oct 11, 2022, shifted forward ${weeks} weeks: today here is Jul \\d+, 2022 in the recording\\.`));
    expect(detail).toMatch(/Prices keep moving for another 9[0-6] days, until Mar \d+, 2027, when the recording runs out\.$/);
    expect(replayedSeriesDetail(btc, replayedSpan(btc, SEEDED).endsAt - HOUR_MS)).toContain("for another 0 days");
  });

  it("a series shorter than the runway, not started yet, names its first month", () => {
    const from = Date.UTC(2020, 0, 1);
    const short: ReplayedSeries = { ...btc, symbol: "NEW/USDT", recordedFrom: from, recordedTo: from + 10 * DAY_MS, offsetMs: chooseReplayOffset({ firstOpen: from, lastClose: from + 10 * DAY_MS, now: SEEDED, runwayMs: 90 * DAY_MS, stepMs: WEEK }) };
    expect(replayedSeriesLabel(short, SEEDED)).toBe("Binance NEW/USDT 1h, recorded Jan 2020, replayed");
  });
});

describe("priceSourceNotice", () => {
  it("replay: lists the recordings grouped by venue, resolution and span, and until when they move", () => {
    const n = priceSourceNotice(replay, SEEDED);
    expect(n.title).toBe("Replayed recordings, not today's market.");
    expect(n.warn).toBe(false);
    expect(n.body).toMatch(
      /^The demo's prices are real recorded candles, shifted forward in whole weeks and played back as if live: Binance BTC\/USDT, ETH\/USDT and SOL\/USDT 1h, recorded Jul 2021–Jul 2022; EUR\/USD 1h, recorded Apr 2017–Nov 2017\. They keep moving until (Feb|Mar) \d+, 2027, when the recordings run out\.$/,
    );
  });

  it("replay past the end: warns that prices stand still", () => {
    const late = Math.max(...replay.series.map((s) => replayedSpan(s, SEEDED).endsAt)) + DAY_MS;
    const n = priceSourceNotice(replay, late);
    expect(n.warn).toBe(true);
    expect(n.body).toMatch(/The recordings ran out on \w{3} \d+, 2027: prices have stood still since\.$/);
    const between = Math.min(...replay.series.map((s) => replayedSpan(s, SEEDED).endsAt));
    expect(priceSourceNotice(replay, between).body).toMatch(/Some recordings have run out \(the first on \w{3} \d+, 2027\): their prices stand still\.$/);
  });

  it("replay with no recordings to describe: says only that they are replayed", () => {
    expect(priceSourceNotice({ kind: "replay", series: [] }, SEEDED)).toEqual({
      title: "Replayed recordings, not today's market.",
      body: "The demo's prices are recorded candles played back as if live.",
      warn: false,
    });
  });

  it("synthetic and live sources keep their own wording", () => {
    expect(priceSourceNotice({ kind: "synthetic" }, SEEDED)).toMatchObject({ title: "Synthetic prices — demo data.", warn: true });
    expect(priceSourceNotice({ kind: "synthetic" }, SEEDED).body).toContain("generated random walk, not on a real market");
    expect(priceSourceNotice({ kind: "ccxt", exchange: "binance" }, SEEDED)).toMatchObject({ title: "Live prices from Binance.", warn: false });
  });
});

describe("instrumentPriceLabels", () => {
  it("one line per instrument asked for, in that order, skipping unknown ones", () => {
    expect(instrumentPriceLabels(replay, ["ETH/USDT", "XYZ/USDT", "BTC/USDT"], SEEDED).map((l) => l.label)).toEqual([
      "Binance ETH/USDT 1h, recorded Jul 2021–Jul 2022, replayed",
      "Binance BTC/USDT 1h, recorded Jul 2021–Jul 2022, replayed",
    ]);
    expect(instrumentPriceLabels(replay, ["ETH/USDT"], SEEDED)[0]!.detail).toContain("today here is");
  });

  it("live: the exchange per instrument; synthetic: one line for all", () => {
    expect(instrumentPriceLabels({ kind: "ccxt", exchange: "kraken" }, ["BTC/USDT"], SEEDED)).toEqual([
      { symbol: "BTC/USDT", label: "Kraken BTC/USDT, live prices", detail: "BTC/USDT: live market data from Kraken's public endpoints." },
    ]);
    expect(instrumentPriceLabels({ kind: "synthetic" }, ["BTC/USDT", "EUR/USD"], SEEDED)).toEqual([
      { symbol: null, label: "Synthetic prices — demo data", detail: expect.stringContaining("random walk") },
    ]);
  });
});

/**
 * The replay adapter against the real recorded files (shared/data/candles). Expectations are computed from the
 * raw files with a separate, naive reader, not with the adapter's parsers.
 */
import fs from "node:fs";
import path from "node:path";
import Decimal from "decimal.js";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { appSettings } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { useTestDatabase } from "@/test/db";
import os from "node:os";
import { chooseReplayOffset } from "@/lib/market-data/replay-clock";
import { replayedSeriesLabel } from "@/lib/market-data/price-source";
import {
  REPLAY_OFFSETS_KEY,
  REPLAY_SERIES,
  ReplayMarketData,
  loadRecordedSeries,
  readRecordedSpan,
  replayAvailable,
  resolveSeriesFile,
} from "./replay";
import { UnsupportedTimeframeError } from "./types";

const fallback = path.resolve(import.meta.dirname, "../../../../../shared/data");
const dir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const available = replayAvailable(dir);
if (!available) {
  console.warn(
    `[market-data] replay tests skipped: no recorded candles (set MARKET_DATA_DIR to the shared data folder; looked at ${dir ?? fallback})`,
  );
}

const H = 3_600_000;
const DAY = 24 * H;
const WEEK = 7 * DAY;
/** An arbitrary "real" now: 2025-06-15 13:37:12 UTC, a Sunday. */
const NOW = Date.UTC(2025, 5, 15, 13, 37, 12);

type Row = { t: number; o: string; h: string; l: string; c: string; v: string };

function readRaw(file: string): Row[] {
  const text = fs.readFileSync(path.join(dir as string, "candles", file), "utf8");
  if (file.endsWith(".json")) {
    return (JSON.parse(text) as number[][]).map(([t, o, h, l, c, v]) => ({
      t: t as number,
      o: String(o),
      h: String(h),
      l: String(l),
      c: String(c),
      v: String(v),
    }));
  }
  return text
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const [d, o, h, l, c, v] = line.split(",") as [string, string, string, string, string, string];
      const t = Date.parse(d.length === 10 ? `${d}T00:00:00Z` : `${d.replace(" ", "T")}Z`);
      const dec = (s: string) => new Decimal(s).toFixed();
      return { t, o: dec(o), h: dec(h), l: dec(l), c: dec(c), v: dec(v) };
    });
}

const fileOf = (prefix: string) => fs.readdirSync(path.join(dir as string, "candles")).find((f) => f.startsWith(prefix))!;
/** The six Binance pairs added beside BTC/USDT, with the decimals Binance quoted them in over 2021-2022. */
const NEW_PAIRS = [
  ["ETH", 2],
  ["BNB", 2],
  ["XRP", 4],
  ["ADA", 4],
  ["SOL", 3],
  ["DOGE", 5],
] as const;
const decimalsOf = (s: string) => (s.includes(".") ? s.split(".")[1]!.length : 0);

const candleOf = (r: Row, offset: number) => ({ openTime: r.t + offset, open: r.o, high: r.h, low: r.l, close: r.c, volume: r.v });

describe.skipIf(!available)("replay market data (real recorded candles)", () => {
  const test = useTestDatabase();
  const btc = available ? readRaw("binance_BTC_USDT_1h_2017-08-17_2022-10-11.json") : [];
  const eur = available ? readRaw("EURUSD_1h_2017-2018.csv") : [];
  const goog = available ? readRaw("GOOG_1d_2004-2013.csv") : [];
  const at = (now: number) => new ReplayMarketData({ dir: dir as string, now: () => now });

  async function storedOffsets(): Promise<Record<string, number>> {
    const [row] = await test.db.select().from(appSettings).where(eq(appSettings.key, REPLAY_OFFSETS_KEY));
    return row?.value as Record<string, number>;
  }

  it("lists the nine recorded series and resolves TradingView-style tickers", async () => {
    const md = at(NOW);
    expect(md.kind).toBe("replay");
    expect(md.source).toBe("replay");
    const crypto = (base: string, pricePrecision: number) => ({ symbol: `${base}/USDT`, base, quote: "USDT", market: "crypto", pricePrecision });
    expect(await md.listSymbols()).toEqual([
      crypto("BTC", 2),
      crypto("ETH", 2),
      crypto("BNB", 2),
      crypto("XRP", 4),
      crypto("ADA", 4),
      crypto("SOL", 3),
      crypto("DOGE", 5),
      { symbol: "EUR/USD", base: "EUR", quote: "USD", market: "forex", pricePrecision: 5 },
      { symbol: "GOOG", base: "GOOG", quote: "USD", market: "stocks", pricePrecision: 2 },
    ]);
    expect((await md.getSymbol("BINANCE:BTCUSDT"))?.symbol).toBe("BTC/USDT");
    expect((await md.getSymbol("btc/usdt"))?.symbol).toBe("BTC/USDT");
    expect((await md.getSymbol("BINANCE:DOGEUSDT"))?.symbol).toBe("DOGE/USDT");
    expect((await md.getSymbol("sol-usdt"))?.symbol).toBe("SOL/USDT");
    expect((await md.getSymbol("eurusd"))?.symbol).toBe("EUR/USD");
    expect((await md.getSymbol("NASDAQ:GOOG"))?.symbol).toBe("GOOG");
    expect(await md.getSymbol("LTCUSDT")).toBeNull();
    await expect(md.lastPrice("LTCUSDT")).rejects.toBeInstanceOf(NotFoundError);
    await expect(md.candles("LTC/USDT", "1h", NOW - DAY)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("chooses each offset once, in whole weeks, so now replays 90-97 days before each recording's end", async () => {
    const md = at(NOW);
    expect(await storedOffsets()).toBeUndefined();
    await md.lastPrice("BTCUSDT");
    const offsets = await storedOffsets();
    expect(Object.keys(offsets).sort()).toEqual(["ADA/USDT", "BNB/USDT", "BTC/USDT", "DOGE/USDT", "ETH/USDT", "EUR/USD", "GOOG", "SOL/USDT", "XRP/USDT"]);
    expect(await md.replayOffsets()).toEqual(offsets);
    for (const o of Object.values(offsets)) expect(o % WEEK).toBe(0);

    // BTC/USDT: the most recent span (July 2022), not a year after its 2017 start.
    const btcNow = NOW - offsets["BTC/USDT"]!;
    const btcEnd = btc.at(-1)!.t + H;
    expect(btcEnd - btcNow).toBeGreaterThanOrEqual(90 * DAY);
    expect(btcEnd - btcNow).toBeLessThan(97 * DAY);
    expect(new Date(btcNow).toISOString().slice(0, 7)).toBe("2022-07");

    // EUR/USD holds ~294 days: the same runway leaves ~200 days of history.
    const eurNow = NOW - offsets["EUR/USD"]!;
    const eurEnd = eur.at(-1)!.t + H;
    expect(eurEnd - eurNow).toBeGreaterThanOrEqual(90 * DAY);
    expect(eurEnd - eurNow).toBeLessThan(97 * DAY);
    expect(eurNow - eur[0]!.t).toBeGreaterThan(190 * DAY);

    const googNow = NOW - offsets["GOOG"]!;
    const googEnd = goog.at(-1)!.t + DAY;
    expect(googEnd - googNow).toBeGreaterThanOrEqual(90 * DAY);
    expect(googEnd - googNow).toBeLessThan(97 * DAY);
  });

  it("lastPrice is the recorded close of the last closed candle, dated at its shifted close time", async () => {
    const md = at(NOW);
    const offsets = await md.replayOffsets();
    for (const [symbol, rows, tf] of [
      ["BTC/USDT", btc, H],
      ["EUR/USD", eur, H],
      ["GOOG", goog, DAY],
    ] as const) {
      const off = offsets[symbol]!;
      const last = rows.filter((r) => r.t + tf <= NOW - off).at(-1)!;
      expect(await md.lastPrice(symbol)).toEqual({ symbol, price: last.c, at: new Date(last.t + off + tf) });
    }
    // BTC trades every hour: its last close is less than an hour old. (2022-07-10 when this NOW is replayed.)
    const q = await md.lastPrice("BTC/USDT");
    expect(NOW - q.at.getTime()).toBeLessThan(H);
    expect(NOW - q.at.getTime()).toBeGreaterThanOrEqual(0);
  });

  it("candles come back ascending, shifted, exactly as recorded, closed ones only", async () => {
    const md = at(NOW);
    const off = (await md.replayOffsets())["BTC/USDT"]!;
    const since = NOW - 72 * H;
    const got = await md.candles("BTC/USDT", "1h", since);
    const want = btc.filter((r) => r.t + off >= since && r.t + H <= NOW - off).map((r) => candleOf(r, off));
    expect(want.length).toBeGreaterThanOrEqual(70);
    expect(got).toEqual(want);
    for (let i = 1; i < got.length; i++) expect(got[i]!.openTime).toBeGreaterThan(got[i - 1]!.openTime);
    expect(got.at(-1)!.openTime + H).toBeLessThanOrEqual(NOW);
    expect(got.every((c) => c.openTime % H === 0)).toBe(true);

    // until is exclusive; an unaligned since starts at the next candle.
    const window = await md.candles("BTC/USDT", "1h", got[3]!.openTime + 1, got[9]!.openTime);
    expect(window).toEqual(got.slice(4, 9));
    expect(await md.candles("BTC/USDT", "1h", NOW + H)).toEqual([]);
  });

  it("stores the offsets: a second instance later on reuses them, so prices don't jump", async () => {
    const first = at(NOW);
    const quote = await first.lastPrice("BTC/USDT");
    const offsets = await first.replayOffsets();
    const hours = await first.candles("BTC/USDT", "1h", NOW - 48 * H);

    const later = NOW + 400 * DAY;
    const btcSeries = await loadRecordedSeries(dir as string, REPLAY_SERIES[0]!);
    const fresh = chooseReplayOffset({ firstOpen: btcSeries.times[0]!, lastClose: btcSeries.lastClose, now: later, runwayMs: 90 * DAY, stepMs: WEEK });
    expect(fresh).not.toBe(offsets["BTC/USDT"]); // what a fresh choice would be: proves the stored one is used

    const second = at(later);
    expect(await second.replayOffsets()).toEqual(offsets);
    // The same candles at the same times (later, the candle still open at NOW has closed too).
    expect(await second.candles("BTC/USDT", "1h", NOW - 48 * H, hours.at(-1)!.openTime + 1)).toEqual(hours);
    expect(await at(NOW).lastPrice("BTC/USDT")).toEqual(quote);
    expect(await storedOffsets()).toEqual(offsets);
  });

  it("two processes choosing at once agree on the first stored choice; a stored offset is never replaced", async () => {
    const [a, b] = await Promise.all([at(NOW).replayOffsets(), at(NOW + 400 * DAY).replayOffsets()]);
    expect(b).toEqual(a);
    expect(await storedOffsets()).toEqual(a);

    // A series added later gets its offset; the ones already stored keep theirs.
    await test.db.update(appSettings).set({ value: { "BTC/USDT": 1000 * WEEK } }).where(eq(appSettings.key, REPLAY_OFFSETS_KEY));
    const merged = await at(NOW + 50 * DAY).replayOffsets();
    expect(merged["BTC/USDT"]).toBe(1000 * WEEK);
    expect(Object.keys(merged)).toHaveLength(9);
    expect(await storedOffsets()).toEqual(merged);
  });

  it("refuses a stored offsets row it cannot read rather than choosing new offsets", async () => {
    await test.db.insert(appSettings).values({ key: REPLAY_OFFSETS_KEY, value: { "BTC/USDT": "soon" } });
    await expect(at(NOW).lastPrice("BTC/USDT")).rejects.toThrow(/fix or delete that row/);
  });

  it("builds daily candles from 24 hourly ones: open first, close last, high max, low min, volume sum (exact)", async () => {
    await at(NOW).replayOffsets(); // choose the offsets "today"
    const md = at(NOW + 800 * DAY); // ...and look back from ~800 days later, when 2020 is in the past
    const off = (await md.replayOffsets())["BTC/USDT"]!;

    const day = Date.UTC(2020, 2, 12) + off; // 2020-03-12, the COVID crash: a wide range
    const hours = await md.candles("BTC/USDT", "1h", day, day + DAY);
    expect(hours).toHaveLength(24);
    const [daily] = await md.candles("BTC/USDT", "1d", day, day + 1);
    const dec = hours.map((c) => ({ h: new Decimal(c.high), l: new Decimal(c.low) }));
    expect(daily).toEqual({
      openTime: day,
      open: hours[0]!.open,
      high: Decimal.max(...dec.map((d) => d.h)).toFixed(),
      low: Decimal.min(...dec.map((d) => d.l)).toFixed(),
      close: hours[23]!.close,
      volume: hours.reduce((s, c) => s.plus(c.volume), new Decimal(0)).toFixed(),
    });
    expect(daily!.openTime % DAY).toBe(0); // whole-week offsets keep days on UTC midnight
  });

  it("daily candles match Binance's own 2020 daily file, except the volume deliberately zeroed on 2020-02-29", async () => {
    await at(NOW).replayOffsets();
    const md = at(NOW + 800 * DAY);
    const off = (await md.replayOffsets())["BTC/USDT"]!;
    const binanceDaily = readRaw("binance_BTC_USDT_1d_2020.csv").filter((r) => r.t < Date.UTC(2020, 9, 1));
    const got = await md.candles("BTC/USDT", "1d", Date.UTC(2020, 0, 1) + off, Date.UTC(2020, 9, 1) + off);
    expect(got).toHaveLength(274);
    const leap = Date.UTC(2020, 1, 29);
    expect(got.map((c) => (c.openTime - off === leap ? { ...c, volume: "0" } : c))).toEqual(
      binanceDaily.map((r) => candleOf(r, off)),
    );
    expect(got.find((c) => c.openTime - off === leap)?.volume).toBe("36748.183035");
  });

  it("keeps the recorded gaps and zero-volume candles", async () => {
    const md = at(NOW);
    const off = (await md.replayOffsets())["BTC/USDT"]!;
    // Binance outage: nothing between 2018-02-08 00:00 and 10:00 the next day.
    const around = await md.candles("BTC/USDT", "1h", Date.UTC(2018, 1, 7, 20) + off, Date.UTC(2018, 1, 9, 12) + off);
    expect(around.map((c) => new Date(c.openTime - off).toISOString().slice(5, 16))).toEqual([
      "02-07T20:00",
      "02-07T21:00",
      "02-07T22:00",
      "02-07T23:00",
      "02-08T00:00",
      "02-09T10:00",
      "02-09T11:00",
    ]);
    // ...so the replayed 2018-02-08 daily candle is that single hour.
    const [feb8] = await md.candles("BTC/USDT", "1d", Date.UTC(2018, 1, 8) + off, Date.UTC(2018, 1, 9) + off);
    expect(feb8).toEqual({ ...around[4]!, openTime: Date.UTC(2018, 1, 8) + off });

    // Played to the end, the whole file comes back: 45,024 candles, 27 gaps, 3 with volume 0.
    const end = at(NOW + 3000 * DAY);
    const all = await end.candles("BTC/USDT", "1h", 0);
    expect(all).toHaveLength(45_024);
    expect(all).toEqual(btc.map((r) => candleOf(r, off)));
    const gaps = all.filter((c, i) => i > 0 && c.openTime - all[i - 1]!.openTime !== H);
    expect(gaps).toHaveLength(27);
    expect(all.filter((c) => c.volume === "0").map((c) => new Date(c.openTime - off).toISOString())).toEqual([
      "2017-09-06T16:00:00.000Z",
      "2019-06-07T21:00:00.000Z",
      "2021-02-11T03:00:00.000Z",
    ]);
  });

  it("EUR/USD: 5-decimal prices, a shorter history, weekends still on weekends", async () => {
    const md = at(NOW);
    const off = (await md.replayOffsets())["EUR/USD"]!;
    const hours = await md.candles("EUR/USD", "1h", NOW - 400 * DAY);
    expect(hours[0]!.openTime).toBe(eur[0]!.t + off);
    expect(NOW - hours[0]!.openTime).toBeLessThan(365 * DAY);
    expect(hours).toEqual(eur.filter((r) => r.t + off + H <= NOW).map((r) => candleOf(r, off)));
    expect(hours.some((c) => /\.\d{5}$/.test(c.close))).toBe(true);
    // No forex candle opens on a Saturday, in the recording or in the replay.
    expect(hours.filter((c) => new Date(c.openTime).getUTCDay() === 6)).toEqual([]);
    // ~200 days of history: 28 weekends.
    expect(hours.filter((c, i) => i > 0 && c.openTime - hours[i - 1]!.openTime >= 48 * H).length).toBeGreaterThan(25);
    const days = await md.candles("EUR/USD", "1d", NOW - 14 * DAY);
    expect(days.length).toBeGreaterThan(0);
    expect(days.every((d) => d.openTime % DAY === 0 && d.openTime + DAY <= NOW)).toBe(true);

    // Past the end of the recording, the last price stays the last recorded close, dated when it closed.
    const afterEnd = await at(NOW + 100 * DAY).lastPrice("EUR/USD");
    expect(afterEnd).toEqual({ symbol: "EUR/USD", price: eur.at(-1)!.c, at: new Date(eur.at(-1)!.t + off + H) });
  });

  it("GOOG: daily candles only", async () => {
    const md = at(NOW);
    const off = (await md.replayOffsets())["GOOG"]!;
    await expect(md.candles("GOOG", "1h", NOW - DAY)).rejects.toBeInstanceOf(UnsupportedTimeframeError);
    await expect(md.candles("GOOG", "1m", NOW - DAY)).rejects.toThrow(/No 1m candles for GOOG; available: 1d/);
    await expect(md.candles("BTC/USDT", "1m", NOW - DAY)).rejects.toThrow(/available: 1h, 1d/);
    const days = await md.candles("GOOG", "1d", NOW - 30 * DAY);
    expect(days.length).toBeGreaterThanOrEqual(15);
    expect(days).toEqual(goog.filter((r) => r.t + off >= NOW - 30 * DAY && r.t + off + DAY <= NOW).map((r) => candleOf(r, off)));
  });

  it.each(NEW_PAIRS)("%s/USDT: replayed as recorded at its Binance precision, the most recent span as now", async (base, decimals) => {
    const symbol = `${base}/USDT`;
    const rows = readRaw(fileOf(`binance_${base}_USDT_1h_`));
    const md = at(NOW);
    const off = (await md.replayOffsets())[symbol]!;
    const end = rows.at(-1)!.t + H;
    expect(end - (NOW - off)).toBeGreaterThanOrEqual(90 * DAY);
    expect(end - (NOW - off)).toBeLessThan(97 * DAY);

    const year = await md.candles(symbol, "1h", NOW - 365 * DAY);
    expect(year).toEqual(rows.filter((r) => r.t + off >= NOW - 365 * DAY && r.t + off + H <= NOW).map((r) => candleOf(r, off)));
    expect(year.length).toBeGreaterThan(365 * 24 - 48);
    // The precision is the finest tick the replayed year was quoted in, and some prices use all of it.
    const prices = year.flatMap((c) => [c.open, c.high, c.low, c.close]);
    expect(Math.max(...prices.map(decimalsOf))).toBe(decimals);
    expect((await md.getSymbol(symbol))?.pricePrecision).toBe(decimals);

    const last = rows.filter((r) => r.t + off + H <= NOW).at(-1)!;
    expect(await md.lastPrice(symbol)).toEqual({ symbol, price: last.c, at: new Date(last.t + off + H) });
  });

  it("reads each recording's span from its first and last rows, as a full parse would", async () => {
    for (const spec of REPLAY_SERIES) {
      const series = await loadRecordedSeries(dir as string, spec);
      expect(await readRecordedSpan(dir as string, spec), spec.info.symbol).toEqual({ firstOpen: series.times[0], lastClose: series.lastClose });
    }
  });

  it("describes each replayed recording: venue, span and offset, for the price-source labels", async () => {
    const md = at(NOW);
    const series = await md.replayedSeries();
    const offsets = await md.replayOffsets();
    expect(series.map((s) => s.symbol)).toEqual(REPLAY_SERIES.map((s) => s.info.symbol));
    const btcSeries = series.find((s) => s.symbol === "BTC/USDT")!;
    expect(btcSeries).toEqual({
      symbol: "BTC/USDT",
      venue: "Binance",
      timeframe: "1h",
      recordedFrom: btc[0]!.t,
      recordedTo: btc.at(-1)!.t + H,
      offsetMs: offsets["BTC/USDT"],
    });
    expect(series.find((s) => s.symbol === "GOOG")).toMatchObject({ venue: null, timeframe: "1d", recordedTo: goog.at(-1)!.t + DAY });
    expect(replayedSeriesLabel(btcSeries, NOW)).toBe("Binance BTC/USDT 1h, recorded Jul 2021–Jul 2022, replayed");
    expect(replayedSeriesLabel(series.find((s) => s.symbol === "DOGE/USDT")!, NOW)).toBe("Binance DOGE/USDT 1h, recorded Jul 2021–Jul 2022, replayed");
  });

  it("when the runway is used up the replay stands still at the last recorded candle, and the offset stays", async () => {
    const md = at(NOW);
    const off = (await md.replayOffsets())["SOL/USDT"]!;
    const sol = readRaw(fileOf("binance_SOL_USDT_1h_"));
    const endsAt = sol.at(-1)!.t + H + off;
    const finalQuote = { symbol: "SOL/USDT", price: sol.at(-1)!.c, at: new Date(endsAt) };
    expect(endsAt - NOW).toBeGreaterThanOrEqual(90 * DAY);
    expect((await at(endsAt - H).lastPrice("SOL/USDT")).price).toBe(sol.at(-2)!.c);
    for (const later of [endsAt, endsAt + 30 * DAY, endsAt + 900 * DAY]) {
      const md2 = at(later);
      expect(await md2.replayOffsets()).toEqual(await md.replayOffsets());
      expect(await md2.lastPrice("SOL/USDT")).toEqual(finalQuote);
      expect(await md2.candles("SOL/USDT", "1h", endsAt - H)).toEqual([candleOf(sol.at(-1)!, off)]);
      expect(await md2.candles("SOL/USDT", "1h", endsAt)).toEqual([]);
      expect(replayedSeriesLabel((await md2.replayedSeries()).find((s) => s.symbol === "SOL/USDT")!, later)).toMatch(
        /^Binance SOL\/USDT 1h, recorded Oct 2021–Oct 2022, replayed; recording ended \w{3} \d+, \d{4}: the price stands still$/,
      );
    }
  });

  it("parses each file once per process", async () => {
    const spec = REPLAY_SERIES[0]!;
    const a = await loadRecordedSeries(dir as string, spec);
    const b = await loadRecordedSeries(path.join(dir as string, "."), spec);
    expect(b).toBe(a);
    expect(a.candles).toHaveLength(45_024);
  });
});

describe("replayAvailable", () => {
  it("is false for a missing or empty folder", () => {
    expect(replayAvailable(undefined)).toBe(false);
    expect(replayAvailable("")).toBe(false);
    expect(replayAvailable(path.join(import.meta.dirname, "no-such-dir"))).toBe(false);
    expect(replayAvailable(import.meta.dirname)).toBe(false);
  });

  it("finds a Binance recording whatever dates its name carries, the latest when there are several; reads its span from its ends", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tradsy-replay-"));
    try {
      fs.mkdirSync(path.join(tmp, "candles"));
      const eth = REPLAY_SERIES.find((s) => s.info.symbol === "ETH/USDT")!;
      expect(resolveSeriesFile(tmp, eth)).toBeNull();
      expect(replayAvailable(tmp)).toBe(false);
      const rows = (t0: number, n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => [t0 + i * H, 1.5, 2, 1, 1.75, 10]));
      fs.writeFileSync(path.join(tmp, "candles", "binance_ETH_USDT_1h_2020-01-01_2020-01-02.json"), rows(Date.UTC(2020, 0, 1), 24));
      fs.writeFileSync(path.join(tmp, "candles", "binance_ETH_USDT_1h_2023-05-01_2024-01-01.json"), rows(Date.UTC(2023, 4, 1), 5000));
      fs.writeFileSync(path.join(tmp, "candles", "binance_ETHBTC_1h_2023-05-01_2024-01-01.json"), "[]");
      expect(resolveSeriesFile(tmp, eth)).toBe(path.join(tmp, "candles", "binance_ETH_USDT_1h_2023-05-01_2024-01-01.json"));
      // A longer recording dropped in beside it (earlier start, later end) replaces it: the end decides, not the start.
      fs.writeFileSync(path.join(tmp, "candles", "binance_ETH_USDT_1h_2019-01-01_2024-06-01.json"), "[]");
      expect(resolveSeriesFile(tmp, eth)).toBe(path.join(tmp, "candles", "binance_ETH_USDT_1h_2019-01-01_2024-06-01.json"));
      // Of two that end together, the one with more history.
      fs.writeFileSync(path.join(tmp, "candles", "binance_ETH_USDT_1h_2022-01-01_2024-06-01.json"), "[]");
      expect(resolveSeriesFile(tmp, eth)).toBe(path.join(tmp, "candles", "binance_ETH_USDT_1h_2019-01-01_2024-06-01.json"));
      fs.rmSync(path.join(tmp, "candles", "binance_ETH_USDT_1h_2019-01-01_2024-06-01.json"));
      fs.rmSync(path.join(tmp, "candles", "binance_ETH_USDT_1h_2022-01-01_2024-06-01.json"));
      expect(replayAvailable(tmp)).toBe(true);
      expect(await readRecordedSpan(tmp, eth)).toEqual({ firstOpen: Date.UTC(2023, 4, 1), lastClose: Date.UTC(2023, 4, 1) + 5000 * H });
      expect(await new ReplayMarketData({ dir: tmp, db: {} as never }).listSymbols()).toEqual([eth.info]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

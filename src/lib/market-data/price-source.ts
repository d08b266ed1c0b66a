/**
 * What a person is looking at when the app shows prices, said plainly: replayed recordings (which venue, which
 * instrument, which months), live exchange prices, or the synthetic walk. The text is derived from the data (each
 * recording's first and last candle and its stored offset) and the time it is read, so it stays true as the replay
 * plays forward and after it runs out. Pure: the server reads the facts, pages render these strings.
 */
import { formatDate } from "@/lib/format/dates";
import { DAY_MS } from "./candles";
import { replayProgress } from "./replay-clock";

/** One replayed recording, as the market-data adapter knows it. */
export interface ReplayedSeries {
  symbol: string;
  /** Where it was recorded ("Binance"); null when the recording does not say. */
  venue: string | null;
  /** Resolution of the recording. */
  timeframe: "1h" | "1d";
  /** Recorded open time of the first candle, ms. */
  recordedFrom: number;
  /** Recorded close time of the last candle, ms. */
  recordedTo: number;
  /** Stored offset: ms added to recorded times. */
  offsetMs: number;
}

export type PriceSource =
  | { kind: "replay"; series: ReplayedSeries[] }
  | { kind: "ccxt"; exchange: string }
  | { kind: "synthetic" };

/** The track records and charts show a year; the label names the recorded months behind that year. */
export const LABEL_HISTORY_MS = 365 * DAY_MS;

// Built once (the costly part). Months are UTC, like every date the app prints (lib/format/dates).
const monthYear = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });

/** "Jul 2021–Jul 2022", or "Jul 2022" within one month. */
export function monthSpan(from: number, to: number): string {
  const a = monthYear.format(from);
  const b = monthYear.format(to);
  return a === b ? a : `${a}–${b}`;
}

/** A ccxt exchange id as people write it ("binance" -> "Binance"). */
export function exchangeName(id: string): string {
  const known: Record<string, string> = {
    binance: "Binance",
    binanceus: "Binance US",
    bitstamp: "Bitstamp",
    bybit: "Bybit",
    coinbase: "Coinbase",
    kraken: "Kraken",
    kucoin: "KuCoin",
    okx: "OKX",
  };
  return known[id] ?? id.charAt(0).toUpperCase() + id.slice(1);
}

/** The recorded span shown as the last year at `now`, and how far the replay has got. */
export function replayedSpan(s: ReplayedSeries, now: number, historyMs = LABEL_HISTORY_MS) {
  const progress = replayProgress({ lastClose: s.recordedTo, offsetMs: s.offsetMs }, now);
  const clamp = (t: number) => Math.min(Math.max(t, s.recordedFrom), s.recordedTo);
  // Once the recording has run out the year shown is its last one.
  const shown = clamp(progress.recordedNow);
  // The last month shown is the one the last closed candle is in (a close at midnight on the 1st ends the month before).
  const to = Math.max(shown - 1, s.recordedFrom);
  return { ...progress, from: Math.min(clamp(shown - historyMs), to), to };
}

const instrument = (s: Pick<ReplayedSeries, "venue" | "symbol" | "timeframe">) => `${s.venue ? `${s.venue} ` : ""}${s.symbol} ${s.timeframe}`;

/**
 * One instrument's label: "Binance BTC/USDT 1h, recorded Jul 2021–Jul 2022, replayed"; once the recording has run
 * out, "…, replayed; recording ended Jan 8, 2027: the price stands still".
 */
export function replayedSeriesLabel(s: ReplayedSeries, now: number): string {
  const span = replayedSpan(s, now);
  const base = `${instrument(s)}, recorded ${monthSpan(span.from, span.to)}, replayed`;
  return span.ended ? `${base}; recording ended ${formatDate(span.endsAt)}: the price stands still` : base;
}

/** The longer explanation of one instrument's replay (a tooltip, a footnote). */
export function replayedSeriesDetail(s: ReplayedSeries, now: number): string {
  const span = replayedSpan(s, now);
  const weeks = Math.round(s.offsetMs / (7 * DAY_MS));
  const shifted = `${s.symbol}: candles recorded${s.venue ? ` on ${s.venue}` : ""} from ${formatDate(s.recordedFrom)} to ${formatDate(s.recordedTo)}, shifted forward ${weeks} weeks`;
  if (span.ended) {
    return `${shifted}. The recording ran out on ${formatDate(span.endsAt)}; since then the last recorded price stands still and no new candles appear.`;
  }
  const days = Math.floor(span.runwayLeftMs / DAY_MS);
  return `${shifted}: today here is ${formatDate(span.recordedNow)} in the recording. Prices keep moving for another ${days} day${days === 1 ? "" : "s"}, until ${formatDate(span.endsAt)}, when the recording runs out.`;
}

/** "A, B and C" */
function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

export interface PriceSourceNoticeText {
  /** Short, bold lead. */
  title: string;
  /** One paragraph. */
  body: string;
  /** Whether a reader must be warned (synthetic prices, or a replay that has run out). */
  warn: boolean;
}

/**
 * The notice for pages that show figures from many instruments (the marketplace): which recordings the demo
 * replays, grouped by venue, resolution and span ("Binance BTC/USDT, ETH/USDT and SOL/USDT 1h, recorded
 * Jul 2021–Jul 2022"), and until when they keep moving.
 */
export function priceSourceNotice(source: PriceSource, now: number): PriceSourceNoticeText {
  if (source.kind === "synthetic") {
    return {
      title: "Synthetic prices — demo data.",
      body: "This demo had neither recorded candles nor an exchange connection when it was seeded, so its signals and figures were computed on a generated random walk, not on a real market.",
      warn: true,
    };
  }
  if (source.kind === "ccxt") {
    return { title: `Live prices from ${exchangeName(source.exchange)}.`, body: `Prices and every figure computed from them come from ${exchangeName(source.exchange)}'s public market data.`, warn: false };
  }
  if (!source.series.length) {
    return { title: "Replayed recordings, not today's market.", body: "The demo's prices are recorded candles played back as if live.", warn: false };
  }
  const groups = new Map<string, { head: string; symbols: string[] }>();
  for (const s of source.series) {
    const span = replayedSpan(s, now);
    const key = `${s.venue ?? ""}|${s.timeframe}|${monthSpan(span.from, span.to)}`;
    const g = groups.get(key) ?? { head: `${s.timeframe}, recorded ${monthSpan(span.from, span.to)}`, symbols: [] };
    g.symbols.push(s.symbol);
    groups.set(key, g);
  }
  const venues = new Map(source.series.map((s) => [s.symbol, s.venue]));
  const described = [...groups.values()].map((g) => {
    const venue = venues.get(g.symbols[0]!);
    return `${venue ? `${venue} ` : ""}${listOf(g.symbols)} ${g.head}`;
  });
  const progress = source.series.map((s) => replayProgress({ lastClose: s.recordedTo, offsetMs: s.offsetMs }, now));
  const ended = progress.filter((p) => p.ended);
  const firstEnd = Math.min(...progress.map((p) => p.endsAt));
  const runway =
    ended.length === progress.length
      ? `The recordings ran out on ${formatDate(Math.max(...progress.map((p) => p.endsAt)))}: prices have stood still since.`
      : ended.length
        ? `Some recordings have run out (the first on ${formatDate(firstEnd)}): their prices stand still.`
        : `They keep moving until ${formatDate(firstEnd)}, when the recordings run out.`;
  return {
    title: "Replayed recordings, not today's market.",
    body: `The demo's prices are real recorded candles, shifted forward in whole weeks and played back as if live: ${described.join("; ")}. ${runway}`,
    warn: ended.length > 0,
  };
}

/**
 * Per instrument, for a chart or a provider's record: one line each for the symbols given (in that order; symbols
 * the source does not know are left out). Synthetic prices have one line for all.
 */
export function instrumentPriceLabels(source: PriceSource, symbols: readonly string[], now: number): { symbol: string | null; label: string; detail: string }[] {
  if (source.kind === "synthetic") {
    return [{ symbol: null, label: "Synthetic prices — demo data", detail: priceSourceNotice(source, now).body }];
  }
  if (source.kind === "ccxt") {
    const name = exchangeName(source.exchange);
    return symbols.map((symbol) => ({ symbol, label: `${name} ${symbol}, live prices`, detail: `${symbol}: live market data from ${name}'s public endpoints.` }));
  }
  const bySymbol = new Map(source.series.map((s) => [s.symbol, s]));
  return symbols.flatMap((symbol) => {
    const s = bySymbol.get(symbol);
    return s ? [{ symbol, label: replayedSeriesLabel(s, now), detail: replayedSeriesDetail(s, now) }] : [];
  });
}

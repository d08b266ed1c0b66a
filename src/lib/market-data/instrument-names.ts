/**
 * What people type when they look for an instrument, and what it means: common names of assets ("bitcoin",
 * "ether", "euro", "google") to the codes symbols are made of (BTC, ETH, EUR, GOOG), and names of markets ("fx",
 * "equities") to the markets providers list. The marketplace search resolves its text through here, then matches
 * the codes against the symbols each provider has published (src/server/services/providers).
 *
 * Small on purpose: the instruments the adapters carry (the recordings, the synthetic walk, a ccxt exchange's major
 * coins) and the currencies they are quoted in. A code typed as such ("btc", "usdt", "BTC/USDT", "BINANCE:BTCUSDT")
 * needs no entry here.
 */
import { MARKET_OPTIONS } from "@/lib/validation/providers";

type Market = (typeof MARKET_OPTIONS)[number];

/** Asset code -> the names people call it by (lower case; the code itself always matches too). */
export const INSTRUMENT_NAMES: Readonly<Record<string, readonly string[]>> = {
  BTC: ["bitcoin", "xbt"],
  ETH: ["ether", "ethereum"],
  SOL: ["solana"],
  BNB: ["binance coin", "bnb"],
  XRP: ["ripple"],
  ADA: ["cardano"],
  DOGE: ["dogecoin"],
  LTC: ["litecoin"],
  DOT: ["polkadot"],
  AVAX: ["avalanche"],
  LINK: ["chainlink"],
  USDT: ["tether"],
  USDC: ["usd coin"],
  USD: ["dollar", "us dollar", "greenback"],
  EUR: ["euro"],
  GBP: ["pound", "sterling", "british pound", "cable"],
  JPY: ["yen", "japanese yen"],
  CHF: ["swiss franc", "franc"],
  AUD: ["australian dollar", "aussie"],
  CAD: ["canadian dollar", "loonie"],
  NZD: ["new zealand dollar", "kiwi"],
  XAU: ["gold"],
  XAG: ["silver"],
  GOOG: ["google", "alphabet", "googl"],
  AAPL: ["apple"],
  MSFT: ["microsoft"],
  AMZN: ["amazon"],
  TSLA: ["tesla"],
  NVDA: ["nvidia"],
};

/** Market -> the words for it (lower case; the market's own name always matches too). */
export const MARKET_NAMES: Readonly<Record<Market, readonly string[]>> = {
  crypto: ["cryptocurrency", "cryptocurrencies", "crypto currency", "coins", "altcoins"],
  forex: ["fx", "foreign exchange", "currencies", "currency"],
  stocks: ["stock", "equities", "equity", "shares"],
  futures: ["future"],
  commodities: ["commodity"],
};

/** What a search text may mean as instruments and markets. Empty arrays and a null pair: nothing to match. */
export interface InstrumentQuery {
  /** Asset codes, upper case ("BTC"): a symbol matches when its base or quote is one of them. */
  codes: string[];
  /** A pair written out, without separators, upper case ("BTCUSDT" for "btc/usdt"): a symbol matches when its compact form is this. */
  pair: string | null;
  /** Markets named by the text. */
  markets: Market[];
}

const NONE: InstrumentQuery = { codes: [], pair: null, markets: [] };

/** Prefixes of names count from this many characters ("ethe" finds ether; "go" finds nothing). */
const MIN_PREFIX = 4;
/** TradingView-style exchange prefix, as symbols.ts reads it: "BINANCE:BTCUSDT". */
const EXCHANGE_PREFIX = /^[a-z0-9_.!-]+:(?=.)/i;
const CODE = /^[A-Z0-9]{2,14}$/;
const PAIR = /^([A-Z0-9]{2,12})[/\-_:]([A-Z0-9]{2,12})$/;
/** Longest code read from a single word (DOGE, USDT, MATIC); longer words are names or pairs. */
const MAX_CODE = 6;
/** What pairs are quoted in, longest first so "BTCUSDT" is read as quoted in USDT. */
const QUOTE_CODES = ["USDT", "USDC", "BUSD", "FDUSD", "USD", "EUR", "GBP", "JPY", "CHF", "AUD", "CAD", "NZD", "BTC", "ETH", "BNB", "TRY"].sort(
  (a, b) => b.length - a.length,
);

const normalise = (s: string) => s.trim().toLowerCase().replace(/\s+/g, " ");

const nameHits = <K extends string>(table: Readonly<Record<K, readonly string[]>>, text: string): K[] =>
  (Object.keys(table) as K[]).filter((key) =>
    [key.toLowerCase(), ...table[key]].some((name) => name === text || (text.length >= MIN_PREFIX && name.startsWith(text))),
  );

/**
 * Reads a search text as instruments: "bitcoin" and "btc" -> codes [BTC]; "BTC/USDT", "btc-usdt", "BINANCE:BTCUSDT"
 * -> pair BTCUSDT (and "btcusdt", one word, is tried both as a code and as a pair); "ether" -> [ETH]; "dollar" ->
 * [USD]; "fx" -> markets [forex]. Text that names nothing ("momentum desk") resolves to nothing, so the caller can
 * skip the symbol match altogether.
 */
export function resolveInstrumentQuery(q: string): InstrumentQuery {
  const text = normalise(q);
  if (!text || text.length > 40) return NONE;
  const codes = new Set<string>(nameHits(INSTRUMENT_NAMES, text));
  const markets = nameHits(MARKET_NAMES, text);
  let pair: string | null = null;
  const bare = text.replace(EXCHANGE_PREFIX, "").toUpperCase();
  const split = PAIR.exec(bare);
  if (split) {
    pair = `${split[1]}${split[2]}`;
  } else if (CODE.test(bare)) {
    // One word is a code ("btc", "usdt", "goog") when short and no name already read it ...
    if (bare.length <= MAX_CODE && !codes.size) codes.add(bare);
    // ... and a pair written without a separator ("btcusdt", "eurusd") when it ends in a currency pairs are quoted in.
    if (QUOTE_CODES.some((quote) => bare.length > quote.length + 1 && bare.endsWith(quote))) pair = bare;
  }
  return { codes: [...codes].sort(), pair, markets };
}

/** True when the text names no instrument and no market. */
export function isEmptyInstrumentQuery(q: InstrumentQuery): boolean {
  return q.codes.length === 0 && q.pair === null && q.markets.length === 0;
}

/**
 * TradingView webhook alerts: turns the raw body TradingView POSTs into one {@link ParsedAlert}, or a refusal
 * written for the provider who has to fix the alert. Pure (no I/O, no Node-only APIs) so the template preview in
 * the browser runs the same code as the webhook route. The result decides which signal gets created, so every rule
 * below is deliberate; change them only together with parse.test.ts.
 *
 * Body
 * - TradingView sends the alert message verbatim: `application/json` when it is valid JSON, `text/plain` otherwise
 *   (third parties report other content types, so the content type is only a hint).
 * - Refused: an empty body (whitespace and a BOM do not count), a body over 10 KB ({@link MAX_ALERT_BYTES} UTF-8
 *   bytes).
 * - JSON when the content type is `application/json` (or `*+json`), or when the body starts with `{`/`[` and parses.
 *   A JSON content type with unparsable JSON, or a body starting with `{` that does not parse, is refused with
 *   "The alert message is not valid JSON: <reason>" (a broken template, not a text alert). JSON that is not an
 *   object is refused. Anything else is read as a text alert.
 *
 * JSON fields. Keys match case-insensitively ignoring `_`, `-`, `.` and spaces (`stop_loss` = `stopLoss` = `StopLoss`).
 * Unknown keys are ignored (integrations such as PickMyTrade send many). Where several aliases are listed, the
 * first one that carries a value wins; a field "carries no value" when it is absent, null or "" (and, where marked,
 * 0). For trading fields (ticker, price, stop, quantity, passphrase, action) two aliases with different values
 * are refused rather than guessed.
 * - action: `action` | `order_action` | `strategy.order.action` (flat key or nested object) | `side` | `signal` |
 *   `data` (PickMyTrade). Words: buy, long → "buy"; sell, short → "sell"; exit, close, flat → "exit"; cancel.
 *   Later aliases that hold a different recognised action are a conflict; ones holding other text are ignored.
 * - sentiment (TradersPost): bullish | long, bearish | short, flat.
 * - ticker: `ticker` | `symbol` | `pair` | `instrument`; `EXCHANGE:TICKER` is split, both upper-cased. Without a
 *   prefix, an `exchange` field fills {@link ParsedAlert.exchange}; the prefix wins over that field.
 * - price: `price` | `entry` | `limit_price` (conflicts refused), else `close` (the bar close is only a fallback, so
 *   a template sending both `price` and `close` is fine).
 * - stop (0 = not set): `stop_loss` | `stop` | `sl` | `stop_price`; `stopLoss: { stopPrice }` (TradersPost).
 * - take profits (0 = not set, at most {@link MAX_ALERT_TAKE_PROFITS}): one unnumbered field — `take_profit` | `tp` |
 *   `take_profits` | `tps`, holding a number, an array, or `{ limitPrice }` (TradersPost) — or numbered
 *   `tp1`..`tp3` / `take_profit_1`..`take_profit_3` (kept in number order), not both.
 * - quantity (0 = not set: nothing to size): `quantity` | `qty` | `size` | `contracts`.
 * - passphrase: `passphrase` | `secret` | `password`. NOT `token`: PickMyTrade's `token` is the user's PickMyTrade
 *   token, never ours.
 * - time: `timenow` | `time` | `date` (timenow first: it is the fire time, `{{time}}` is the bar's open). ISO-8601
 *   (no offset = UTC, as TradingView sends), or unix seconds / milliseconds (numbers or digit strings; below 1e11
 *   means seconds). Must fall within 2000–2099.
 * - alertId: `alert_id` | `id`; comment: `comment`.
 * - Refused instead of silently dropping a level: relative stops/targets (`percentage_sl`, `dollar_sl`,
 *   `percentage_tp`, `dollar_tp` when not 0; TradersPost `stopLoss`/`takeProfit` objects without an absolute price).
 *
 * Numbers: JSON numbers or strings; plain decimals with a `.`, exponent notation allowed (`1e-5`). Must be finite,
 * greater than 0, below 10^12 and with at most 12 decimals (the same bounds signal publishing applies). Returned
 * as normalised decimal strings (`"32045.10"` → `"32045.1"`). A value still holding a `{{placeholder}}` is refused
 * with a hint about that placeholder.
 *
 * Intent — what the signal service should do:
 *   action word  sentiment              intent
 *   buy          absent                 close_or_open_long  (closes the provider's open short, else opens a long)
 *   buy, long    bullish/long/absent    open_long
 *   sell         absent                 close_or_open_short (mirror)
 *   sell, short  bearish/short/absent   open_short
 *   any but cancel  flat                close
 *   exit/close/flat  any                close
 *   cancel       absent/bullish/bearish cancel
 * Refused as contradictory: buy/long with bearish/short, sell/short with bullish/long (TradersPost reads these as
 * partial exits, which Tradsy does not model), and cancel with flat (cancel leaves positions alone; flat closes).
 *
 * Text alerts (hand-typed): `,` `;` and whitespace separate words; `key=value`, `key = value` and `key: value`
 * pairs use the JSON keys above ("quotes" allow spaces in a value); a bare action word sets the action ("close
 * long" / "exit short" read as exit); `@ 32045.14` sets the price; one other bare word is the ticker (optionally
 * `EXCHANGE:TICKER`). Because people type these, unknown keys, stray numbers, two tickers or two actions are
 * refused; TradingView's own default-message keys (`volume`, `interval`, `open`, `high`, `low`) are ignored.
 * TradingView's default example `BINANCE:BTCUSDT, price = 32045.14, volume = 6529.25` has no action and is refused.
 *
 * Control characters (other than tab, line feed, carriage return) and broken UTF-16 are refused anywhere: in a text
 * alert's body, in any JSON value or key, however deep (src/lib/validation/text.ts), even in keys Tradsy ignores.
 *
 * Refusals carry `field` (the key as written in the alert, or the key to add) when one field is at fault.
 * Check order: body, action, sentiment, ticker, then the other fields.
 */
import Decimal from "decimal.js";
import { codePointLabel, findUnsafeText, unsafeCodeUnit, type UnsafeText } from "@/lib/validation/text";

export type AlertAction = "buy" | "sell" | "exit" | "cancel";
export type AlertIntent = "open_long" | "open_short" | "close" | "close_or_open_short" | "close_or_open_long" | "cancel";

export interface ParsedAlert {
  action: AlertAction;
  intent: AlertIntent;
  /** As sent, exchange prefix removed, upper-cased. */
  ticker: string;
  /** The `EXCHANGE:` prefix (or `exchange` field), upper-cased. */
  exchange: string | null;
  /** Normalised positive decimal strings. */
  price: string | null;
  stop: string | null;
  takeProfits: string[];
  quantity: string | null;
  passphrase: string | null;
  time: Date | null;
  alertId: string | null;
  comment: string | null;
}

export interface AlertRefusal {
  ok: false;
  message: string;
  field?: string;
}

export type ParseAlertResult = { ok: true; alert: ParsedAlert } | AlertRefusal;

export const MAX_ALERT_BYTES = 10 * 1024;
// Same limit as MAX_TAKE_PROFITS in src/lib/validation/signals.ts (kept local so this parser stays self-contained).
export const MAX_ALERT_TAKE_PROFITS = 3;
export const ACCEPTED_ACTIONS = ["buy", "sell", "long", "short", "exit", "close", "flat", "cancel"] as const;

const MAX_ID_LENGTH = 128;
const MAX_TICKER_LENGTH = 40;
const MAX_DECIMAL_PLACES = 12;
const MAX_VALUE = new Decimal("1e12");
const MIN_TIME_MS = Date.UTC(2000, 0, 1);
const MAX_TIME_MS = Date.UTC(2100, 0, 1);

const ACTION_WORDS: Record<string, AlertAction> = {
  buy: "buy",
  long: "buy",
  sell: "sell",
  short: "sell",
  exit: "exit",
  close: "exit",
  flat: "exit",
  cancel: "cancel",
};
type Sentiment = "long" | "short" | "flat";
const SENTIMENT_WORDS: Record<string, Sentiment> = { bullish: "long", long: "long", bearish: "short", short: "short", flat: "flat" };

// Normalised keys (see normKey), in precedence order.
const ACTION_KEYS = ["action", "orderaction", "strategyorderaction", "side", "signal", "data"];
const TICKER_KEYS = ["ticker", "symbol", "pair", "instrument"];
const PRICE_KEYS = ["price", "entry", "limitprice"];
const PRICE_FALLBACK_KEYS = ["close"];
const STOP_KEYS = ["stoploss", "stop", "sl", "stopprice"];
const TP_KEYS = ["takeprofit", "tp", "takeprofits", "tps"];
const TP_NUMBERED = /^(?:tp|takeprofit)(\d+)$/;
const QUANTITY_KEYS = ["quantity", "qty", "size", "contracts"];
const PASSPHRASE_KEYS = ["passphrase", "secret", "password"];
const TIME_KEYS = ["timenow", "time", "date"];
const ID_KEYS = ["alertid", "id"];
const RELATIVE_LEVEL_KEYS = ["percentagesl", "dollarsl", "percentagetp", "dollartp"];
const TEXT_KNOWN_KEYS = new Set([
  ...ACTION_KEYS,
  "sentiment",
  ...TICKER_KEYS,
  "exchange",
  ...PRICE_KEYS,
  ...PRICE_FALLBACK_KEYS,
  ...STOP_KEYS,
  ...TP_KEYS,
  ...QUANTITY_KEYS,
  ...PASSPHRASE_KEYS,
  ...TIME_KEYS,
  ...ID_KEYS,
  "comment",
]);
// Keys of TradingView's default plain-text message; harmless, so a text alert may keep them.
const TEXT_IGNORED_KEYS = new Set(["volume", "interval", "open", "high", "low"]);

const NO_ACTION_MESSAGE = 'The alert has no action. Add "action": "buy" (or sell, exit, cancel) to the alert message.';
const NO_TICKER_MESSAGE =
  'The alert has no ticker. Add "ticker": "{{ticker}}" to the alert message (in a text alert, put the symbol after the action, e.g. "buy BTCUSDT").';

interface Entry {
  /** The key as written in the alert, for messages. */
  key: string;
  value: unknown;
}
type Fields = Map<string, Entry[]>;
type Result<T> = { ok: true; value: T } | AlertRefusal;

const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
const refuse = (message: string, field?: string): AlertRefusal => (field === undefined ? { ok: false, message } : { ok: false, message, field });

/** Parses one TradingView webhook body. Never throws. */
export function parseAlert(rawBody: string, contentType: string | null): ParseAlertResult {
  // INVARIANT: bytes >= UTF-16 length, so the cheap check never lets an oversized body reach the encoder.
  if (rawBody.length > MAX_ALERT_BYTES || new TextEncoder().encode(rawBody).length > MAX_ALERT_BYTES) {
    return refuse(`The alert message is larger than 10 KB. Keep only the fields Tradsy uses (see the alert template).`);
  }
  const body = rawBody.replace(/^\uFEFF/, "").trim();
  if (body === "") {
    return refuse('The alert message is empty. Paste the Tradsy alert template into the "Message" box of the TradingView alert.');
  }

  const fields = isJsonContentType(contentType) || body.startsWith("{") || body.startsWith("[") ? readJson(body, contentType) : null;
  if (fields && !fields.ok) return fields;
  const source = fields ?? readText(body);
  if (!source.ok) return source;
  return extract(source.value);
}

function isJsonContentType(contentType: string | null): boolean {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return mediaType === "application/json" || /^[\w.-]+\/[\w.-]+\+json$/.test(mediaType);
}

/** null: not JSON after all, read as text (only for a non-JSON content type and a body starting with `[`). */
function readJson(body: string, contentType: string | null): Result<Fields> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    if (!isJsonContentType(contentType) && !body.startsWith("{")) return null;
    // V8 quotes the body in its message ("…" is not valid JSON); drop that so a passphrase is not echoed into logs.
    const reason = (e instanceof Error ? e.message : "unreadable").replace(/,?\s*".*" is not valid JSON$/s, "").trim();
    return refuse(
      `The alert message is not valid JSON: ${clip(reason, 120)}. Check for a missing quote or comma, or a placeholder that TradingView left empty.`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? "an array" : parsed === null ? "null" : `a ${typeof parsed}`;
    return refuse(`The alert message must be a JSON object like {"action": "buy", "ticker": "{{ticker}}"}, not ${kind}.`);
  }
  const unsafe = findUnsafeText(parsed);
  if (unsafe) return unsafeJsonRefusal(unsafe);
  const fields: Fields = new Map();
  for (const [key, value] of Object.entries(parsed)) addField(fields, key, value);
  // `{"strategy": {"order": {"action": "buy"}}}` mirrors the placeholder's name; read it like the flat key.
  const strategy = (parsed as Record<string, unknown>).strategy;
  if (isRecord(strategy) && isRecord(strategy.order) && "action" in strategy.order) {
    addField(fields, "strategy.order.action", strategy.order.action);
  }
  return ok(fields);
}

function addField(fields: Fields, key: string, value: unknown): void {
  const k = normKey(key);
  const list = fields.get(k);
  if (list) list.push({ key, value });
  else fields.set(k, [{ key, value }]);
}

function normKey(key: string): string {
  return key.toLowerCase().replace(/[\s_.-]/g, "");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function clip(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

// ---------------------------------------------------------------------------------------------------------------
// Text alerts

function unsafeKind(codeUnit: number): string {
  return `${codeUnit >= 0xd800 && codeUnit <= 0xdfff ? "an invalid character" : "a control character"} (${codePointLabel(codeUnit)})`;
}

function unsafeJsonRefusal(u: UnsafeText): AlertRefusal {
  if (u.inKey) return refuse(`A field name in the alert message contains ${unsafeKind(u.codeUnit)}. Remove it from the alert message.`);
  const key = String(u.path[0]);
  return refuse(`"${clip(key)}" contains ${unsafeKind(u.codeUnit)}. Remove it from the alert message.`, key);
}

function readText(body: string): Result<Fields> {
  const codeUnit = unsafeCodeUnit(body);
  if (codeUnit !== null) return refuse(`The alert message contains ${unsafeKind(codeUnit)}. Remove it: tabs and line breaks are the only control characters an alert may hold.`);
  // `key: value` / `key : value` become `key=value` only for keys we know, so `BINANCE:BTCUSDT` stays a ticker.
  const normalised = body
    .replace(/(?<![\w.:-])([A-Za-z_][\w.-]*)\s*:\s*/g, (match, key: string) => (isTextKey(normKey(key)) ? `${key}=` : match))
    .replace(/\s*=\s*/g, "=");

  const tokens: string[] = [];
  let current = "";
  let inQuote = false;
  for (const ch of normalised) {
    if (inQuote) {
      current += ch;
      if (ch === '"') inQuote = false;
    } else if (ch === '"') {
      inQuote = true;
      current += ch;
    } else if (/[\s,;]/.test(ch) || ch === "@") {
      if (current) tokens.push(current);
      if (ch === "@") tokens.push("@");
      current = "";
    } else {
      current += ch;
    }
  }
  if (inQuote) return refuse('The alert message has an opening quote (") without a closing one.');
  if (current) tokens.push(current);

  const fields: Fields = new Map();
  const actionWords: { word: string; index: number }[] = [];
  const tickers: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    if (token === "@") {
      const next = tokens[i + 1];
      if (next === undefined || !/^[\d.]/.test(next)) return refuse('Write a price after "@", like "buy BTCUSDT @ 32045.14".', "price");
      addField(fields, "price", next);
      i++;
      continue;
    }
    const eq = token.indexOf("=");
    if (eq >= 0) {
      const key = token.slice(0, eq);
      const k = normKey(key);
      if (!/^[A-Za-z_][\w.-]*$/.test(key))
        return refuse(`The alert message has "${clip(token)}", which Tradsy cannot read. Write settings as name=value, like price=32045.14.`);
      if (TEXT_IGNORED_KEYS.has(k)) continue;
      if (!isTextKey(k)) {
        return refuse(
          `The alert message has a setting "${clip(key)}" that Tradsy does not know. Use action, ticker, price, sl, tp (or tp1 to tp3), quantity, passphrase, time, id or comment.`,
          key,
        );
      }
      addField(fields, key, unquote(token.slice(eq + 1)));
      continue;
    }
    const word = token.toLowerCase();
    if (word in ACTION_WORDS) {
      actionWords.push({ word, index: i });
      continue;
    }
    if (/^[+-]?[\d.]+$/.test(token)) {
      return refuse(`The alert message has a number (${clip(token)}) without a name. Write it as price=${clip(token)}, sl=…, tp=… or quantity=….`);
    }
    tickers.push(unquote(token));
  }

  if (actionWords.length > 0) {
    const [first, second] = actionWords;
    // "close long" / "exit short" name the position being closed; any other pair of action words is ambiguous.
    const closeNamingSide =
      actionWords.length === 2 &&
      first &&
      second &&
      ACTION_WORDS[first.word] === "exit" &&
      second.index === first.index + 1 &&
      ["buy", "sell"].includes(ACTION_WORDS[second.word] ?? "");
    if (actionWords.length > 1 && !closeNamingSide) {
      return refuse(
        `The alert message has more than one action (${actionWords.map((a) => a.word).join(", ")}). Keep one: buy, sell, exit or cancel.`,
        "action",
      );
    }
    addField(fields, "action", first?.word);
  }
  if (tickers.length > 1) {
    return refuse(
      `The alert message has more than one word that could be the ticker (${tickers.map((t) => `"${clip(t, 20)}"`).join(", ")}). Keep only the symbol, or write ticker=BTCUSDT.`,
      "ticker",
    );
  }
  if (tickers[0] !== undefined) addField(fields, "ticker", tickers[0]);
  return ok(fields);
}

function isTextKey(k: string): boolean {
  return TEXT_KNOWN_KEYS.has(k) || TEXT_IGNORED_KEYS.has(k) || TP_NUMBERED.test(k) || RELATIVE_LEVEL_KEYS.includes(k);
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

// ---------------------------------------------------------------------------------------------------------------
// Fields → ParsedAlert

function entries(fields: Fields, keys: readonly string[]): Entry[] {
  const out: Entry[] = [];
  for (const k of keys) {
    const found = fields.get(k);
    if (found) for (const e of found) out.push(e);
  }
  return out;
}

/** Absent, null and "" carry no value; so does 0 where zeroIsUnset (PickMyTrade sends 0 for "no stop"). */
function carriesValue(value: unknown, zeroIsUnset = false): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string" && value.trim() === "") return false;
  if (zeroIsUnset && isZero(value)) return false;
  return true;
}

function isZero(value: unknown): boolean {
  if (typeof value === "number") return value === 0;
  if (typeof value === "string") return /^\s*[+-]?(0+\.?0*|\.0+)(e[+-]?\d+)?\s*$/i.test(value);
  return false;
}

function placeholderProblem(entry: Entry): AlertRefusal | null {
  if (typeof entry.value !== "string") return null;
  const m = /\{\{\s*([^}]*?)\s*\}\}/.exec(entry.value);
  if (!m) return null;
  const name = m[1] ?? "";
  const hint = name.startsWith("strategy.")
    ? `{{${name}}} is only filled in alerts created on a strategy (not on an indicator or a drawing).`
    : `TradingView fills {{${name}}} only when the alert fires, and only if the placeholder name is right.`;
  return refuse(`"${entry.key}" still holds the placeholder {{${name}}}. ${hint}`, entry.key);
}

function text(entry: Entry, what: string): Result<string> {
  const placeholder = placeholderProblem(entry);
  if (placeholder) return placeholder;
  if (typeof entry.value === "string") return ok(entry.value.trim());
  if (typeof entry.value === "number" && Number.isFinite(entry.value)) return ok(String(entry.value));
  return refuse(`"${entry.key}" must be ${what}.`, entry.key);
}

/** Parses a positive decimal; null when 0 and zeroIsUnset. */
function decimal(entry: Entry, zeroIsUnset: boolean): Result<string | null> {
  const placeholder = placeholderProblem(entry);
  if (placeholder) return placeholder;
  const { key, value } = entry;
  const example = `a number like 32045.14`;
  let s: string;
  if (typeof value === "number") s = String(value);
  else if (typeof value === "string") s = value.trim();
  else return refuse(`"${key}" must be ${example}.`, key);
  if (/^-/.test(s) && /\d/.test(s)) return refuse(`"${key}" must be greater than 0, not ${clip(s)}.`, key);
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s) || /^\d+,\d+$/.test(s)) {
    return refuse(`"${key}" must use a dot for decimals and no thousands separators (32045.14), not ${clip(s)}.`, key);
  }
  // Exponent limited to 3 digits so "1e999999999" never reaches decimal.js.
  if (!/^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d{1,3})?$/i.test(s)) return refuse(`"${key}" must be ${example}, not "${clip(s)}".`, key);
  const d = new Decimal(s);
  if (d.isZero()) return zeroIsUnset ? ok(null) : refuse(`"${key}" must be greater than 0.`, key);
  if (d.gte(MAX_VALUE)) return refuse(`"${key}" is too large (${clip(s)}); values must be below 1,000,000,000,000.`, key);
  if (d.decimalPlaces() > MAX_DECIMAL_PLACES) {
    return refuse(`"${key}" has more than ${MAX_DECIMAL_PLACES} decimal places (${clip(s)}).`, key);
  }
  return ok(d.toFixed());
}

/** First alias carrying a value; with `conflicts`, a later alias carrying a different value is refused. */
function pick<T>(
  fields: Fields,
  keys: readonly string[],
  read: (e: Entry) => Result<T | null>,
  opts: { zeroIsUnset?: boolean; conflicts?: boolean; same?: (a: T, b: T) => boolean } = {},
): Result<{ value: T; entry: Entry } | null> {
  let chosen: { value: T; entry: Entry } | null = null;
  for (const entry of entries(fields, keys)) {
    if (!carriesValue(entry.value, opts.zeroIsUnset)) continue;
    if (chosen && !opts.conflicts) break;
    const r = read(entry);
    if (!r.ok) return r;
    if (r.value === null) continue;
    if (!chosen) {
      chosen = { value: r.value, entry };
    } else if (!(opts.same ?? Object.is)(chosen.value, r.value)) {
      return refuse(`"${chosen.entry.key}" and "${entry.key}" disagree. Keep one of them in the alert message.`, entry.key);
    }
  }
  return ok(chosen);
}

const sameDecimal = (a: string, b: string) => new Decimal(a).eq(b);

function extract(fields: Fields): ParseAlertResult {
  // Action: the first alias wins; later aliases only matter if they hold a different recognised action word.
  let actionWord: { word: string; entry: Entry } | null = null;
  for (const entry of entries(fields, ACTION_KEYS)) {
    if (!carriesValue(entry.value)) continue;
    const isFirst = actionWord === null;
    if (isFirst) {
      const t = text(entry, "text like buy or sell");
      if (!t.ok) return t;
      const word = t.value.toLowerCase();
      if (!(word in ACTION_WORDS)) {
        return refuse(`The action "${clip(t.value)}" is not one Tradsy accepts. Use one of: ${ACCEPTED_ACTIONS.join(", ")}.`, entry.key);
      }
      actionWord = { word, entry };
    } else if (actionWord && typeof entry.value === "string") {
      const other = ACTION_WORDS[entry.value.trim().toLowerCase()];
      if (other && other !== ACTION_WORDS[actionWord.word]) {
        return refuse(`"${actionWord.entry.key}" and "${entry.key}" give different actions. Keep one of them in the alert message.`, entry.key);
      }
    }
  }
  if (!actionWord) return refuse(NO_ACTION_MESSAGE, "action");
  const action = ACTION_WORDS[actionWord.word] as AlertAction;

  const sentimentPick = pick(fields, ["sentiment"], (e): Result<Sentiment> => {
    const t = text(e, "text like bullish, bearish or flat");
    if (!t.ok) return t;
    const s = SENTIMENT_WORDS[t.value.toLowerCase()];
    return s ? ok(s) : refuse(`The sentiment "${clip(t.value)}" is not one Tradsy accepts. Use bullish, bearish or flat (or long, short).`, e.key);
  });
  if (!sentimentPick.ok) return sentimentPick;
  const sentiment = sentimentPick.value?.value ?? null;
  const intent = decideIntent(actionWord.word, action, sentiment, sentimentPick.value?.entry.key ?? "sentiment");
  if (!intent.ok) return intent;

  const tickerPick = pick(fields, TICKER_KEYS, readTicker, {
    conflicts: true,
    same: (a, b) => a.ticker === b.ticker && (a.exchange === null || b.exchange === null || a.exchange === b.exchange),
  });
  if (!tickerPick.ok) return tickerPick;
  if (!tickerPick.value) return refuse(NO_TICKER_MESSAGE, "ticker");
  const { ticker } = tickerPick.value.value;
  let exchange = tickerPick.value.value.exchange;
  if (exchange === null) {
    const ex = pick(fields, ["exchange"], (e) => {
      const t = text(e, "text like BINANCE");
      if (!t.ok) return t;
      const upper = t.value.toUpperCase();
      return /^[A-Z0-9_]{1,32}$/.test(upper) ? ok(upper) : refuse(`"${e.key}" must be an exchange name like BINANCE, not "${clip(t.value)}".`, e.key);
    });
    if (!ex.ok) return ex;
    exchange = ex.value?.value ?? null;
  }

  const readPrice = (e: Entry) => decimal(e, false);
  let price = pick(fields, PRICE_KEYS, readPrice, { conflicts: true, same: sameDecimal });
  if (price.ok && !price.value) price = pick(fields, PRICE_FALLBACK_KEYS, readPrice);
  if (!price.ok) return price;

  for (const entry of entries(fields, RELATIVE_LEVEL_KEYS)) {
    if (carriesValue(entry.value, true)) {
      const kind = /sl$/.test(normKey(entry.key)) ? "stop-loss" : "take-profit";
      return refuse(
        `"${entry.key}" is not supported: Tradsy needs the ${kind} as a price. Send it in "${kind === "stop-loss" ? "sl" : "tp"}" instead.`,
        entry.key,
      );
    }
  }
  const stop = pick(fields, STOP_KEYS, readStop, { zeroIsUnset: true, conflicts: true, same: sameDecimal });
  if (!stop.ok) return stop;
  const takeProfits = readTakeProfits(fields);
  if (!takeProfits.ok) return takeProfits;
  const quantity = pick(fields, QUANTITY_KEYS, (e) => decimal(e, true), { zeroIsUnset: true, conflicts: true, same: sameDecimal });
  if (!quantity.ok) return quantity;

  const passphrase = pick(fields, PASSPHRASE_KEYS, (e) => text(e, "text"), { conflicts: true });
  if (!passphrase.ok) return passphrase;
  const time = pick(fields, TIME_KEYS, readTime);
  if (!time.ok) return time;
  const alertId = pick(fields, ID_KEYS, (e) => {
    const t = text(e, "text or a whole number");
    if (!t.ok) return t;
    return t.value.length > MAX_ID_LENGTH ? refuse(`"${e.key}" is longer than ${MAX_ID_LENGTH} characters.`, e.key) : ok(t.value);
  });
  if (!alertId.ok) return alertId;
  const comment = pick(fields, ["comment"], (e) => text(e, "text"));
  if (!comment.ok) return comment;

  return {
    ok: true,
    alert: {
      action,
      intent: intent.value,
      ticker,
      exchange,
      price: price.value?.value ?? null,
      stop: stop.value?.value ?? null,
      takeProfits: takeProfits.value,
      quantity: quantity.value?.value ?? null,
      passphrase: passphrase.value?.value ?? null,
      time: time.value?.value ?? null,
      alertId: alertId.value?.value ?? null,
      comment: comment.value?.value ?? null,
    },
  };
}

function decideIntent(word: string, action: AlertAction, sentiment: Sentiment | null, sentimentKey: string): Result<AlertIntent> {
  if (action === "cancel") {
    if (sentiment === "flat") {
      return refuse(
        `"cancel" with sentiment "flat" is contradictory: cancel withdraws pending orders, flat closes the position. Send "action": "exit" to close, or drop the sentiment.`,
        sentimentKey,
      );
    }
    return ok("cancel");
  }
  if (action === "exit" || sentiment === "flat") return ok("close");
  const side = action === "buy" ? "long" : "short";
  if (sentiment !== null && sentiment !== side) {
    return refuse(
      `"${word}" with sentiment "${sentiment === "long" ? "bullish" : "bearish"}" is not supported: Tradsy opens or closes whole positions. Use sentiment "${side === "long" ? "bullish" : "bearish"}" or "flat".`,
      sentimentKey,
    );
  }
  // A plain "buy"/"sell" does not say whether it opens or reverses; "long"/"short" or a matching sentiment does.
  if (sentiment === null && (word === "buy" || word === "sell")) return ok(side === "long" ? "close_or_open_long" : "close_or_open_short");
  return ok(side === "long" ? "open_long" : "open_short");
}

function readTicker(e: Entry): Result<{ ticker: string; exchange: string | null }> {
  const t = text(e, "text like BTCUSDT");
  if (!t.ok) return t;
  const parts = t.value.toUpperCase().split(":");
  const [first, second] = parts;
  const exchange = parts.length === 2 ? (first ?? "") : null;
  const ticker = (parts.length === 2 ? second : first) ?? "";
  const bad = refuse(`"${e.key}" must be a symbol like BTCUSDT or BINANCE:BTCUSDT, not "${clip(t.value)}".`, e.key);
  if (parts.length > 2 || (exchange !== null && !/^[A-Z0-9_]{1,32}$/.test(exchange))) return bad;
  if (ticker.length > MAX_TICKER_LENGTH || !/^[A-Z0-9][A-Z0-9._/!&-]*$/.test(ticker)) return bad;
  return ok({ ticker, exchange });
}

function readStop(e: Entry): Result<string | null> {
  if (!isRecord(e.value)) return decimal(e, true);
  // TradersPost: { "type": "stop", "stopPrice": 31000 }, or percent / amount / trailing stops, which we refuse.
  return nestedPrice(
    e,
    "stopPrice",
    `"${e.key}" needs an absolute "stopPrice"; Tradsy does not take percent, amount or trailing stops. Example: "${e.key}": {"stopPrice": 31000}.`,
  );
}

function readTakeProfitValue(e: Entry): Result<string | null> {
  if (!isRecord(e.value)) return decimal(e, true);
  return nestedPrice(
    e,
    "limitPrice",
    `"${e.key}" needs an absolute "limitPrice"; Tradsy does not take percent or amount targets. Example: "${e.key}": {"limitPrice": 34000}.`,
  );
}

/** `{ <priceKey>: n }` → n (0 = not set). Any other setting with a value (percent, amount, trail…) is refused. */
function nestedPrice(e: Entry, priceKey: string, message: string): Result<string | null> {
  const obj = e.value as Record<string, unknown>;
  const priceEntry = Object.entries(obj).find(([k]) => normKey(k) === normKey(priceKey));
  const others = Object.entries(obj).filter(([k, v]) => normKey(k) !== normKey(priceKey) && normKey(k) !== "type" && carriesValue(v, true));
  if (others.length > 0 || !priceEntry) return refuse(message, e.key);
  return carriesValue(priceEntry[1], true) ? decimal({ key: `${e.key}.${priceEntry[0]}`, value: priceEntry[1] }, true) : ok(null);
}

function readTakeProfits(fields: Fields): Result<string[]> {
  const tooMany = (key: string) =>
    refuse(`The alert has more than ${MAX_ALERT_TAKE_PROFITS} take-profits; Tradsy takes at most ${MAX_ALERT_TAKE_PROFITS}.`, key);

  const numbered = new Map<number, { value: string; entry: Entry }>();
  for (const [k, list] of fields) {
    const m = TP_NUMBERED.exec(k);
    if (!m) continue;
    const n = Number(m[1]);
    for (const entry of list) {
      if (!carriesValue(entry.value, true)) continue;
      if (n < 1) return refuse(`Take-profits are numbered from 1 (tp1, tp2, tp3); rename "${entry.key}".`, entry.key);
      if (n > MAX_ALERT_TAKE_PROFITS) return tooMany(entry.key);
      const r = readTakeProfitValue(entry);
      if (!r.ok) return r;
      if (r.value === null) continue;
      const prev = numbered.get(n);
      if (prev && !sameDecimal(prev.value, r.value)) {
        return refuse(`"${prev.entry.key}" and "${entry.key}" disagree. Keep one of them in the alert message.`, entry.key);
      }
      numbered.set(n, { value: r.value, entry });
    }
  }

  const unnumbered = entries(fields, TP_KEYS).filter((e) => carriesValue(e.value, true) && !(Array.isArray(e.value) && e.value.length === 0));
  const [main, extra] = unnumbered;
  if (extra && main) return refuse(`"${main.key}" and "${extra.key}" both give take-profits. Keep one of them.`, extra.key);
  if (main && numbered.size > 0) {
    const numberedKey = [...numbered.values()][0]?.entry.key ?? "tp1";
    return refuse(`Use either "${main.key}" or numbered take-profits like "${numberedKey}", not both.`, main.key);
  }
  if (!main) return ok([...numbered.entries()].sort(([a], [b]) => a - b).map(([, v]) => v.value));

  const items: Entry[] = Array.isArray(main.value) ? main.value.map((value, i) => ({ key: `${main.key}[${i}]`, value })) : [main];
  const out: string[] = [];
  for (const item of items) {
    if (!carriesValue(item.value, true)) continue;
    const r = readTakeProfitValue(item);
    if (!r.ok) return r;
    if (r.value !== null) out.push(r.value);
  }
  return out.length > MAX_ALERT_TAKE_PROFITS ? tooMany(main.key) : ok(out);
}

function readTime(e: Entry): Result<Date> {
  const placeholder = placeholderProblem(e);
  if (placeholder) return placeholder;
  const bad = (detail: string) => refuse(`"${e.key}" must be a time like 2021-01-04T09:00:02Z ({{timenow}}) or unix seconds; ${detail}.`, e.key);
  let ms: number;
  if (typeof e.value === "number" || (typeof e.value === "string" && /^\d+(\.\d+)?$/.test(e.value.trim()))) {
    const n = Number(e.value);
    if (!Number.isFinite(n)) return bad("that number is not usable");
    // Unix seconds stay below 1e11 until the year 5138; milliseconds pass 1e11 in 1973.
    ms = Math.round(n < 1e11 ? n * 1000 : n);
  } else if (typeof e.value === "string") {
    const iso = parseIsoUtc(e.value.trim());
    if (iso === null) return bad(`"${clip(e.value)}" is not one`);
    ms = iso;
  } else {
    return bad("got something else");
  }
  if (!(ms >= MIN_TIME_MS && ms < MAX_TIME_MS)) return bad("it is outside the years 2000 to 2099");
  return ok(new Date(ms));
}

/** ISO-8601 date or date-time; no offset means UTC (what TradingView sends). null when not a real instant. */
function parseIsoUtc(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", sec = "0", frac = "", offset = "Z"] = m;
  const parts = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec)] as const;
  const [year, month, day, hour, minute, second] = parts;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const msPart = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, msPart);
  if (new Date(utc).getUTCDate() !== day) return null; // 2021-02-30
  if (offset.toUpperCase() === "Z") return utc;
  const om = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
  if (!om) return null;
  const offHours = Number(om[2]);
  const offMinutes = Number(om[3] ?? "0");
  if (offHours > 14 || offMinutes > 59) return null;
  const sign = om[1] === "-" ? -1 : 1;
  return utc - sign * (offHours * 60 + offMinutes) * 60_000;
}

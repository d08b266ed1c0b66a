import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ALERT_TEMPLATE, ALERT_TEMPLATE_PASSPHRASE, STRATEGY_ALERT_TEMPLATE, parseAlert, type AlertRefusal, type ParsedAlert } from ".";

const JSON_CT = "application/json";
const TEXT_CT = "text/plain";
const NO_ACTION = 'The alert has no action. Add "action": "buy" (or sell, exit, cancel) to the alert message.';

function accepted(body: string | Record<string, unknown>, contentType: string | null = JSON_CT): ParsedAlert {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const r = parseAlert(raw, contentType);
  if (!r.ok) throw new Error(`expected the alert to be accepted, got: ${r.message}`);
  return r.alert;
}

function refused(body: string | Record<string, unknown>, contentType: string | null = JSON_CT): AlertRefusal {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const r = parseAlert(raw, contentType);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.alert)}`);
  return r;
}

const base = { ticker: "BTCUSDT", action: "buy" };

// ---------------------------------------------------------------------------------------------------------------

const dataDir = path.join(process.env.MARKET_DATA_DIR ?? path.resolve(import.meta.dirname, "../../../../shared/data"), "tradingview");
const examplesFile = path.join(dataDir, "tradingview_alert_examples.json");
const examplesSchema = z.object({
  examples: z.array(z.object({ id: z.string(), content_type: z.string(), body: z.string() })),
});
const examples = fs.existsSync(examplesFile)
  ? new Map(examplesSchema.parse(JSON.parse(fs.readFileSync(examplesFile, "utf8"))).examples.map((e) => [e.id, e]))
  : null;

function example(id: string) {
  const e = examples?.get(id);
  if (!e) throw new Error(`example ${id} missing from ${examplesFile}`);
  return parseAlert(e.body, e.content_type);
}

describe.skipIf(!examples)(
  examples ? "published TradingView examples" : `published TradingView examples — SKIPPED: ${examplesFile} not found (set MARKET_DATA_DIR)`,
  () => {
    it("E1 TradersPost indicator alert: plain buy closes a short or opens a long", () => {
      const r = example("E1");
      expect(r).toEqual({
        ok: true,
        alert: {
          action: "buy",
          intent: "close_or_open_long",
          ticker: "BTCUSDT",
          exchange: null,
          price: "32045.14",
          stop: null,
          takeProfits: [],
          quantity: null,
          passphrase: null,
          time: new Date("2021-01-04T09:00:02Z"),
          alertId: null,
          comment: null,
        },
      });
    });

    it("E2 TradersPost strategy exit: sell with sentiment flat closes", () => {
      const r = example("E2");
      expect(r.ok && r.alert).toMatchObject({ action: "sell", intent: "close", ticker: "BTCUSDT", quantity: "0.5", price: null });
    });

    it("E3 TradersPost plain exit closes", () => {
      const r = example("E3");
      expect(r.ok && r.alert).toMatchObject({ action: "exit", intent: "close", ticker: "BTCUSDT" });
    });

    it("E4 PickMyTrade: data=buy, zero stop/targets ignored, token is not a passphrase", () => {
      const r = example("E4");
      expect(r.ok && r.alert).toMatchObject({
        action: "buy",
        intent: "close_or_open_long",
        ticker: "BTCUSDT",
        price: "32045.14",
        quantity: "0.25",
        stop: null,
        takeProfits: [],
        passphrase: null,
        time: new Date("2021-01-04T09:00:02Z"),
      });
    });

    it("E5 TradingView's default text message has no action and is refused", () => {
      expect(example("E5")).toEqual({ ok: false, message: NO_ACTION, field: "action" });
    });
  },
);

// ---------------------------------------------------------------------------------------------------------------

describe("body", () => {
  it.each(["", "   \n\t ", "\uFEFF  "])("refuses an empty body %j", (body) => {
    expect(refused(body, TEXT_CT).message).toMatch(/The alert message is empty/);
    expect(refused(body, JSON_CT).message).toMatch(/empty/);
  });

  it("accepts exactly 10 KB and refuses one byte more, counting UTF-8 bytes", () => {
    const pad = (n: number) => JSON.stringify({ ...base, comment: "x".repeat(n) });
    const overhead = pad(0).length;
    expect(accepted(pad(10 * 1024 - overhead)).comment).toHaveLength(10 * 1024 - overhead);
    expect(refused(pad(10 * 1024 - overhead + 1)).message).toMatch(/larger than 10 KB/);
    // 6,000 characters but 12,000 bytes.
    expect(refused(JSON.stringify({ ...base, comment: "é".repeat(6000) })).message).toMatch(/10 KB/);
  });

  it("refuses invalid JSON sent as JSON with a short reason, without echoing the body", () => {
    const r = refused('{"action": "buy", "ticker": "BTCUSDT", "passphrase": "hunter2" "price": 1}');
    expect(r.message).toMatch(/^The alert message is not valid JSON: \S/);
    expect(r.message).not.toContain("hunter2");
    expect(r.message.length).toBeLessThan(260);
    expect(refused("buy BTCUSDT", "application/json; charset=utf-8").message).toMatch(/not valid JSON: Unexpected token/);
    expect(refused('{"action": "buy",}', "Application/JSON").message).toMatch(/not valid JSON/);
  });

  it("treats text/plain starting with { that does not parse as a broken JSON template", () => {
    expect(refused('{"action": "buy", "ticker": }', TEXT_CT).message).toMatch(/not valid JSON/);
  });

  it("refuses JSON that is not an object", () => {
    expect(refused("[1, 2]").message).toMatch(/must be a JSON object .* not an array/);
    expect(refused('"buy BTCUSDT"').message).toMatch(/not a string/);
    expect(refused("42").message).toMatch(/not a number/);
    expect(refused("null").message).toMatch(/not null/);
    expect(refused('[{"action": "buy"}]', TEXT_CT).message).toMatch(/not an array/);
  });

  it("reads a JSON object whatever the content type says", () => {
    for (const ct of [TEXT_CT, null, "application/x-www-form-urlencoded", "application/vnd.api+json"]) {
      expect(accepted(base, ct)).toMatchObject({ action: "buy", ticker: "BTCUSDT" });
    }
  });
});

describe("control characters (issue 9, defect 3)", () => {
  it("refuses a NUL or another control character in any JSON value, naming the field", () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...base, comment: "a\u0000b" }, "comment", "U+0000"],
      [{ ...base, ticker: "BTC\u0000USDT" }, "ticker", "U+0000"],
      [{ ...base, tp: ["34000", "35000\u0007"] }, "tp", "U+0007"],
      [{ ...base, strategy: { order: { action: "buy\u009b" } } }, "strategy", "U+009B"],
      [{ ...base, alert_id: "\ud800" }, "alert_id", "U+D800"],
    ];
    for (const [body, field, code] of cases) {
      const r = refused(body);
      expect(r.message, field).toMatch(new RegExp(`control character \\(${code.replace("+", "\\+")}\\)|invalid character \\(${code.replace("+", "\\+")}\\)`));
      expect(r.field, field).toBe(field);
    }
  });

  it("refuses a control character in a key, even one Tradsy would ignore", () => {
    expect(refused({ ...base, ["extra\u0000"]: 1 }).message).toMatch(/A field name in the alert message contains a control character/);
  });

  it("refuses a control character in a text alert", () => {
    expect(refused("buy BTCUSDT comment=\"a\u0001b\"", TEXT_CT).message).toMatch(/control character \(U\+0001\)/);
    expect(refused("buy BTC\u0000USDT", TEXT_CT).message).toMatch(/control character \(U\+0000\)/);
  });

  it("still accepts tabs and newlines, in text alerts and JSON values", () => {
    expect(accepted({ ...base, comment: "line one\n\tline two" }).comment).toBe("line one\n\tline two");
    expect(accepted("buy\tBTCUSDT\r\nprice=32000", TEXT_CT)).toMatchObject({ action: "buy", ticker: "BTCUSDT", price: "32000" });
  });
});

describe("action and intent", () => {
  it.each([
    ["action", "buy"],
    ["side", "buy"],
    ["data", "buy"],
    ["signal", "buy"],
    ["order_action", "buy"],
    ["orderAction", "buy"],
    ["strategy.order.action", "buy"],
    ["Action", "BUY"],
  ])("reads the action from %s", (key, value) => {
    expect(accepted({ ticker: "BTCUSDT", [key]: value }).action).toBe("buy");
  });

  it("reads a nested strategy.order.action object", () => {
    expect(accepted({ ticker: "BTCUSDT", strategy: { order: { action: "sell" } } })).toMatchObject({ action: "sell", intent: "close_or_open_short" });
  });

  it.each([
    ["buy", undefined, "buy", "close_or_open_long"],
    ["buy", "bullish", "buy", "open_long"],
    ["buy", "long", "buy", "open_long"],
    ["long", undefined, "buy", "open_long"],
    ["long", "bullish", "buy", "open_long"],
    ["sell", undefined, "sell", "close_or_open_short"],
    ["sell", "bearish", "sell", "open_short"],
    ["sell", "short", "sell", "open_short"],
    ["short", undefined, "sell", "open_short"],
    ["short", "bearish", "sell", "open_short"],
    ["buy", "flat", "buy", "close"],
    ["sell", "flat", "sell", "close"],
    ["long", "flat", "buy", "close"],
    ["short", "FLAT", "sell", "close"],
    ["exit", undefined, "exit", "close"],
    ["exit", "flat", "exit", "close"],
    ["exit", "bullish", "exit", "close"],
    ["close", undefined, "exit", "close"],
    ["flat", undefined, "exit", "close"],
    ["cancel", undefined, "cancel", "cancel"],
    ["cancel", "bullish", "cancel", "cancel"],
    ["Sell", "", "sell", "close_or_open_short"],
  ])("%s with sentiment %s → %s / %s", (word, sentiment, action, intent) => {
    const body = sentiment === undefined ? { ticker: "BTCUSDT", action: word } : { ticker: "BTCUSDT", action: word, sentiment };
    expect(accepted(body)).toMatchObject({ action, intent });
  });

  it.each([
    ["buy", "bearish"],
    ["long", "short"],
    ["sell", "bullish"],
    ["short", "long"],
    ["cancel", "flat"],
  ])("refuses %s with sentiment %s as contradictory", (action, sentiment) => {
    const r = refused({ ticker: "BTCUSDT", action, sentiment });
    expect(r.field).toBe("sentiment");
    expect(r.message).toContain(action);
  });

  it("refuses an unknown sentiment", () => {
    expect(refused({ ...base, sentiment: "sideways" })).toMatchObject({
      field: "sentiment",
      message: expect.stringMatching(/bullish, bearish or flat/),
    });
  });

  it("refuses a missing action with the template hint", () => {
    expect(refused({ ticker: "BTCUSDT", price: 1 })).toEqual({ ok: false, message: NO_ACTION, field: "action" });
    expect(refused({ ticker: "BTCUSDT", action: "" })).toEqual({ ok: false, message: NO_ACTION, field: "action" });
  });

  it("refuses an unknown action and lists the accepted ones", () => {
    const r = refused({ ticker: "BTCUSDT", action: "add" });
    expect(r).toEqual({
      ok: false,
      field: "action",
      message: 'The action "add" is not one Tradsy accepts. Use one of: buy, sell, long, short, exit, close, flat, cancel.',
    });
    expect(refused({ ticker: "BTCUSDT", side: 1 }).field).toBe("side");
    expect(refused({ ticker: "BTCUSDT", action: { type: "buy" } }).message).toMatch(/"action" must be text/);
  });

  it("lets the first action alias win, ignores labels in later ones, refuses contradicting ones", () => {
    expect(accepted({ ...base, signal: "RSI crossed 30" }).action).toBe("buy");
    expect(accepted({ ...base, side: "long" }).intent).toBe("close_or_open_long");
    expect(refused({ ...base, side: "sell" })).toMatchObject({ field: "side", message: expect.stringMatching(/different actions/) });
  });
});

describe("ticker and exchange", () => {
  it.each(["ticker", "symbol", "pair", "instrument", "Symbol"])("reads %s", (key) => {
    expect(accepted({ action: "buy", [key]: "btcusdt" }).ticker).toBe("BTCUSDT");
  });

  it("splits and upper-cases an exchange prefix", () => {
    expect(accepted({ action: "buy", ticker: "binance:btcusdt" })).toMatchObject({ ticker: "BTCUSDT", exchange: "BINANCE" });
    expect(accepted({ action: "buy", ticker: "NYMEX_DL:CL1!" })).toMatchObject({ ticker: "CL1!", exchange: "NYMEX_DL" });
  });

  it("uses an exchange field only when the ticker has no prefix", () => {
    expect(accepted({ ...base, exchange: "bybit" }).exchange).toBe("BYBIT");
    expect(accepted({ action: "buy", ticker: "BINANCE:BTCUSDT", exchange: "BYBIT" }).exchange).toBe("BINANCE");
    expect(refused({ ...base, exchange: "BIN ANCE" }).field).toBe("exchange");
  });

  it.each(["ES1!", "BTCUSDT.P", "BRK.B", "EUR/USD", "1INCHUSDT", 7203])("accepts the symbol %s", (ticker) => {
    expect(accepted({ action: "buy", ticker }).ticker).toBe(String(ticker).toUpperCase());
  });

  it("refuses a missing ticker", () => {
    const r = refused({ action: "buy", price: 1 });
    expect(r.field).toBe("ticker");
    expect(r.message).toMatch(/The alert has no ticker\. Add "ticker": "\{\{ticker\}\}"/);
    expect(refused({ action: "buy", ticker: "  " }).field).toBe("ticker");
  });

  it.each(["BTC USDT", "A:B:C", ":BTCUSDT", "BINANCE:", "BTC$", "X".repeat(41)])("refuses the malformed ticker %j", (ticker) => {
    expect(refused({ action: "buy", ticker })).toMatchObject({ field: "ticker", message: expect.stringMatching(/must be a symbol like BTCUSDT/) });
  });

  it("refuses two aliases naming different tickers, accepts agreeing ones", () => {
    expect(refused({ ...base, symbol: "ETHUSDT" })).toMatchObject({
      field: "symbol",
      message: expect.stringMatching(/"ticker" and "symbol" disagree/),
    });
    expect(accepted({ action: "buy", ticker: "BINANCE:BTCUSDT", symbol: "btcusdt" })).toMatchObject({ ticker: "BTCUSDT", exchange: "BINANCE" });
  });
});

describe("prices and sizes", () => {
  it.each(["price", "close", "entry", "limit_price", "limitPrice"])("reads the price from %s", (key) => {
    expect(accepted({ ...base, [key]: "32045.14" }).price).toBe("32045.14");
  });

  it("accepts JSON numbers and numeric strings, normalised", () => {
    expect(accepted({ ...base, price: 32045.14 }).price).toBe("32045.14");
    expect(accepted({ ...base, price: " 32045.10 " }).price).toBe("32045.1");
    expect(accepted({ ...base, price: "3.2e4" }).price).toBe("32000");
    expect(accepted({ ...base, price: 0.00000123 }).price).toBe("0.00000123");
    expect(accepted({ ...base, price: ".5" }).price).toBe("0.5");
  });

  it("uses close only as a fallback and refuses disagreeing price aliases", () => {
    expect(accepted({ ...base, price: "100", close: "101" }).price).toBe("100");
    expect(accepted({ ...base, entry: "100", close: "101" }).price).toBe("100");
    expect(accepted({ ...base, price: "100", entry: 100.0 }).price).toBe("100");
    expect(refused({ ...base, price: "100", limit_price: "99" })).toMatchObject({ field: "limit_price", message: expect.stringMatching(/disagree/) });
  });

  it.each(["stop", "stop_loss", "stopLoss", "sl", "stopPrice", "SL"])("reads the stop from %s", (key) => {
    expect(accepted({ ...base, [key]: 31000 }).stop).toBe("31000");
  });

  it("treats a zero stop as not set and lets another alias carry it", () => {
    expect(accepted({ ...base, sl: 0 }).stop).toBeNull();
    expect(accepted({ ...base, sl: "0.00" }).stop).toBeNull();
    expect(accepted({ ...base, sl: 0, stop_loss: "31000" }).stop).toBe("31000");
    expect(refused({ ...base, sl: 31000, stop: 30000 })).toMatchObject({ field: "sl", message: expect.stringMatching(/"stop" and "sl" disagree/) });
  });

  it("reads TradersPost nested stopLoss and takeProfit objects", () => {
    const a = accepted({ ...base, takeProfit: { limitPrice: 34000 }, stopLoss: { type: "stop", stopPrice: "31000.5" } });
    expect(a).toMatchObject({ stop: "31000.5", takeProfits: ["34000"] });
    expect(accepted({ ...base, stopLoss: { type: "stop_limit", stopPrice: 0 } }).stop).toBeNull();
  });

  it("refuses relative or trailing nested levels instead of dropping them", () => {
    expect(refused({ ...base, stopLoss: { type: "stop", percent: 2 } })).toMatchObject({
      field: "stopLoss",
      message: expect.stringMatching(/absolute "stopPrice"/),
    });
    expect(refused({ ...base, stopLoss: { type: "trailing_stop", trailPercent: 1 } }).field).toBe("stopLoss");
    expect(refused({ ...base, takeProfit: { percent: 5 } })).toMatchObject({
      field: "takeProfit",
      message: expect.stringMatching(/absolute "limitPrice"/),
    });
    expect(refused({ ...base, stopLoss: { stopPrice: "abc" } }).field).toBe("stopLoss.stopPrice");
  });

  it.each(["percentage_sl", "dollar_sl", "percentage_tp", "dollar_tp"])("refuses a non-zero PickMyTrade %s", (key) => {
    expect(refused({ ...base, [key]: 1.5 })).toMatchObject({ field: key, message: expect.stringMatching(/as a price/) });
    expect(accepted({ ...base, [key]: 0 }).stop).toBeNull();
  });

  it.each(["take_profit", "takeProfit", "tp", "TP", "take_profits", "takeProfits"])("reads a take-profit from %s", (key) => {
    expect(accepted({ ...base, [key]: "34000" }).takeProfits).toEqual(["34000"]);
  });

  it("reads take-profit arrays, dropping zeros, including arrays of TradersPost objects", () => {
    expect(accepted({ ...base, tp: [34000, "35000", 0, null, 36000] }).takeProfits).toEqual(["34000", "35000", "36000"]);
    expect(accepted({ ...base, takeProfits: [{ limitPrice: 1 }, 2] }).takeProfits).toEqual(["1", "2"]);
    expect(accepted({ ...base, tp: [] }).takeProfits).toEqual([]);
    expect(refused({ ...base, tp: [1, "x"] }).field).toBe("tp[1]");
  });

  it("reads numbered take-profits in number order", () => {
    expect(accepted({ ...base, tp3: 3, tp1: 1, tp2: 2 }).takeProfits).toEqual(["1", "2", "3"]);
    expect(accepted({ ...base, take_profit_1: 1, take_profit_2: "2", take_profit_3: 3 }).takeProfits).toEqual(["1", "2", "3"]);
    expect(accepted({ ...base, tp1: 1, tp2: 0, tp3: 3 }).takeProfits).toEqual(["1", "3"]);
    expect(accepted({ ...base, tp1: 1, take_profit_1: "1.0" }).takeProfits).toEqual(["1"]);
    expect(refused({ ...base, tp1: 1, take_profit_1: 2 }).field).toBe("take_profit_1");
  });

  it("accepts 3 take-profits and refuses a 4th in every form", () => {
    expect(accepted({ ...base, tp: [1, 2, 3] }).takeProfits).toHaveLength(3);
    expect(refused({ ...base, tp: [1, 2, 3, 4] })).toMatchObject({ field: "tp", message: expect.stringMatching(/more than 3 take-profits/) });
    expect(refused({ ...base, tp1: 1, tp2: 2, tp3: 3, tp4: 4 }).field).toBe("tp4");
    expect(refused({ ...base, take_profit_5: 5 }).field).toBe("take_profit_5");
    expect(accepted({ ...base, tp4: 0 }).takeProfits).toEqual([]);
    expect(refused({ ...base, tp0: 1 }).field).toBe("tp0");
  });

  it("refuses mixing unnumbered and numbered take-profits, or two unnumbered ones", () => {
    expect(refused({ ...base, tp: 1, tp2: 2 }).field).toBe("tp");
    expect(refused({ ...base, tp: 1, take_profit: 2 }).field).toBe("tp");
    expect(accepted({ ...base, tp: 0, tp1: 1 }).takeProfits).toEqual(["1"]);
  });

  it.each(["quantity", "qty", "size", "contracts"])("reads the quantity from %s", (key) => {
    expect(accepted({ ...base, [key]: "0.5" }).quantity).toBe("0.5");
  });

  it("treats a zero quantity as not set", () => {
    expect(accepted({ ...base, quantity: 0 }).quantity).toBeNull();
  });

  it.each([
    ["NaN", /must be a number like 32045\.14/],
    ["Infinity", /must be a number/],
    ["abc", /must be a number/],
    ["-5", /greater than 0/],
    [-5, /greater than 0/],
    ["1e400", /too large/],
    ["1e13", /too large/],
    [1e12, /too large/],
    ["1e-20", /more than 12 decimal places/],
    ["0.0000000000001", /more than 12 decimal places/],
    ["1e99999999999", /must be a number/],
    ["1,000.5", /dot for decimals/],
    ["32045,14", /dot for decimals/],
    ["$100", /must be a number/],
    [true, /must be a number/],
    [[1], /must be a number/],
  ])("refuses the price %j", (value, message) => {
    const r = refused({ ...base, price: value });
    expect(r.field).toBe("price");
    expect(r.message).toMatch(message);
  });

  it("refuses a zero price (zero only means 'not set' for stops, targets and quantity)", () => {
    expect(refused({ ...base, price: 0 })).toMatchObject({ field: "price", message: expect.stringMatching(/greater than 0/) });
  });

  it("names the alias the sender used", () => {
    expect(refused({ ...base, qty: "lots" }).field).toBe("qty");
    expect(refused({ ...base, stop_loss: "-1" }).field).toBe("stop_loss");
    expect(refused({ ...base, tp2: "x" }).field).toBe("tp2");
  });

  it("explains a placeholder TradingView did not fill", () => {
    expect(refused({ ...base, price: "{{close}}" })).toMatchObject({
      field: "price",
      message: expect.stringMatching(/still holds the placeholder \{\{close\}\}/),
    });
    expect(refused({ ticker: "BTCUSDT", action: "{{strategy.order.action}}" }).message).toMatch(/only filled in alerts created on a strategy/);
  });
});

describe("passphrase, time, id, comment", () => {
  it.each(["passphrase", "secret", "password"])("reads the passphrase from %s", (key) => {
    expect(accepted({ ...base, [key]: " s3cret " }).passphrase).toBe("s3cret");
  });

  it("never reads token (PickMyTrade's own user token) as the passphrase", () => {
    expect(accepted({ ...base, token: "pmt-token" }).passphrase).toBeNull();
    expect(accepted({ ...base, token: "pmt-token", passphrase: "ours" }).passphrase).toBe("ours");
  });

  it("refuses disagreeing passphrases", () => {
    expect(refused({ ...base, passphrase: "a", secret: "b" }).field).toBe("secret");
  });

  it.each([
    ["2021-01-04T09:00:02Z", "2021-01-04T09:00:02.000Z"],
    ["2021-01-04T09:00:02.5Z", "2021-01-04T09:00:02.500Z"],
    ["2021-01-04T11:00:02+02:00", "2021-01-04T09:00:02.000Z"],
    ["2021-01-04T04:00:02-0500", "2021-01-04T09:00:02.000Z"],
    ["2021-01-04T09:00:02", "2021-01-04T09:00:02.000Z"],
    ["2021-01-04 09:00", "2021-01-04T09:00:00.000Z"],
    ["2021-01-04", "2021-01-04T00:00:00.000Z"],
    [1609750802, "2021-01-04T09:00:02.000Z"],
    ["1609750802", "2021-01-04T09:00:02.000Z"],
    [1609750802.25, "2021-01-04T09:00:02.250Z"],
    [1609750802123, "2021-01-04T09:00:02.123Z"],
    ["1609750802123", "2021-01-04T09:00:02.123Z"],
  ])("reads the time %j", (time, iso) => {
    expect(accepted({ ...base, time }).time?.toISOString()).toBe(iso);
  });

  it.each(["timenow", "time", "date"])("reads the time from %s", (key) => {
    expect(accepted({ ...base, [key]: "2021-01-04T09:00:02Z" }).time).toEqual(new Date("2021-01-04T09:00:02Z"));
  });

  it("prefers timenow (fire time) over time (bar open) and date", () => {
    const a = accepted({ ...base, time: "2021-01-04T08:00:00Z", timenow: "2021-01-04T09:00:02Z", date: "2020-01-01" });
    expect(a.time).toEqual(new Date("2021-01-04T09:00:02Z"));
  });

  it.each(["yesterday", "2021-02-30T00:00:00Z", "2021-13-01", "2021-01-04T25:00:00Z", "60", 0, "1999-12-31T23:59:59Z", "2100-01-01", true])(
    "refuses the time %j",
    (time) => {
      expect(refused({ ...base, time })).toMatchObject({ field: "time", message: expect.stringMatching(/must be a time like 2021-01-04T09:00:02Z/) });
    },
  );

  it.each([
    ["id", "abc-1"],
    ["alert_id", "abc-1"],
    ["alertId", "abc-1"],
    ["id", 42],
  ])("reads the alert id from %s", (key, value) => {
    expect(accepted({ ...base, [key]: value }).alertId).toBe(String(value));
  });

  it("prefers alert_id over id and refuses overlong ids", () => {
    expect(accepted({ ...base, id: "order-1", alert_id: "alert-1" }).alertId).toBe("alert-1");
    expect(refused({ ...base, id: "x".repeat(129) }).field).toBe("id");
  });

  it("reads a comment and leaves absent fields null", () => {
    expect(accepted({ ...base, comment: " RSI < 30 " }).comment).toBe("RSI < 30");
    expect(accepted(base)).toEqual({
      action: "buy",
      intent: "close_or_open_long",
      ticker: "BTCUSDT",
      exchange: null,
      price: null,
      stop: null,
      takeProfits: [],
      quantity: null,
      passphrase: null,
      time: null,
      alertId: null,
      comment: null,
    });
  });
});

describe("text alerts", () => {
  it("reads `buy BTCUSDT price=32000 sl=31000 tp=34000`", () => {
    expect(accepted("buy BTCUSDT price=32000 sl=31000 tp=34000", TEXT_CT)).toMatchObject({
      action: "buy",
      intent: "close_or_open_long",
      ticker: "BTCUSDT",
      price: "32000",
      stop: "31000",
      takeProfits: ["34000"],
    });
  });

  it("reads `BINANCE:BTCUSDT buy @ 32045.14`", () => {
    expect(accepted("BINANCE:BTCUSDT buy @ 32045.14", TEXT_CT)).toMatchObject({
      action: "buy",
      ticker: "BTCUSDT",
      exchange: "BINANCE",
      price: "32045.14",
    });
    expect(accepted("short ethusdt @2000.5", TEXT_CT)).toMatchObject({ action: "sell", intent: "open_short", ticker: "ETHUSDT", price: "2000.5" });
  });

  it("reads `action: sell, ticker: ETHUSDT, price: 2000`", () => {
    expect(accepted("action: sell, ticker: ETHUSDT, price: 2000", TEXT_CT)).toMatchObject({
      action: "sell",
      intent: "close_or_open_short",
      ticker: "ETHUSDT",
      price: "2000",
    });
    expect(accepted("action:buy;ticker:BINANCE:BTCUSDT", TEXT_CT)).toMatchObject({ ticker: "BTCUSDT", exchange: "BINANCE" });
  });

  it("reads the other fields, quoted values and times in text", () => {
    const a = accepted(
      'long BTCUSDT sl = 31000, tp1=34000 tp2=35000 qty=0.1 passphrase="two words" time=2021-01-04T09:00:02Z id=a1 comment="RSI cross"\nsentiment: bullish',
      null,
    );
    expect(a).toMatchObject({
      action: "buy",
      intent: "open_long",
      stop: "31000",
      takeProfits: ["34000", "35000"],
      quantity: "0.1",
      passphrase: "two words",
      time: new Date("2021-01-04T09:00:02Z"),
      alertId: "a1",
      comment: "RSI cross",
    });
  });

  it.each([
    ["close long BTCUSDT", "exit"],
    ["BTCUSDT exit short", "exit"],
    ["FLAT BTCUSDT", "exit"],
    ["cancel BTCUSDT", "cancel"],
    ["sell BTCUSDT sentiment=flat", "sell"],
  ])("reads %j as a close or cancel", (body, action) => {
    const a = accepted(body, TEXT_CT);
    expect(a.action).toBe(action);
    expect(a.intent).toBe(action === "cancel" ? "cancel" : "close");
  });

  it("refuses TradingView's default message (no action), inline", () => {
    expect(refused("BINANCE:BTCUSDT, price = 32045.14, volume = 6529.253248", TEXT_CT)).toEqual({ ok: false, message: NO_ACTION, field: "action" });
  });

  it("refuses text it cannot read unambiguously", () => {
    expect(refused("buy BTCUSDT stp=31000", TEXT_CT)).toMatchObject({
      field: "stp",
      message: expect.stringMatching(/"stp" that Tradsy does not know/),
    });
    expect(refused("buy BTCUSDT 32000", TEXT_CT).message).toMatch(/a number \(32000\) without a name/);
    expect(refused("buy BTCUSDT price=32,045.14", TEXT_CT).message).toMatch(/without a name/);
    expect(refused("buy BTCUSDT now", TEXT_CT)).toMatchObject({
      field: "ticker",
      message: expect.stringMatching(/more than one word that could be the ticker/),
    });
    expect(refused("buy sell BTCUSDT", TEXT_CT)).toMatchObject({ field: "action", message: expect.stringMatching(/more than one action/) });
    expect(refused("long BTCUSDT close", TEXT_CT).field).toBe("action");
    expect(refused('buy BTCUSDT comment="open', TEXT_CT).message).toMatch(/quote/);
    expect(refused("buy BTCUSDT @", TEXT_CT).field).toBe("price");
    expect(refused("buy BTCUSDT @ 1 price=2", TEXT_CT).message).toMatch(/disagree/);
    expect(refused("buy price=1", TEXT_CT).field).toBe("ticker");
    expect(refused("buy {{ticker}}", TEXT_CT).message).toMatch(/placeholder \{\{ticker\}\}/);
    expect(refused("buy BTCUSDT percentage_sl=2", TEXT_CT).field).toBe("percentage_sl");
    expect(refused("hello", TEXT_CT)).toEqual({ ok: false, message: NO_ACTION, field: "action" });
  });
});

describe("alert templates", () => {
  const render = (template: string, values: Record<string, string>) =>
    template.replace(/\{\{([^}]+)\}\}/g, (_, k: string) => values[k] ?? `{{${k}}}`);
  const tv = { exchange: "BINANCE", ticker: "BTCUSDT", close: "32045.14", timenow: "2021-01-04T09:00:02Z" };

  it("ALERT_TEMPLATE is JSON with a passphrase and parses once TradingView fills it", () => {
    expect(JSON.parse(ALERT_TEMPLATE)).toMatchObject({
      passphrase: ALERT_TEMPLATE_PASSPHRASE,
      ticker: "{{exchange}}:{{ticker}}",
      time: "{{timenow}}",
    });
    expect(accepted(render(ALERT_TEMPLATE, tv))).toMatchObject({
      action: "buy",
      ticker: "BTCUSDT",
      exchange: "BINANCE",
      price: "32045.14",
      stop: null,
      takeProfits: [],
      passphrase: ALERT_TEMPLATE_PASSPHRASE,
      time: new Date("2021-01-04T09:00:02Z"),
    });
  });

  it("STRATEGY_ALERT_TEMPLATE maps strategy fills to intents", () => {
    const fill = (action: string, position: string) =>
      accepted(
        render(STRATEGY_ALERT_TEMPLATE, {
          ...tv,
          "strategy.order.action": action,
          "strategy.market_position": position,
          "strategy.order.price": "32000",
          "strategy.order.contracts": "0.5",
          "strategy.order.comment": "Long entry",
        }),
      );
    expect(fill("buy", "long")).toMatchObject({ intent: "open_long", quantity: "0.5", price: "32000", comment: "Long entry" });
    expect(fill("sell", "flat").intent).toBe("close");
    expect(fill("sell", "short").intent).toBe("open_short");
  });

  it("an unfilled template is refused with a placeholder hint", () => {
    expect(refused(ALERT_TEMPLATE).message).toMatch(/placeholder \{\{exchange\}\}/);
    expect(refused(STRATEGY_ALERT_TEMPLATE).message).toMatch(/only filled in alerts created on a strategy/);
  });
});

describe("robustness", () => {
  it("never throws on arbitrary input", () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ["{", "}", '"', ":", ",", "=", "@", " ", "\n", "buy", "tp", "sl", "1", ".", "-", "e", "[", "]", "BTCUSDT", "{{", "}}", "é"];
    for (let i = 0; i < 2000; i++) {
      let body = "";
      const n = Math.floor(rand() * 30);
      for (let j = 0; j < n; j++) body += alphabet[Math.floor(rand() * alphabet.length)];
      const r = parseAlert(body, rand() < 0.5 ? JSON_CT : TEXT_CT);
      expect(typeof r.ok).toBe("boolean");
      if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
    }
  });

  it("uses no Node-only APIs (the browser preview runs it)", () => {
    for (const file of ["parse.ts", "template.ts", "index.ts"]) {
      const src = fs.readFileSync(path.join(import.meta.dirname, file), "utf8");
      expect(src).not.toMatch(/from "node:|require\(|process\.|Buffer\b/);
    }
  });
});

/**
 * Parsers for recorded OHLCV files (the replay data set): ccxt/freqtrade JSON arrays and simple CSV exports.
 * They keep the data as recorded (gaps, zero volumes) and reject only what is malformed: a bad number, a
 * time out of order, a duplicate.
 */
import { toDecimalString } from "./candles";
import type { Candle } from "./types";

function assertAscending(candles: readonly Candle[], where: string): void {
  for (let i = 1; i < candles.length; i++) {
    const a = (candles[i - 1] as Candle).openTime;
    const b = (candles[i] as Candle).openTime;
    if (b <= a) throw new Error(`${where}: candle ${i} (${new Date(b).toISOString()}) is not after the one before it`);
  }
}

/**
 * ccxt's OHLCV layout: `[[openTimeMs, open, high, low, close, volume], ...]`, numbers or numeric strings.
 * freqtrade writes numbers with Python's shortest round-trip repr, which JavaScript reads and prints back digit
 * for digit, so JSON.parse loses nothing here.
 */
export function parseOhlcvJson(text: string, where = "OHLCV JSON"): Candle[] {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) throw new Error(`${where}: expected an array of [time, o, h, l, c, v]`);
  const out: Candle[] = new Array<Candle>(data.length);
  for (let i = 0; i < data.length; i++) {
    const row: unknown = data[i];
    if (!Array.isArray(row) || row.length < 6 || !Number.isSafeInteger(row[0])) {
      throw new Error(`${where}: row ${i} is not [time, o, h, l, c, v]`);
    }
    out[i] = {
      openTime: row[0] as number,
      open: toDecimalString(row[1]),
      high: toDecimalString(row[2]),
      low: toDecimalString(row[3]),
      close: toDecimalString(row[4]),
      volume: toDecimalString(row[5]),
    };
  }
  assertAscending(out, where);
  return out;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** "2004-08-19" or "2017-04-19 09:00:00" as UTC (the recorded files carry no zone and are UTC). */
export function parseUtcTimestamp(value: string): number {
  const v = value.trim();
  let ms = Number.NaN;
  if (DATE_ONLY.test(v)) ms = Date.parse(`${v}T00:00:00Z`);
  else if (DATE_TIME.test(v)) ms = Date.parse(`${v.replace(" ", "T")}Z`);
  if (!Number.isFinite(ms)) throw new Error(`Not a UTC date or date-time: ${JSON.stringify(value)}`);
  return ms;
}

/**
 * CSV with a header naming open, high, low, close and volume (any case) and the time in the first column,
 * whatever its header says ("datetime", or empty as in pandas exports). The recorded files are plain numbers
 * without quoting, which is all this reads: a quoted field is rejected rather than misread.
 */
export function parseOhlcvCsv(text: string, where = "OHLCV CSV"): Candle[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((h) => h.trim().toLowerCase());
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 1) throw new Error(`${where}: header has no "${name}" column after the time column`);
    return i;
  };
  const [o, h, l, c, v] = [col("open"), col("high"), col("low"), col("close"), col("volume")];
  const out: Candle[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] as string;
    if (!line.trim()) continue;
    if (line.includes('"')) throw new Error(`${where}: line ${n + 1} is quoted; only plain numeric CSV is supported`);
    const f = line.split(",");
    const get = (i: number): string => {
      const s = f[i];
      if (s === undefined || s.trim() === "") throw new Error(`no value in column ${i + 1}`);
      return s;
    };
    try {
      out.push({
        openTime: parseUtcTimestamp(get(0)),
        open: toDecimalString(get(o)),
        high: toDecimalString(get(h)),
        low: toDecimalString(get(l)),
        close: toDecimalString(get(c)),
        volume: toDecimalString(get(v)),
      });
    } catch (err) {
      throw new Error(`${where}: line ${n + 1}: ${(err as Error).message}`);
    }
  }
  assertAscending(out, where);
  return out;
}

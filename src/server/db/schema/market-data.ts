import "server-only";
import { bigint, index, jsonb, numeric, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tstz } from "./_shared";

/** OHLCV cache from the market-data adapter (ccxt or the offline replay). */
export const candles = pgTable(
  "candles",
  {
    source: text().notNull(),
    symbol: text().notNull(),
    timeframe: text().notNull(),
    /** Candle open time, ms since epoch (UTC). */
    openTime: bigint({ mode: "number" }).notNull(),
    open: numeric().notNull(),
    high: numeric().notNull(),
    low: numeric().notNull(),
    close: numeric().notNull(),
    volume: numeric().notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.symbol, t.timeframe, t.openTime] }), index("candles_symbol_open_time_idx").on(t.symbol, t.openTime)],
);

/** Small process-independent settings (e.g. the replay clock offset, fixed once so prices never jump). */
export const appSettings = pgTable("app_settings", {
  key: text().primaryKey(),
  value: jsonb().$type<unknown>().notNull(),
  updatedAt: tstz().notNull().defaultNow(),
});

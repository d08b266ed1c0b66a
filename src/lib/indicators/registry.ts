/**
 * The indicator catalogue as data, for the JSON rule builder: which indicators exist, what they read, their
 * parameters (defaults and bounds a form can offer) and their outputs. Plain JSON-serialisable objects (no code, no
 * code strings), so the browser can list them and a rule document can name `{ indicator: "rsi", params: { period:
 * 7 }, output: "value" }`. `createIndicator` turns such a reference into a running indicator that takes candles.
 *
 * The bounds here are the product's (what a person may pick); the classes check only what makes an indicator
 * meaningless (a period of 0, fast ≥ slow), so code can still build an EMA(5000) if it must.
 */
import { ADX, ADX_OUTPUTS } from "./adx";
import { ATR } from "./atr";
import { BollingerBands, BOLLINGER_OUTPUTS } from "./bollinger";
import { IndicatorParamError, type Candle } from "./core";
import { Donchian, DONCHIAN_OUTPUTS } from "./donchian";
import { EMA } from "./ema";
import { MACD, MACD_OUTPUTS } from "./macd";
import { OBV } from "./obv";
import { RSI } from "./rsi";
import { SMA } from "./sma";
import { Stochastic, STOCHASTIC_OUTPUTS } from "./stochastic";
import { VWAP, VWAP_SESSIONS, type VWAPSession } from "./vwap";
import { WMA } from "./wma";

export type ParamSpec =
  | { key: string; label: string; type: "integer" | "number"; default: number; min: number; max: number; step: number }
  | { key: string; label: string; type: "choice"; default: string; options: readonly { value: string; label: string }[] };

/**
 * What an output's numbers mean, so a rule builder offers sensible comparisons: "price" values compare with prices
 * and other price outputs, "percent" ones (0…100) with constants, "price-difference" (MACD) with 0 and each other,
 * "volume" (OBV) with itself over time.
 */
export type OutputScale = "price" | "percent" | "price-difference" | "volume";

export interface OutputSpec {
  key: string;
  label: string;
  scale: OutputScale;
}

export interface IndicatorSpec {
  id: string;
  name: string;
  /** As on a chart legend: "RSI", "BB". */
  shortName: string;
  description: string;
  /** "close": fed each candle's close; "candle": reads high, low, close (and volume where `needsVolume`). */
  input: "close" | "candle";
  needsVolume: boolean;
  params: readonly ParamSpec[];
  /** Single-valued indicators have one output, "value". */
  outputs: readonly OutputSpec[];
}

const period = (def: number, min = 1, max = 1000, label = "Period"): ParamSpec => ({
  key: "period",
  label,
  type: "integer",
  default: def,
  min,
  max,
  step: 1,
});
const int = (key: string, label: string, def: number, min: number, max: number): ParamSpec => ({
  key,
  label,
  type: "integer",
  default: def,
  min,
  max,
  step: 1,
});
const value = (label: string, scale: OutputScale): OutputSpec[] => [{ key: "value", label, scale }];

export const INDICATORS = {
  sma: {
    id: "sma",
    name: "Simple moving average",
    shortName: "SMA",
    description: "The mean of the last N closes.",
    input: "close",
    needsVolume: false,
    params: [period(20)],
    outputs: value("SMA", "price"),
  },
  ema: {
    id: "ema",
    name: "Exponential moving average",
    shortName: "EMA",
    description: "A moving average weighting recent closes more (α = 2 / (N + 1)), seeded with the SMA of the first N.",
    input: "close",
    needsVolume: false,
    params: [period(20)],
    outputs: value("EMA", "price"),
  },
  wma: {
    id: "wma",
    name: "Weighted moving average",
    shortName: "WMA",
    description: "The last N closes weighted 1…N, newest heaviest.",
    input: "close",
    needsVolume: false,
    params: [period(20)],
    outputs: value("WMA", "price"),
  },
  rsi: {
    id: "rsi",
    name: "Relative strength index",
    shortName: "RSI",
    description: "Wilder's RSI: average gains against average losses, 0…100; 100 when nothing fell.",
    input: "close",
    needsVolume: false,
    params: [period(14, 2, 500)],
    outputs: value("RSI", "percent"),
  },
  macd: {
    id: "macd",
    name: "Moving average convergence divergence",
    shortName: "MACD",
    description: "Fast EMA minus slow EMA (the MACD line), its EMA (the signal line) and their difference (histogram).",
    input: "close",
    needsVolume: false,
    params: [int("fast", "Fast period", 12, 1, 500), int("slow", "Slow period", 26, 2, 1000), int("signal", "Signal period", 9, 1, 500)],
    outputs: [
      { key: "macd", label: "MACD", scale: "price-difference" },
      { key: "signal", label: "Signal", scale: "price-difference" },
      { key: "histogram", label: "Histogram", scale: "price-difference" },
    ],
  },
  bollinger: {
    id: "bollinger",
    name: "Bollinger Bands",
    shortName: "BB",
    description: "SMA of the closes with bands a multiple of the (population) standard deviation above and below.",
    input: "close",
    needsVolume: false,
    params: [
      period(20, 2),
      { key: "multiplier", label: "Standard deviations", type: "number", default: 2, min: 0.1, max: 10, step: 0.1 },
    ],
    outputs: [
      { key: "middle", label: "Middle", scale: "price" },
      { key: "upper", label: "Upper", scale: "price" },
      { key: "lower", label: "Lower", scale: "price" },
    ],
  },
  atr: {
    id: "atr",
    name: "Average true range",
    shortName: "ATR",
    description: "Wilder's average of the true range: how far price moves per candle, gaps included.",
    input: "candle",
    needsVolume: false,
    params: [period(14, 1, 500)],
    outputs: value("ATR", "price-difference"),
  },
  stochastic: {
    id: "stochastic",
    name: "Stochastic oscillator",
    shortName: "Stoch",
    description: "Where the close sits in the range of the last N candles (%K, smoothed), and its average (%D), 0…100.",
    input: "candle",
    needsVolume: false,
    params: [int("kPeriod", "%K period", 14, 1, 500), int("kSmoothing", "%K smoothing", 3, 1, 100), int("dPeriod", "%D period", 3, 1, 100)],
    outputs: [
      { key: "k", label: "%K", scale: "percent" },
      { key: "d", label: "%D", scale: "percent" },
    ],
  },
  donchian: {
    id: "donchian",
    name: "Donchian channels",
    shortName: "DC",
    description: "Highest high and lowest low of the last N candles (the current one included) and their midpoint.",
    input: "candle",
    needsVolume: false,
    params: [period(20)],
    outputs: [
      { key: "upper", label: "Upper", scale: "price" },
      { key: "middle", label: "Middle", scale: "price" },
      { key: "lower", label: "Lower", scale: "price" },
    ],
  },
  vwap: {
    id: "vwap",
    name: "Volume-weighted average price",
    shortName: "VWAP",
    description: "Typical price (H + L + C) / 3 averaged by volume, since the first candle or since each UTC midnight.",
    input: "candle",
    needsVolume: true,
    params: [
      {
        key: "session",
        label: "Reset",
        type: "choice",
        default: "none",
        options: [
          { value: "none", label: "Never (cumulative)" },
          { value: "utc-day", label: "Each UTC day" },
        ],
      },
    ],
    outputs: value("VWAP", "price"),
  },
  obv: {
    id: "obv",
    name: "On-balance volume",
    shortName: "OBV",
    description: "A running total of volume, added on up closes and subtracted on down closes.",
    input: "candle",
    needsVolume: true,
    params: [],
    outputs: value("OBV", "volume"),
  },
  adx: {
    id: "adx",
    name: "Average directional index",
    shortName: "ADX",
    description: "Wilder's trend strength (ADX, 0…100) with the directional indicators +DI and −DI.",
    input: "candle",
    needsVolume: false,
    params: [period(14, 1, 500, "DI period"), int("adxPeriod", "ADX smoothing", 14, 1, 500)],
    outputs: [
      { key: "adx", label: "ADX", scale: "percent" },
      { key: "plusDI", label: "+DI", scale: "percent" },
      { key: "minusDI", label: "−DI", scale: "percent" },
    ],
  },
} as const satisfies Record<string, IndicatorSpec>;

export type IndicatorId = keyof typeof INDICATORS;
export const INDICATOR_IDS = Object.keys(INDICATORS) as IndicatorId[];

export type ParamValues = Record<string, number | string>;

/**
 * The full parameter set for an indicator: defaults filled in, every value checked against the catalogue's
 * bounds. Errors name the indicator and the parameter, for a person fixing a rule.
 */
export function resolveParams(id: string, params: Readonly<ParamValues> = {}): ParamValues {
  const spec = specOf(id);
  const known = new Set(spec.params.map((p) => p.key));
  for (const key of Object.keys(params)) {
    if (!known.has(key)) {
      const list = spec.params.length ? `: it takes ${spec.params.map((p) => p.key).join(", ")}` : ": it takes none";
      throw new IndicatorParamError(`${spec.shortName} has no parameter "${key}"${list}`);
    }
  }
  const out: ParamValues = {};
  for (const p of spec.params) {
    const v = params[p.key] ?? p.default;
    if (p.type === "choice") {
      if (typeof v !== "string" || !p.options.some((o) => o.value === v)) {
        throw new IndicatorParamError(`${spec.shortName} ${p.label} must be one of ${p.options.map((o) => `"${o.value}"`).join(", ")}, got ${JSON.stringify(v)}`);
      }
    } else {
      if (typeof v !== "number" || !Number.isFinite(v) || (p.type === "integer" && !Number.isInteger(v))) {
        throw new IndicatorParamError(`${spec.shortName} ${p.label} must be ${p.type === "integer" ? "a whole number" : "a number"}, got ${JSON.stringify(v)}`);
      }
      if (v < p.min || v > p.max) {
        throw new IndicatorParamError(`${spec.shortName} ${p.label} must be between ${p.min} and ${p.max}, got ${v}`);
      }
    }
    out[p.key] = v;
  }
  return out;
}

function specOf(id: string): IndicatorSpec {
  if (!Object.hasOwn(INDICATORS, id)) {
    throw new IndicatorParamError(`Unknown indicator "${id}": pick one of ${INDICATOR_IDS.join(", ")}`);
  }
  return INDICATORS[id as IndicatorId];
}

/** Any indicator, fed whole candles, its value as a record keyed by the spec's output keys. */
export interface CandleIndicator {
  readonly spec: IndicatorSpec;
  readonly params: Readonly<ParamValues>;
  readonly warmup: number;
  update(c: Candle): Readonly<Record<string, number>> | null;
  readonly value: Readonly<Record<string, number>> | null;
  readonly ready: boolean;
}

type Inner = { update(input: never): unknown; readonly warmup: number };

/** Builds the indicator a rule names; throws IndicatorParamError for an unknown id or a bad parameter. */
export function createIndicator(id: string, params: Readonly<ParamValues> = {}): CandleIndicator {
  const spec = specOf(id);
  const p = resolveParams(id, params);
  const n = (key: string) => p[key] as number;
  const inner = ((): Inner => {
    switch (spec.id as IndicatorId) {
      case "sma":
        return new SMA({ period: n("period") });
      case "ema":
        return new EMA({ period: n("period") });
      case "wma":
        return new WMA({ period: n("period") });
      case "rsi":
        return new RSI({ period: n("period") });
      case "macd":
        return new MACD({ fast: n("fast"), slow: n("slow"), signal: n("signal") });
      case "bollinger":
        return new BollingerBands({ period: n("period"), multiplier: n("multiplier") });
      case "atr":
        return new ATR({ period: n("period") });
      case "stochastic":
        return new Stochastic({ kPeriod: n("kPeriod"), kSmoothing: n("kSmoothing"), dPeriod: n("dPeriod") });
      case "donchian":
        return new Donchian({ period: n("period") });
      case "vwap":
        return new VWAP({ session: p.session as VWAPSession });
      case "obv":
        return new OBV();
      case "adx":
        return new ADX({ period: n("period"), adxPeriod: n("adxPeriod") });
    }
  })();
  const single = spec.outputs.length === 1;
  const keys = spec.outputs.map((o) => o.key);
  const feed = (inner as unknown as { update(x: number | Candle): unknown }).update.bind(inner);
  let current: Readonly<Record<string, number>> | null = null;
  return {
    spec,
    params: p,
    warmup: inner.warmup,
    update(c: Candle) {
      const v = feed(spec.input === "close" ? c.close : c);
      if (v === null) return null;
      current = single ? { value: v as number } : pick(v as Record<string, number>, keys);
      return current;
    },
    get value() {
      return current;
    },
    get ready() {
      return current !== null;
    },
  };
}

function pick(v: Record<string, number>, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = v[k]!;
  return out;
}

// Compile-time: each multi-output class has exactly the catalogue's output keys, and VWAP its session choices.
type Keys<T extends { outputs: readonly { key: string }[] }> = T["outputs"][number]["key"];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _outputKeysMatch: [
  Same<Keys<typeof INDICATORS.macd>, (typeof MACD_OUTPUTS)[number]>,
  Same<Keys<typeof INDICATORS.bollinger>, (typeof BOLLINGER_OUTPUTS)[number]>,
  Same<Keys<typeof INDICATORS.stochastic>, (typeof STOCHASTIC_OUTPUTS)[number]>,
  Same<Keys<typeof INDICATORS.donchian>, (typeof DONCHIAN_OUTPUTS)[number]>,
  Same<Keys<typeof INDICATORS.adx>, (typeof ADX_OUTPUTS)[number]>,
  Same<(typeof VWAP_SESSIONS)[number], (typeof INDICATORS.vwap.params)[0]["options"][number]["value"]>,
] = [true, true, true, true, true, true];
void _outputKeysMatch;

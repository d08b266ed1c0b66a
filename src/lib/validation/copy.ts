/**
 * Copy-trading input rules shared by the follow-settings form, the copy router and the orders CSV route.
 *
 * Shares are fractions everywhere they are stored and sent ("0.1" is 10%): the form shows percentages and converts
 * with `percentToFraction` / `fractionToPercent`, the messages name percentages because that is what a person reads.
 * Symbols in the allow/deny lists are only checked for shape here; `resolveSymbolLists` resolves them against the
 * market-data symbol list (the server passes its resolver) so an unknown one is refused by name.
 */
import Decimal from "decimal.js";
import { z } from "zod";

export const SIZING_MODES = ["fixed", "allocation", "risk", "mirror"] as const;
export type SizingModeName = (typeof SIZING_MODES)[number];
export const COPY_LEGS = ["entry", "tp", "stop", "close", "manual"] as const;
export const COPY_ORDER_STATUSES = ["planned", "skipped", "submitted", "filled", "rejected", "cancelled", "held"] as const;
export const MAX_SYMBOLS_PER_LIST = 50;

const DECIMAL = /^-?\d{1,12}(\.\d{1,12})?$/;

/** "0.1" -> "10" (for the form). */
export const fractionToPercent = (fraction: string): string => new Decimal(fraction).times(100).toString();
/** "10" -> "0.1" (from the form); throws on text that is not a number, so call it on validated text only. */
export const percentToFraction = (percent: string): string => new Decimal(percent).dividedBy(100).toString();

const pct = (d: Decimal.Value) => `${new Decimal(d).times(100).toString()}%`;
const plain = (d: Decimal.Value) => new Decimal(d).toNumber().toLocaleString("en-US", { maximumFractionDigits: 12 });

/**
 * A decimal (text or number) within [min, max] (`minExclusive` makes the lower bound strict), returned normalised.
 * As in the signal rules, the format is checked before decimal.js sees the value (it throws on what it cannot read).
 */
function boundedDecimal(opts: { label: string; min: string; max: string; minExclusive?: boolean; asPercent: boolean; example: string }) {
  const show = opts.asPercent ? pct : plain;
  const range = opts.minExclusive
    ? `${opts.label} must be more than ${show(opts.min)} and at most ${show(opts.max)}`
    : `${opts.label} must be between ${show(opts.min)} and ${show(opts.max)}`;
  return z.union([z.string(), z.number()], { error: `${opts.label} must be a number like ${opts.example}` }).transform((raw, ctx) => {
    const v = String(raw).trim();
    if (!DECIMAL.test(v)) {
      ctx.issues.push({ code: "custom", message: `${opts.label} must be a number like ${opts.example}`, input: raw });
      return z.NEVER;
    }
    const d = new Decimal(v);
    const low = opts.minExclusive ? d.lte(opts.min) : d.lt(opts.min);
    if (low || d.gt(opts.max)) {
      ctx.issues.push({ code: "custom", message: opts.asPercent ? `${range} (as a fraction: ${opts.example} is ${pct(opts.example)})` : range, input: raw });
      return z.NEVER;
    }
    return d.toString();
  });
}

const share = (label: string, min: string, max: string, example: string) => boundedDecimal({ label, min, max, asPercent: true, example });

const symbolList = (label: string) =>
  z
    .array(
      z
        .string({ error: `Each ${label} entry must be a symbol like BTC/USDT` })
        .trim()
        .min(1, `Remove the empty entry from the ${label}`)
        .max(40, `A symbol in the ${label} is too long`),
      { error: `The ${label} must be a list of symbols` },
    )
    .max(MAX_SYMBOLS_PER_LIST, `The ${label} can hold at most ${MAX_SYMBOLS_PER_LIST} symbols`);

export const FOLLOW_SETTINGS_DEFAULTS = {
  allocationPct: "0.1",
  sizingMode: "allocation" as SizingModeName,
  fixedAmount: "100",
  allocationShare: "0.2",
  riskPct: "0.01",
  scale: "1",
  maxPositionPct: "0.1",
  maxOpenPositions: 5,
  dailyLossPct: "0.05" as string | null,
  copyStopPct: null as string | null,
  maxSlippagePct: "0.005",
  maxSignalAgeSec: 120,
  symbolsAllow: [] as string[],
  symbolsDeny: [] as string[],
  copyOpenSignals: false,
};
export type FollowSettingsValues = typeof FOLLOW_SETTINGS_DEFAULTS;

const D = FOLLOW_SETTINGS_DEFAULTS;

/** Where a following's copies go: the paper account. */
export const PAPER_VENUE = "paper";

/**
 * Where copies go: "paper", or the id of one of the follower's exchange connections ("exc_…"). Only the shape is
 * checked here; that the connection is the follower's and active is the settings service's check.
 */
export const venueSchema = z
  .string({ error: "Choose where to copy: your paper account or one of your exchange connections" })
  .trim()
  .min(1, "Choose where to copy: your paper account or one of your exchange connections")
  .max(64, "Choose where to copy from the list")
  .regex(/^(paper|exc_[a-z0-9]{1,40})$/, "Choose where to copy from the list: your paper account or one of your exchange connections");

/** A following's settings. Every field has its default, so `{}` is the default settings. */
export const followSettingsSchema = z
  .object({
    allocationPct: share("Allocation", "0.01", "1", "0.1").default(D.allocationPct),
    sizingMode: z.enum(SIZING_MODES, { error: "Sizing must be fixed amount, share of allocation, risk or mirror" }).default(D.sizingMode),
    fixedAmount: boundedDecimal({ label: "Fixed amount", min: "0", max: "1000000", minExclusive: true, asPercent: false, example: "100" }).default(D.fixedAmount),
    allocationShare: share("Share of the allocation per trade", "0.01", "1", "0.2").default(D.allocationShare),
    riskPct: share("Risk per trade", "0.001", "0.1", "0.01").default(D.riskPct),
    scale: boundedDecimal({ label: "Scale", min: "0.1", max: "2", asPercent: false, example: "1" }).default(D.scale),
    maxPositionPct: share("Max position size", "0.01", "1", "0.1").default(D.maxPositionPct),
    maxOpenPositions: z
      .number({ error: "Max open positions must be a whole number" })
      .int("Max open positions must be a whole number")
      .min(1, "Allow at least 1 open position")
      .max(50, "Max open positions can be at most 50")
      .default(D.maxOpenPositions),
    dailyLossPct: share("Daily loss limit", "0.005", "0.5", "0.05").nullable().default(D.dailyLossPct),
    copyStopPct: share("Copy stop-loss", "0.05", "0.95", "0.5").nullable().default(D.copyStopPct),
    maxSlippagePct: share("Max entry slippage", "0", "0.05", "0.005").default(D.maxSlippagePct),
    maxSignalAgeSec: z
      .number({ error: "Max signal age must be a whole number of seconds" })
      .int("Max signal age must be a whole number of seconds")
      .min(5, "Max signal age must be at least 5 seconds")
      .max(86_400, "Max signal age can be at most 86,400 seconds (one day)")
      .default(D.maxSignalAgeSec),
    symbolsAllow: symbolList("allow list").default(D.symbolsAllow),
    symbolsDeny: symbolList("deny list").default(D.symbolsDeny),
    copyOpenSignals: z.boolean({ error: "Say whether to copy signals already open (true or false)" }).default(D.copyOpenSignals),
    /** Where new copies go; left out, the following keeps the venue it has (a new following starts on paper). */
    venue: venueSchema.optional(),
  })
  .strict();

export type FollowSettingsInput = z.input<typeof followSettingsSchema>;
export type FollowSettings = z.output<typeof followSettingsSchema>;

/**
 * The allow and deny lists resolved to canonical symbols ("btcusdt" -> "BTC/USDT"), de-duplicated. Problems are
 * per field and name the symbol: unknown symbols, and a symbol on both lists (after resolution, so "BTCUSDT" on one
 * and "BTC/USDT" on the other is caught).
 */
export function resolveSymbolLists(
  input: { symbolsAllow: string[]; symbolsDeny: string[] },
  resolve: (symbol: string) => string | null,
): { symbolsAllow: string[]; symbolsDeny: string[]; fieldErrors: Record<string, string> } {
  const fieldErrors: Record<string, string> = {};
  const one = (list: string[], field: "symbolsAllow" | "symbolsDeny", label: string) => {
    const out: string[] = [];
    const unknown: string[] = [];
    for (const raw of list) {
      const s = resolve(raw);
      if (!s) unknown.push(raw);
      else if (!out.includes(s)) out.push(s);
    }
    if (unknown.length) {
      const names = unknown.map((u) => `"${u}"`).join(", ");
      fieldErrors[field] =
        unknown.length === 1
          ? `${names} in the ${label} is not a symbol we have prices for. Use a listed symbol like BTC/USDT`
          : `${names} in the ${label} are not symbols we have prices for. Use listed symbols like BTC/USDT`;
    }
    return out;
  };
  const symbolsAllow = one(input.symbolsAllow, "symbolsAllow", "allow list");
  const symbolsDeny = one(input.symbolsDeny, "symbolsDeny", "deny list");
  const both = symbolsAllow.filter((s) => symbolsDeny.includes(s));
  if (both.length && !fieldErrors.symbolsDeny) fieldErrors.symbolsDeny = `${both.join(", ")} ${both.length === 1 ? "is" : "are"} on both the allow and the deny list; keep ${both.length === 1 ? "it" : "each"} on one`;
  return { symbolsAllow, symbolsDeny, fieldErrors };
}

/** Ids reach the router from URLs and forms; their shape is checked before any query. */
export const providerIdSchema = z.string({ error: "Choose a provider" }).trim().min(1, "Choose a provider").max(64, "That provider id is not valid");

export const saveFollowSettingsSchema = z.object({ providerId: providerIdSchema, settings: followSettingsSchema });
export const setCopyingSchema = z.object({ providerId: providerIdSchema, enabled: z.boolean({ error: "Say whether copying is on (true) or off (false)" }) });

/** A sizing preview: a hypothetical signal, or (without a symbol) the provider's latest open signal. */
export const sizingPreviewSchema = z
  .object({
    providerId: providerIdSchema,
    /** Settings being edited (not yet saved); the saved ones (or defaults) otherwise. */
    settings: followSettingsSchema.optional(),
    symbol: z.string().trim().min(1, "Choose a symbol").max(40, "That symbol is too long").optional(),
    side: z.enum(["long", "short"], { error: "Side must be long or short" }).optional(),
    entryPrice: boundedDecimal({ label: "Entry price", min: "0", max: "1000000000000", minExclusive: true, asPercent: false, example: "32045.14" }).optional(),
    stopLoss: boundedDecimal({ label: "Stop-loss", min: "0", max: "1000000000000", minExclusive: true, asPercent: false, example: "31000" }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.symbol && !v.side) ctx.addIssue({ code: "custom", path: ["side"], message: "Choose long or short for the preview" });
  });

/** Keyset cursor of the journal lists: "<ISO time>~<id>" as the previous page's `nextCursor` gave it. */
export const cursorSchema = z
  .string()
  .max(120, "That page cursor is not valid")
  .regex(/^(19|20|21)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z~[A-Za-z0-9_]{1,64}$/, "That page cursor is not valid; reload the list")
  .refine((c) => Number.isFinite(Date.parse(c.slice(0, c.indexOf("~")))), "That page cursor is not valid; reload the list");

/**
 * A list's cursor as infinite queries send it: absent or null for the first page (tRPC's server-side prefetch sends
 * `cursor: null`, which `.optional()` refused: the copy page's server render lost its orders), read as undefined.
 */
const pageCursor = cursorSchema.nullish().transform((c) => c ?? undefined);

const pageLimit = z.number().int().min(1, "Ask for at least 1 row").max(200, "At most 200 rows a page").default(50);

export const positionsQuerySchema = z.object({
  status: z.enum(["open", "closed"], { error: "Status must be open or closed" }).default("open"),
  cursor: pageCursor,
  limit: pageLimit,
});

/** Dates the journal can hold: from 2000 to 2100 (anything else is a typo, and some would overflow the database). */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
/** A date (a Date, text like "2026-01-31" or ISO, or ms); booleans and null are not dates. */
const dateInput = (label: string) =>
  z
    .union([z.date(), z.string().trim().min(1, `${label} must be a date like 2026-01-31`).max(40, `${label} must be a date like 2026-01-31`), z.number()], {
      error: `${label} must be a date like 2026-01-31`,
    })
    .pipe(z.coerce.date({ error: `${label} must be a date like 2026-01-31` }))
    .refine((d) => d.getTime() >= EARLIEST && d.getTime() < LATEST, `${label} must be between 2000 and 2100`);

/** The orders journal's filters, shared by the router and the CSV route (whose query string gives them as text). */
export const orderFiltersSchema = z
  .object({
    providerId: providerIdSchema.optional(),
    status: z.enum(COPY_ORDER_STATUSES, { error: `Status must be one of ${COPY_ORDER_STATUSES.join(", ")}` }).optional(),
    leg: z.enum(COPY_LEGS, { error: `Leg must be one of ${COPY_LEGS.join(", ")}` }).optional(),
    from: dateInput("From").optional(),
    to: dateInput("To").optional(),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.from > v.to) ctx.addIssue({ code: "custom", path: ["to"], message: "“To” must be on or after “From”" });
  });
export type OrderFilters = z.output<typeof orderFiltersSchema>;

export const ordersQuerySchema = z.object({ filters: orderFiltersSchema.default({}), cursor: pageCursor, limit: pageLimit });

export const closePositionSchema = z.object({ positionId: z.string({ error: "Choose a position" }).trim().min(1, "Choose a position").max(64, "That position id is not valid") });

export const killSwitchReasonSchema = z.string().trim().max(500, "Keep the reason under 500 characters");

export const setPlatformKillSwitchSchema = z
  .object({ on: z.boolean({ error: "Say whether the switch is on (true) or off (false)" }), reason: killSwitchReasonSchema.default("") })
  .superRefine((v, ctx) => {
    if (v.on && v.reason.length < 3) ctx.addIssue({ code: "custom", path: ["reason"], message: "Say why copying is being stopped (at least 3 characters)" });
  });

export const setProviderCopyStopSchema = z
  .object({ providerId: providerIdSchema, on: z.boolean({ error: "Say whether the stop is on (true) or off (false)" }), reason: killSwitchReasonSchema.default("") })
  .superRefine((v, ctx) => {
    if (v.on && v.reason.length < 3) ctx.addIssue({ code: "custom", path: ["reason"], message: "Say why copying this provider is being stopped (at least 3 characters)" });
  });

export const executionQualitySchema = z
  .object({ providerSlug: z.string().trim().min(1).max(80).optional(), providerId: providerIdSchema.optional() })
  .refine((v) => Boolean(v.providerSlug) !== Boolean(v.providerId), { message: "Give a provider's slug or its id (one of them)" });

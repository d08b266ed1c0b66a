/** Signal input rules shared by the publish form, the REST API and the TradingView webhook. */
import Decimal from "decimal.js";
import { z } from "zod";

export const MAX_TAKE_PROFITS = 3;
export const DEFAULT_LIMIT_EXPIRY_HOURS = 24 * 7;

/**
 * A positive decimal (text, or a number where `input` allows one), returned normalised ("32045.10" -> "32045.1"). The format is
 * checked before anything else touches the value: decimal.js throws on text it cannot read, and zod 4 runs later
 * refinements even after an earlier one failed, so a Decimal is only ever built from a value that passed the regex.
 */
const positiveDecimal = <I extends z.ZodType<string | number>>(input: I, pattern: RegExp, formatMessage: string, positiveMessage: string) =>
  input.transform((raw, ctx) => {
    const v = String(raw).trim();
    if (!pattern.test(v)) {
      ctx.issues.push({ code: "custom", message: formatMessage, input: raw });
      return z.NEVER;
    }
    const d = new Decimal(v);
    if (!d.gt(0)) {
      ctx.issues.push({ code: "custom", message: positiveMessage, input: raw });
      return z.NEVER;
    }
    return d.toString();
  });

const PRICE = /^\d{1,12}(\.\d{1,12})?$/;
const priceMessages = (label: string) => [`${label} must be a positive number like 32045.14`, `${label} must be greater than zero`] as const;
const decimalString = (label: string) => positiveDecimal(z.union([z.string(), z.number()], { error: `${label} must be a number` }), PRICE, ...priceMessages(label));

const shareString = positiveDecimal(
  z.union([z.string(), z.number()], { error: "Each take-profit needs the share of the position it closes" }),
  /^(0(\.\d{1,4})?|1(\.0{1,4})?)$/,
  "A take-profit share is a fraction between 0 and 1, like 0.5",
  "A take-profit share must be more than 0",
);

/** A new stop-loss for a published signal (the form sends text), checked like the stop when publishing. */
export const newStopLossSchema = positiveDecimal(z.string({ error: "Enter the new stop-loss price" }), PRICE, ...priceMessages("Stop-loss"));

export const publishSignalSchema = z
  .object({
    symbol: z.string({ error: "Choose a symbol" }).trim().min(1, "Choose a symbol").max(40, "That symbol is too long"),
    side: z.enum(["long", "short"], { error: "Side must be long or short" }),
    entryType: z.enum(["market", "limit"], { error: "Entry must be market or limit" }).default("market"),
    entryPrice: decimalString("Entry price").optional(),
    stopLoss: decimalString("Stop-loss").optional(),
    takeProfits: z
      .array(z.object({ price: decimalString("Take-profit price"), share: shareString }))
      .max(MAX_TAKE_PROFITS, `At most ${MAX_TAKE_PROFITS} take-profit levels`)
      .default([]),
    note: z.string().trim().max(1000, "Keep the note under 1,000 characters").default(""),
    expiresInHours: z.number().int().min(1, "Expiry must be at least 1 hour").max(24 * 90, "Expiry can be at most 90 days").optional(),
    idempotencyKey: z
      .string()
      .trim()
      .min(1)
      .max(128, "Idempotency keys are at most 128 characters")
      .regex(/^[\w.:-]+$/, "Idempotency keys may contain letters, digits and . _ : -")
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.entryType === "limit" && !v.entryPrice) ctx.addIssue({ code: "custom", path: ["entryPrice"], message: "A limit entry needs an entry price" });
    const total = v.takeProfits.reduce((acc, tp) => acc.plus(tp.share), new Decimal(0));
    if (total.gt(1)) ctx.addIssue({ code: "custom", path: ["takeProfits"], message: "Take-profit shares add up to more than the whole position (1)" });
    const prices = v.takeProfits.map((tp) => tp.price);
    if (new Set(prices).size !== prices.length) ctx.addIssue({ code: "custom", path: ["takeProfits"], message: "Two take-profit levels have the same price" });
  });

export type PublishSignalInput = z.input<typeof publishSignalSchema>;
export type PublishSignal = z.output<typeof publishSignalSchema>;

/**
 * Price rules against the reference entry (limit price or current market price). Returns per-field messages;
 * empty when the levels are consistent.
 */
export function levelProblems(
  input: { side: "long" | "short"; stopLoss?: string | null; takeProfits: { price: string }[] },
  entry: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const e = new Decimal(entry);
  const long = input.side === "long";
  if (input.stopLoss) {
    const s = new Decimal(input.stopLoss);
    if (long ? s.gte(e) : s.lte(e)) {
      out.stopLoss = [`Stop-loss must be ${long ? "below" : "above"} the entry (${entry}) for a ${input.side}`];
    }
  }
  input.takeProfits.forEach((tp, i) => {
    const p = new Decimal(tp.price);
    if (long ? p.lte(e) : p.gte(e)) {
      (out.takeProfits ??= []).push(`Take-profit ${i + 1} (${tp.price}) must be ${long ? "above" : "below"} the entry (${entry}) for a ${input.side}`);
    }
  });
  return out;
}

/** |a − b| / b as a Decimal. */
export function relativeDistance(a: string, b: string): Decimal {
  return new Decimal(a).minus(b).abs().div(b);
}

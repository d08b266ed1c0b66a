/**
 * The publish form's values and their checks, derived from the shared publish rules (publishSignalSchema).
 *
 * The form holds what a person types: the limit price apart from the live market price, take-profit sizes as a % of
 * the position, the expiry as a select's value. Its schema first checks what only the form can (a % is a %, a level
 * with a price has a size, the market price has arrived, the sizes fit in the position), then builds the publish
 * input from the values and applies the shared rules to it (the same parse the server makes), reporting each of their
 * issues on the field that shows it. It outputs that input, exactly as the server is sent it.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { FieldPath } from "react-hook-form";
import { percentToShare, shareToPercent } from "@/components/signals/format";
import type { FieldErrors } from "@/lib/validation/field-errors";
import { DEFAULT_LIMIT_EXPIRY_HOURS, publishSignalSchema, type PublishSignalInput } from "@/lib/validation/signals";

/** What the form knows besides its values: the symbol chosen from the list and its live quote (null until it arrives). */
export interface PublishFormContext {
  chosenSymbol: string | null;
  marketPrice: string | null;
}

const rules = publishSignalSchema.shape;

const publishFormValues = z.object({
  /** The symbol field's text; the symbol sent is the one chosen from the list, or else this text. */
  symbol: z.string(),
  side: rules.side,
  entryType: rules.entryType.unwrap(),
  /** The limit price typed; a market entry is the live quote (context) instead. */
  entryPrice: z.string(),
  stopLoss: z.string(),
  /** Sizes are the % of the position a person types; the input takes fractions (shares). */
  takeProfits: z.array(z.object({ price: z.string(), size: z.string() })),
  note: z.string(),
  /** The expiry select's value (hours). */
  expiresInHours: z.string(),
});

export type PublishFormValues = z.input<typeof publishFormValues>;

type TakeProfitRow = PublishFormValues["takeProfits"][number];

/**
 * 100% split evenly over `count` take-profits in whole percents, the first levels taking what does not divide:
 * 100; 50/50; 34/33/33. The sizes always add up to exactly 100.
 */
export function evenSizes(count: number): string[] {
  if (count < 1) return [];
  const base = Math.floor(100 / count);
  const extra = 100 - base * count;
  return Array.from({ length: count }, (_, i) => String(i < extra ? base + 1 : base));
}

/** The sizes are the ones the form filled in (the even split for this many levels): the person has not chosen their own. */
export function sizesUntouched(rows: readonly TakeProfitRow[]): boolean {
  const even = evenSizes(rows.length);
  return rows.every((t, i) => t.size.trim() === even[i]);
}

/** The one level a new form starts with: no price yet, closing the whole position. */
export const defaultTakeProfits = (): TakeProfitRow[] => [{ price: "", size: evenSizes(1)[0]! }];

/**
 * The levels after "Add take-profit": while the sizes are the form's even split, they are split again over one more
 * level (100 -> 50/50 -> 34/33/33); once the person has set their own, those stay and the new level gets what is
 * left of the position (nothing typed when none is left, so they decide).
 */
export function withTakeProfitAdded(rows: readonly TakeProfitRow[]): TakeProfitRow[] {
  if (sizesUntouched(rows)) {
    const even = evenSizes(rows.length + 1);
    return [...rows, { price: "", size: "" }].map((t, i) => ({ ...t, size: even[i]! }));
  }
  const assigned = rows.reduce((acc, t) => {
    const share = percentToShare(t.size);
    return share ? acc.plus(share) : acc;
  }, new Decimal(0));
  const left = new Decimal(1).minus(assigned);
  return [...rows, { price: "", size: left.gt(0) ? shareToPercent(left.toString()) : "" }];
}

/**
 * The levels after removing level `index`: the even split is made again over the rest while the sizes are the
 * form's own; sizes the person set are kept as they are. Removing the only level leaves a fresh one.
 */
export function withTakeProfitRemoved(rows: readonly TakeProfitRow[], index: number): TakeProfitRow[] {
  const rest = rows.filter((_, i) => i !== index);
  if (!rest.length) return defaultTakeProfits();
  if (!sizesUntouched(rows)) return rest;
  const even = evenSizes(rest.length);
  return rest.map((t, i) => ({ ...t, size: even[i]! }));
}

export const publishFormDefaults = (): PublishFormValues => ({
  symbol: "",
  side: "long",
  entryType: "market",
  entryPrice: "",
  stopLoss: "",
  takeProfits: defaultTakeProfits(),
  note: "",
  expiresInHours: String(DEFAULT_LIMIT_EXPIRY_HOURS),
});

/**
 * The take-profit rows that are sent, by their row index. With no price on any level and the sizes still the form's
 * own split there is no take-profit; otherwise a row with a price or a size is sent (and checked), one with neither
 * is left out.
 */
function sentRows(values: PublishFormValues): number[] {
  const rows = values.takeProfits;
  if (sizesUntouched(rows) && rows.every((t) => !t.price.trim())) return [];
  return rows.flatMap((t, i) => (t.price.trim() || t.size.trim() ? [i] : []));
}

/** The publish input the values stand for (before the shared rules; the caller adds the idempotency key). */
export function toPublishInput(values: PublishFormValues, { chosenSymbol, marketPrice }: PublishFormContext): PublishSignalInput {
  const entry = values.entryType === "market" ? (marketPrice ?? "") : values.entryPrice;
  return {
    symbol: chosenSymbol ?? values.symbol.trim(),
    side: values.side,
    entryType: values.entryType,
    entryPrice: entry.trim() || undefined,
    stopLoss: values.stopLoss.trim() || undefined,
    takeProfits: sentRows(values).map((i) => {
      const t = values.takeProfits[i]!;
      return { price: t.price.trim(), share: percentToShare(t.size) ?? t.size.trim() };
    }),
    note: values.note.trim(),
    expiresInHours: values.entryType === "limit" ? Number(values.expiresInHours) : undefined,
  };
}

/** Where the form shows an issue of the input at `path` (`takeProfits.1.share` is the size of the 2nd row sent). */
function formPath(path: PropertyKey[], rows: number[]): PropertyKey[] {
  const [field, index, key] = path;
  if (field === "takeProfits" && typeof index === "number") return ["takeProfits", rows[index] ?? index, key === "share" ? "size" : (key ?? "price")];
  return path;
}

export function publishFormSchema(context: PublishFormContext) {
  return publishFormValues
    .superRefine((v, ctx) => {
      const symbol = rules.symbol.safeParse(context.chosenSymbol ?? v.symbol);
      if (!symbol.success) ctx.addIssue({ code: "custom", path: ["symbol"], message: symbol.error.issues[0]!.message });
      // Checks the shared rules cannot make: the % typed has to become a fraction first, and a market entry needs the quote.
      if (v.entryType === "market" && symbol.data && !context.marketPrice) {
        ctx.addIssue({ code: "custom", path: ["entryPrice"], message: "Waiting for the market price; try again in a moment" });
      }
      let total = new Decimal(0);
      for (const i of sentRows(v)) {
        const t = v.takeProfits[i]!;
        const price = t.price.trim();
        const size = t.size.trim();
        const share = size ? percentToShare(size) : null;
        if (share) total = total.plus(share);
        if (!price) ctx.addIssue({ code: "custom", path: ["takeProfits", i, "price"], message: `Enter the price of take-profit ${i + 1}` });
        if (!size) ctx.addIssue({ code: "custom", path: ["takeProfits", i, "size"], message: "Enter the % of the position closed here" });
        else if (!share) ctx.addIssue({ code: "custom", path: ["takeProfits", i, "size"], message: "A size is a % between 0 and 100, like 50" });
      }
      if (total.gt(1)) {
        ctx.addIssue({
          code: "custom",
          path: ["takeProfits"],
          message: `Take-profit sizes add up to ${shareToPercent(total.toString())}%; at most 100% of the position can be closed`,
        });
      }
    })
    .transform((v, ctx): PublishSignalInput => {
      const input = toPublishInput(v, context);
      const checked = publishSignalSchema.safeParse(input);
      if (!checked.success) {
        const rows = sentRows(v);
        for (const issue of checked.error.issues) ctx.addIssue({ code: "custom", path: formPath(issue.path, rows), message: issue.message });
      }
      return input;
    });
}

/**
 * Where the message about the take-profit levels as a whole goes: react-hook-form keeps a field array's own error at
 * `<name>.root` (the resolver puts it there too), a path its FieldPath type does not list.
 */
export const LEVELS_ERROR = "takeProfits.root" as FieldPath<PublishFormValues>;

/** The fields the form shows errors on. */
export type PublishErrorField = FieldPath<PublishFormValues>;

const FORM_FIELDS = new Set<string>(["symbol", "side", "entryType", "entryPrice", "stopLoss", "note", "expiresInHours"] satisfies FieldPath<PublishFormValues>[]);

/**
 * The server's field errors (by input field, see serverFieldErrors) on the form's fields, the first message of each:
 * a take-profit message that names its level ("Take-profit 2 (…) must be above…") goes on that row's price, other
 * take-profit messages on the levels as a whole. Null when none of them is a field of the form (the refusal is then
 * shown as a whole).
 */
export function placeServerErrors(fields: FieldErrors, values: PublishFormValues): Map<PublishErrorField, string> | null {
  const rows = sentRows(values);
  const out = new Map<PublishErrorField, string>();
  const place = (field: PublishErrorField, message: string) => {
    if (!out.has(field)) out.set(field, message);
  };
  let known = false;
  for (const [key, messages] of Object.entries(fields)) {
    if (key === "takeProfits") {
      known = true;
      for (const m of messages) {
        const level = /^Take-profit (\d)/.exec(m)?.[1];
        const row = level ? rows[Number(level) - 1] : undefined;
        place(row === undefined ? LEVELS_ERROR : `takeProfits.${row}.price`, m);
      }
    } else if (FORM_FIELDS.has(key) && messages[0]) {
      known = true;
      place(key as PublishErrorField, messages[0]);
    }
  }
  return known ? out : null;
}

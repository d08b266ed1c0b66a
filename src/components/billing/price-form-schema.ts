/**
 * The price form's values and their checks, derived from the shared price rules (priceSchema).
 *
 * The form holds what a person types: a dollar amount and a number of days. Its schema first reads them (dollars
 * digit by digit into cents, days as up to three digits); only when both read does it apply the shared rules (the
 * same parse the server makes), reporting each of their issues on the field that shows it. It outputs the
 * price input, exactly as the server is sent it.
 */
import { z } from "zod";
import { MAX_TRIAL_DAYS } from "@/lib/billing";
import { parseDollars } from "@/lib/money";
import type { FieldErrors } from "@/lib/validation/field-errors";
import { priceSchema, type PriceInput } from "@/lib/validation/billing";

/** The form field that shows each field of the price input. */
const FORM_FIELD = { priceCents: "price", trialDays: "trialDays" } as const satisfies Record<keyof PriceInput, string>;

export const priceFormSchema = z.object({ price: z.string(), trialDays: z.string() }).transform((values, ctx): PriceInput => {
  const price = parseDollars(values.price);
  if (!price.ok) ctx.addIssue({ code: "custom", path: ["price"], message: price.message });
  const trial = values.trialDays.trim();
  const trialRead = /^\d{1,3}$/.test(trial);
  if (!trialRead) ctx.addIssue({ code: "custom", path: ["trialDays"], message: `Enter whole days from 0 to ${MAX_TRIAL_DAYS}` });
  if (!price.ok || !trialRead) return z.NEVER;

  const input = priceSchema.safeParse({ priceCents: price.cents, trialDays: Number(trial) });
  if (input.success) return input.data;
  for (const issue of input.error.issues) {
    const field = FORM_FIELD[issue.path[0] as keyof PriceInput];
    ctx.addIssue({ code: "custom", path: field ? [field] : [], message: issue.message });
  }
  return z.NEVER;
});

export type PriceFormValues = z.input<typeof priceFormSchema>;

/** The server's messages by form field (its `priceCents` is the form's `price`). */
export function priceFormServerErrors(errors: FieldErrors): FieldErrors {
  const placed: FieldErrors = {};
  for (const [key, field] of Object.entries(FORM_FIELD)) {
    const messages = errors[key];
    if (messages?.length) placed[field] = messages;
  }
  return placed;
}

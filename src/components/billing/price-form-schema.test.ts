import { describe, expect, it } from "vitest";
import { MAX_TRIAL_DAYS } from "@/lib/billing";
import { priceSchema } from "@/lib/validation/billing";
import { priceFormSchema, priceFormServerErrors, type PriceFormValues } from "./price-form-schema";

/** The messages by form field, as the resolver hands them to the form. */
function issues(values: PriceFormValues): Record<string, string> {
  const result = priceFormSchema.safeParse(values);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
}

describe("price form schema", () => {
  it("outputs the price input the form sends: dollars as integer cents, days as a number", () => {
    expect(priceFormSchema.parse({ price: " $1,000 ", trialDays: " 7 " })).toEqual({ priceCents: 100_000, trialDays: 7 });
    expect(priceFormSchema.parse({ price: "12.5", trialDays: "30" })).toEqual({ priceCents: 1250, trialDays: 30 });
    expect(priceFormSchema.parse({ price: "5", trialDays: "0" })).toEqual({ priceCents: 500, trialDays: 0 });
  });

  it("reads the fields first, each with its own message, and says nothing of the shared rules until both read", () => {
    expect(issues({ price: "5.001", trialDays: "x" })).toEqual({
      price: "Use at most two decimal places (cents)",
      trialDays: `Enter whole days from 0 to ${MAX_TRIAL_DAYS}`,
    });
    expect(issues({ price: "", trialDays: "3" })).toEqual({ price: "Enter an amount in dollars" });
    // The price is below the minimum, but the trial does not read: only the trial is named, as before any call.
    expect(issues({ price: "0.50", trialDays: "1.5" })).toEqual({ trialDays: `Enter whole days from 0 to ${MAX_TRIAL_DAYS}` });
  });

  it("then applies the shared price rules, each issue on the field that shows it, in the server's words", () => {
    const server = (input: { priceCents: number; trialDays: number }) =>
      Object.fromEntries(priceSchema.safeParse(input).error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(issues({ price: "0.50", trialDays: "3" })).toEqual({ price: server({ priceCents: 50, trialDays: 3 }).priceCents });
    expect(issues({ price: "5", trialDays: "400" })).toEqual({ trialDays: server({ priceCents: 500, trialDays: 400 }).trialDays });
    expect(issues({ price: "2000", trialDays: "31" })).toEqual({ price: "The maximum price is $1,000.00 a month", trialDays: `Trials are at most ${MAX_TRIAL_DAYS} days` });
  });

  it("puts the server's messages on the form's fields (its priceCents is the price field)", () => {
    expect(priceFormServerErrors({ priceCents: ["The minimum price is $1.00 a month"], trialDays: ["Use whole days"], other: ["x"] })).toEqual({
      price: ["The minimum price is $1.00 a month"],
      trialDays: ["Use whole days"],
    });
    expect(priceFormServerErrors({})).toEqual({});
  });
});

import { z } from "zod";
import { MAX_PRICE_CENTS, MAX_TRIAL_DAYS, MIN_PRICE_CENTS } from "@/lib/billing";

export const priceSchema = z.object({
  priceCents: z
    .number({ error: "Enter a monthly price" })
    .int("Use whole cents")
    .min(MIN_PRICE_CENTS, "The minimum price is $1.00 a month")
    .max(MAX_PRICE_CENTS, "The maximum price is $1,000.00 a month"),
  trialDays: z
    .number({ error: "Enter the trial length in days" })
    .int("Use whole days")
    .min(0, "A trial cannot be negative")
    .max(MAX_TRIAL_DAYS, `Trials are at most ${MAX_TRIAL_DAYS} days`),
});
export type PriceInput = z.infer<typeof priceSchema>;

export const subscriptionRefSchema = z.object({ subscriptionId: z.string().min(1, "Choose a subscription").max(64) });
export const checkoutSchema = z.object({ providerId: z.string().min(1, "Choose a provider").max(64) });

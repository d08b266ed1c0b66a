import { z } from "zod";

export const MARKET_OPTIONS = ["crypto", "forex", "stocks", "futures", "commodities"] as const;

export const providerProfileSchema = z.object({
  displayName: z.string().trim().min(2, "Enter at least 2 characters").max(60, "Use at most 60 characters"),
  tagline: z.string().trim().max(120, "Keep the tagline under 120 characters"),
  bio: z.string().trim().max(4000, "Keep the bio under 4,000 characters"),
  markets: z
    .array(z.enum(MARKET_OPTIONS, { error: "Unknown market" }))
    .min(1, "Choose at least one market")
    .max(MARKET_OPTIONS.length)
    // Refused, not deduplicated: the form's checkboxes cannot send a market twice, so a request that does comes from
    // a broken or hand-made client, which should hear about it rather than have something else stored.
    .superRefine((markets, ctx) => {
      const twice = markets.find((m, i) => markets.indexOf(m) !== i);
      if (twice) ctx.addIssue({ code: "custom", message: `Choose each market once (${twice} is listed twice)` });
    }),
});

export const providerListSchema = z.object({
  q: z.string().trim().max(80, "Search is limited to 80 characters").optional(),
  market: z.enum(MARKET_OPTIONS).optional(),
  page: z.number().int().min(1).max(10_000).default(1),
  pageSize: z.number().int().min(1).max(50).default(12),
});

export const apiKeyCreateSchema = z.object({
  name: z.string().trim().min(1, "Give the key a name so you can recognise it later").max(60, "Use at most 60 characters"),
});

import "server-only";
import { z } from "zod";
import { createTRPCRouter, providerProcedure, publicProcedure } from "@/server/api/trpc";
import * as providers from "@/server/services/providers";
import { MARKET_OPTIONS, providerListSchema, providerProfileSchema } from "@/lib/validation/providers";

const publicProvider = z.object({
  id: z.string(),
  slug: z.string(),
  displayName: z.string(),
  tagline: z.string(),
  markets: z.array(z.enum(MARKET_OPTIONS)),
  priceCents: z.number().int(),
  trialDays: z.number().int(),
  createdAt: z.date(),
});

export const providersRouter = createTRPCRouter({
  list: publicProcedure
    .input(providerListSchema)
    .output(z.object({ items: z.array(publicProvider), total: z.number(), page: z.number(), pageSize: z.number() }))
    .query(({ input }) => providers.listPublicProviders(input)),

  bySlug: publicProcedure
    .input(z.object({ slug: z.string().trim().min(1).max(80) }))
    .output(publicProvider.extend({ bio: z.string(), memberSince: z.date() }))
    .query(({ input }) => providers.getPublicProvider(input.slug)),

  mine: providerProcedure.input(z.void()).query(({ ctx }) => ctx.provider),

  updateMine: providerProcedure.input(providerProfileSchema).mutation(({ ctx, input }) =>
    providers.updateProviderProfile(ctx.user.id, input, { ip: ctx.ip }),
  ),
});

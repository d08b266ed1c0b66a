import "server-only";
import { z } from "zod";
import { createTRPCRouter, providerProcedure, publicProcedure, stepUpRequired } from "@/server/api/trpc";
import * as providers from "@/server/services/providers";
import { leaderboard, trackRecord } from "@/server/services/stats";
import { rotateWebhookToken, setWebhookPassphrase, webhookStatus } from "@/server/services/tradingview";
import { MARKET_OPTIONS, providerListSchema, providerProfileSchema } from "@/lib/validation/providers";
import { webhookPassphraseSchema } from "@/lib/validation/tradingview";
import { ownProviderOutput, publicProviderOutput } from "./outputs";

export const providersRouter = createTRPCRouter({
  list: publicProcedure
    .input(providerListSchema)
    .output(z.object({ items: z.array(publicProviderOutput), total: z.number(), page: z.number(), pageSize: z.number() }))
    .query(({ input }) => providers.listPublicProviders(input)),

  bySlug: publicProcedure
    .input(z.object({ slug: z.string().trim().min(1).max(80) }))
    .output(publicProviderOutput.extend({ bio: z.string(), memberSince: z.date() }))
    .query(({ input }) => providers.getPublicProvider(input.slug)),

  /** The marketplace directory with track-record figures for one window, filtered and sorted. */
  leaderboard: publicProcedure
    .input(
      z.object({
        q: z.string().trim().max(80, "Search is limited to 80 characters").optional(),
        market: z.enum(MARKET_OPTIONS).optional(),
        maxPriceCents: z.number().int().min(0).max(1_000_000).optional(),
        minAgeDays: z.number().int().min(0).max(3650).optional(),
        window: z.enum(["30d", "90d", "1y", "all"]).default("90d"),
        sort: z.enum(["score", "roi", "winRate", "maxDrawdown", "subscribers", "newest"]).default("score"),
        page: z.number().int().min(1).max(10_000).default(1),
        pageSize: z.number().int().min(1).max(50).default(12),
      }),
    )
    .query(({ input }) => leaderboard(input)),

  /** The markets the marketplace filters by (those with instruments behind them) and those still to come. */
  markets: publicProcedure
    .input(z.void())
    .output(z.object({ offered: z.array(z.enum(MARKET_OPTIONS)), coming: z.array(z.enum(MARKET_OPTIONS)) }))
    .query(() => providers.marketplaceMarkets()),

  trackRecord: publicProcedure.input(z.object({ slug: z.string().trim().min(1).max(80) })).query(({ input }) => trackRecord(input.slug)),

  webhook: providerProcedure.input(z.void()).query(async ({ ctx }) => ({
    ...(await webhookStatus(ctx.provider.id)),
    appUrl: ctx.service.baseUrl,
    baseUrl: `${ctx.service.baseUrl}/api/webhooks/tradingview/`,
  })),

  /**
   * Creates or replaces the TradingView webhook secret; the full URL is returned this once. Issue 17: whoever holds
   * it publishes signals in the provider's name, so a fresh code first (2FA accounts only), as for API keys.
   */
  rotateWebhook: providerProcedure.input(z.void()).use(stepUpRequired).mutation(async ({ ctx }) => {
    const { token } = await rotateWebhookToken(ctx.service, ctx.provider.id);
    return { url: `${ctx.service.baseUrl}/api/webhooks/tradingview/${token}` };
  }),

  setWebhookPassphrase: providerProcedure
    .input(z.object({ passphrase: webhookPassphraseSchema.nullable() }))
    // Issue 17: the passphrase guards the webhook too (null removes it): a fresh code first (2FA accounts only).
    .use(stepUpRequired)
    .mutation(async ({ ctx, input }) => {
      await setWebhookPassphrase(ctx.service, ctx.provider.id, input.passphrase);
      return { ok: true as const };
    }),

  mine: providerProcedure
    .input(z.void())
    .output(ownProviderOutput)
    .query(({ ctx }) => providers.toOwnProvider(ctx.provider)),

  updateMine: providerProcedure
    .input(providerProfileSchema)
    .output(ownProviderOutput)
    .mutation(({ ctx, input }) => providers.updateProviderProfile(ctx.service, input)),
});

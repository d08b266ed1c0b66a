import "server-only";
import { z } from "zod";
import { checkoutSchema, priceSchema, subscriptionRefSchema } from "@/lib/validation/billing";
import { adminProcedure, createTRPCRouter, protectedProcedure, providerProcedure, publicProcedure, rateLimit } from "@/server/api/trpc";
import {
  checkoutResult,
  manageSubscription,
  openBillingPortal,
  payoutStatus,
  platformRevenue,
  ownerRevenue,
  refreshConnectAccount,
  setProviderPrice,
  startCheckout,
  startConnectOnboarding,
  subscribeState,
} from "@/server/services/billing";
import { freeCopyUsage } from "@/server/services/entitlements";
import { requireStepUp } from "@/server/services/auth/two-factor";

export const billingRouter = createTRPCRouter({
  // Providers: payouts, price, revenue. The provider is always the caller's own (providerProcedure).
  payouts: providerProcedure.input(z.void()).query(({ ctx }) => payoutStatus(ctx.provider)),
  startOnboarding: providerProcedure
    .use(rateLimit("billing.onboarding", 10, 60))
    .input(z.void())
    .mutation(async ({ ctx }) => {
      await requireStepUp(ctx.service); // issue 17: payout settings need a fresh code (2FA accounts only)
      return startConnectOnboarding(ctx.service, ctx.provider);
    }),
  refreshAccount: providerProcedure.input(z.void()).mutation(async ({ ctx }) => {
    await refreshConnectAccount(ctx.provider);
    return { ok: true };
  }),
  setPrice: providerProcedure
    .use(rateLimit("billing.price", 10, 60))
    .input(priceSchema)
    .mutation(({ ctx, input }) => setProviderPrice(ctx.service, ctx.provider, input)),
  revenue: providerProcedure
    .input(z.object({ page: z.number().int().min(1).max(10_000).default(1) }))
    .query(({ ctx, input }) => ownerRevenue(ctx.provider.userId, { page: input.page })),

  // Traders: subscribe, manage, portal. The subscriber is always the caller.
  subscribeState: publicProcedure.input(checkoutSchema).query(({ ctx, input }) => subscribeState(ctx.service, input.providerId)),
  checkout: protectedProcedure
    .use(rateLimit("billing.checkout", 10, 60))
    .input(checkoutSchema)
    .mutation(({ ctx, input }) => startCheckout(ctx.service, input.providerId)),
  checkoutResult: protectedProcedure.input(z.object({ sessionId: z.string().min(1).max(255) })).query(({ ctx, input }) => checkoutResult(ctx.service, input.sessionId)),
  manage: protectedProcedure
    .use(rateLimit("billing.manage", 20, 60))
    .input(subscriptionRefSchema.extend({ action: z.enum(["cancel", "resume", "pause"], { error: "Choose cancel, resume or pause" }) }))
    .mutation(({ ctx, input }) => manageSubscription(ctx.service, input.subscriptionId, input.action)),
  portal: protectedProcedure
    .use(rateLimit("billing.portal", 10, 60))
    .input(z.void())
    .mutation(({ ctx }) => openBillingPortal(ctx.service)),
  freeTier: protectedProcedure.input(z.void()).query(({ ctx }) => freeCopyUsage(ctx.user.id)),

  // Admins: platform revenue.
  platformRevenue: adminProcedure.input(z.object({ months: z.number().int().min(1).max(36).default(12) })).query(({ input }) => platformRevenue({ months: input.months })),
});

/**
 * strategyRuns: a strategy running live as an automated provider (issue 19). Thin: validates, takes the owner from
 * the session, hands over to services/strategy-runs (which checks the role, ownership and audits).
 */
import "server-only";
import { createTRPCRouter, protectedProcedure, rateLimit } from "@/server/api/trpc";
import { getOwnRun, listOwnRuns, setRunPrice, startRunAndTick, stopRun, updateRunLimits } from "@/server/services/strategy-runs";
import { runIdSchema, runPriceSchema, startRunSchema, stopRunSchema, updateLimitsSchema } from "@/lib/validation/strategy-runs";
import { z } from "zod";

export const strategyRunsRouter = createTRPCRouter({
  /** Starts a curated or own strategy live and runs its first tick; `confirm: true` is required (no automatic start). Providers and admins. */
  start: protectedProcedure.input(startRunSchema).mutation(async ({ ctx, input }) => {
    const run = await startRunAndTick(ctx.service, input);
    return { id: run.id, providerId: run.providerId };
  }),

  list: protectedProcedure.input(z.void()).query(({ ctx }) => listOwnRuns(ctx.service)),

  get: protectedProcedure.input(runIdSchema).query(({ ctx, input }) => getOwnRun(ctx.service, input.id)),

  /** The kill switch: stops at once and closes the run's open signals at the market. */
  stop: protectedProcedure.input(stopRunSchema).mutation(async ({ ctx, input }) => {
    const out = await stopRun(ctx.service, input.id, input.reason);
    return { id: out.run.id, status: out.run.status, signalsClosed: out.signalsClosed };
  }),

  updateLimits: protectedProcedure.input(updateLimitsSchema).mutation(async ({ ctx, input }) => {
    const run = await updateRunLimits(ctx.service, input.id, { maxDailyLoss: input.maxDailyLoss, maxTradesPerDay: input.maxTradesPerDay });
    return { id: run.id, maxDailyLoss: run.maxDailyLoss, maxTradesPerDay: run.maxTradesPerDay };
  }),

  /** The owner's monthly price and trial for their running strategy's subscribers (a new Stripe Price; existing subscribers keep theirs). */
  setPrice: protectedProcedure
    .use(rateLimit("billing.price", 10, 60))
    .input(runPriceSchema)
    .mutation(({ ctx, input }) => setRunPrice(ctx.service, input.id, { priceCents: input.priceCents, trialDays: input.trialDays })),
});

/**
 * strategyRuns: a strategy running live as an automated provider (issue 19). Thin: validates, takes the owner from
 * the session, hands over to services/strategy-runs (which checks the role, ownership and audits). `abTests`: A/B
 * shadow tests of a running curated strategy and the promotion of a winner (issue 20).
 */
import "server-only";
import { createTRPCRouter, protectedProcedure, rateLimit } from "@/server/api/trpc";
import { getAbTest, getOwnRun, listAbTests, listOwnRuns, promoteAbTest, setRunPrice, startAbTest, startRunAndTick, stopAbTest, stopRun, updateRunLimits, type AbTestRow } from "@/server/services/strategy-runs";
import { abTestIdSchema, runIdSchema, runPriceSchema, startAbTestSchema, startRunSchema, stopRunSchema, updateLimitsSchema } from "@/lib/validation/strategy-runs";
import { z } from "zod";

/** A test as the owner's page shows it (the stored comparison, with the per-trade returns it ran on). */
const abView = (t: AbTestRow) => ({
  id: t.id,
  runId: t.runId,
  status: t.status,
  variants: t.variants,
  effectSize: t.effectSize,
  alpha: t.alpha,
  power: t.power,
  tradesNeeded: t.tradesNeeded,
  startsAt: t.startsAt,
  result: t.result,
  evaluatedAt: t.evaluatedAt,
  decidedAt: t.decidedAt,
  winner: t.winner,
  promotedVersion: t.promotedVersion,
  endedAt: t.endedAt,
  createdAt: t.createdAt,
  /** Fixed horizon: decided once, when every variant has `tradesNeeded` closed trades. */
  decisionRule: "fixed-horizon" as const,
});

const abTestsRouter = createTRPCRouter({
  /** Starts shadow variants of the caller's running curated strategy; the plan's trades needed are fixed now. */
  start: protectedProcedure.input(startAbTestSchema).mutation(async ({ ctx, input }) => abView(await startAbTest(ctx.service, input))),
  list: protectedProcedure.input(runIdSchema).query(async ({ ctx, input }) => (await listAbTests(ctx.service, input.id)).map(abView)),
  get: protectedProcedure.input(abTestIdSchema).query(async ({ ctx, input }) => abView(await getAbTest(ctx.service, input.id))),
  stop: protectedProcedure.input(abTestIdSchema).mutation(async ({ ctx, input }) => abView(await stopAbTest(ctx.service, input.id))),
  /** Makes the decided winner the run's next version (its open signals close at the market first); audited. */
  promote: protectedProcedure.input(abTestIdSchema).mutation(async ({ ctx, input }) => {
    const out = await promoteAbTest(ctx.service, input.id);
    return { test: abView(out.test), version: out.version, signalsClosed: out.signalsClosed };
  }),
});

export const strategyRunsRouter = createTRPCRouter({
  abTests: abTestsRouter,

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

/**
 * copy: a follower's copy trading — followings and their settings, turning copying on and off, the sizing preview,
 * the paper account and its reset, positions and orders, closing a position by hand and the follower's kill
 * switches, the exits that keep failing on an exchange (the red banner); and the public execution-quality aggregates of a provider. Thin: validate, take the owner from the
 * session, call the copy services (src/server/services/copy).
 */
import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, providerProcedure, publicProcedure } from "@/server/api/trpc";
import {
  closePositionSchema,
  executionQualitySchema,
  ordersQuerySchema,
  positionsQuerySchema,
  providerIdSchema,
  saveFollowSettingsSchema,
  setCopyingSchema,
  sizingPreviewSchema,
} from "@/lib/validation/copy";
import { getFollowSettings, listFollowings, previewSizing, saveFollowSettings, setCopying } from "@/server/services/copy/settings";
import { paperAccountView, resetPaperAccount } from "@/server/services/copy/account";
import { closeOwnPosition, listOrders, listPositions } from "@/server/services/copy/journal";
import { closeFollowing, killAllCopies, pauseFollowing } from "@/server/services/copy/kill-switches";
import { executionQualityFor, followerJournalStats, providerCopiers } from "@/server/services/copy/ledger";
import { failingExits } from "@/server/services/copy/alerts";
import { copyLive } from "./live";

const providerInput = z.object({ providerId: providerIdSchema });

const decimalOrNull = z.string().nullable();
/** Public: only the aggregates leave the server (no follower, order or position ids). */
const executionQualityOutput = z.object({
  provider: z.object({ id: z.string(), slug: z.string(), displayName: z.string() }),
  firstCopierAt: z.date().nullable(),
  minSample: z.number(),
  windows: z.array(
    z.object({
      window: z.enum(["30d", "90d", "1y", "all"]),
      enoughData: z.boolean(),
      signals: z.number(),
      copiedSignals: z.number(),
      copiedShare: decimalOrNull,
      entries: z.number(),
      medianSlippageBps: decimalOrNull,
      p90SlippageBps: decimalOrNull,
      medianLatencyMs: z.number().nullable(),
      closedCopies: z.number(),
      followerMedianReturn: decimalOrNull,
      publishedMedianReturn: decimalOrNull,
      medianReturnGap: decimalOrNull,
    }),
  ),
});

/** An exit still planned after several failed attempts: what the red banner says (no order ids beyond ours). */
const failingExitOutput = z.object({
  orderId: z.string(),
  connectionId: z.string(),
  connectionLabel: z.string().nullable(),
  providerName: z.string().nullable(),
  symbol: z.string(),
  side: z.enum(["buy", "sell"]),
  attempts: z.number(),
  since: z.date(),
  lastError: z.string().nullable(),
});

export const copyRouter = createTRPCRouter({
  followings: protectedProcedure.input(z.void()).query(({ ctx }) => listFollowings(ctx.user.id, ctx.service.now)),

  settings: createTRPCRouter({
    get: protectedProcedure.input(providerInput).query(({ ctx, input }) => getFollowSettings(ctx.user.id, input.providerId, ctx.service.now)),
    save: protectedProcedure.input(saveFollowSettingsSchema).mutation(({ ctx, input }) => saveFollowSettings(ctx.service, input.providerId, input.settings)),
  }),

  setCopying: protectedProcedure.input(setCopyingSchema).mutation(({ ctx, input }) => setCopying(ctx.service, input.providerId, input.enabled)),

  preview: protectedProcedure.input(sizingPreviewSchema).query(({ ctx, input }) => previewSizing(ctx.service, input)),

  account: protectedProcedure.input(z.void()).query(({ ctx }) => paperAccountView(ctx.user.id, ctx.service.now)),
  resetAccount: protectedProcedure.input(z.void()).mutation(({ ctx }) => resetPaperAccount(ctx.service)),

  positions: protectedProcedure.input(positionsQuerySchema).query(({ ctx, input }) => listPositions(ctx.user.id, input)),
  orders: protectedProcedure.input(ordersQuerySchema).query(({ ctx, input }) => listOrders(ctx.user.id, input)),
  journalStats: protectedProcedure.input(z.void()).query(({ ctx }) => followerJournalStats(ctx.user.id)),
  /** The caller's exits that keep failing on an exchange (Tradsy keeps retrying them): the copy pages' red banner. */
  failingExits: protectedProcedure
    .input(z.void())
    .output(z.array(failingExitOutput))
    .query(({ ctx }) => failingExits(ctx.user.id)),

  closePosition: protectedProcedure.input(closePositionSchema).mutation(({ ctx, input }) => closeOwnPosition(ctx.service, input.positionId)),

  /** SSE: a tick whenever the caller's copy positions or orders change (see ./live.ts). */
  live: copyLive,
  killAll: protectedProcedure.input(z.void()).mutation(({ ctx }) => killAllCopies(ctx.service)),
  pauseFollowing: protectedProcedure.input(providerInput).mutation(({ ctx, input }) => pauseFollowing(ctx.service, input.providerId)),
  closeFollowing: protectedProcedure.input(providerInput).mutation(({ ctx, input }) => closeFollowing(ctx.service, input.providerId)),

  /** The signed-in provider's own copier counts (never who). */
  copiers: providerProcedure.input(z.void()).query(({ ctx }) => providerCopiers(ctx.provider.id)),
  executionQuality: publicProcedure
    .input(executionQualitySchema)
    .output(executionQualityOutput)
    .query(({ input, ctx }) => executionQualityFor(input, ctx.service.now)),
});

import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "@/server/api/trpc";
import * as library from "@/server/services/library";
import { libraryFiltersSchema, tradingProfileSchema } from "@/lib/validation/strategy-library";

/**
 * The Strategy Library (issue 19). Curated strategies are code and read-only: this router has no procedure that
 * changes one (a test walks it to make sure). The trader's profile procedures live here rather than in `account`
 * because the library is what uses them (recommendations); they act on the session's own user only.
 */

const dataOutput = z.object({ kind: z.enum(["replay", "ccxt", "synthetic"]), source: z.string(), label: z.string(), synthetic: z.boolean() });
const referenceOutput = z.object({
  market: z.enum(["crypto", "stocks", "forex"]),
  symbol: z.string(),
  timeframe: z.string(),
  data: dataOutput,
  dataFrom: z.date().nullable(),
  dataTo: z.date().nullable(),
  tradeCount: z.number(),
  stats: z.record(z.string(), z.number().nullable()),
});
const entryOutput = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  markets: z.array(z.enum(["crypto", "stocks", "forex"])),
  timeframes: z.array(z.enum(["1h", "4h", "1d"])),
  tags: z.array(z.enum(["trend-following", "mean-reversion", "breakout"])),
  complexity: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  riskLevel: z.enum(["low", "medium", "high"]),
});
const profileOutput = z.object({ riskTolerance: z.enum(["low", "medium", "high"]).nullable(), experience: z.enum(["beginner", "intermediate", "expert"]).nullable() });

export const libraryRouter = createTRPCRouter({
  list: publicProcedure
    .input(libraryFiltersSchema)
    .output(z.array(entryOutput.extend({ references: z.array(referenceOutput) })))
    .query(({ input }) => library.listLibrary(input)),

  get: publicProcedure
    .input(z.object({ id: z.string().trim().min(1, "Choose a strategy").max(64, "That strategy id is not valid"), market: z.enum(["crypto", "stocks", "forex"]).optional() }))
    .output(
      entryOutput.extend({
        params: z.array(z.object({ name: z.string(), default: z.number(), min: z.number(), max: z.number(), step: z.number(), description: z.string() })),
        references: z.array(referenceOutput),
        chosen: referenceOutput.extend({ equity: z.array(z.object({ time: z.number(), equity: z.number(), drawdownPct: z.number() })),
          closes: z.array(z.object({ exitTime: z.number(), win: z.boolean() })),
        }).nullable(),
        similar: z.array(z.object({ id: z.string(), name: z.string(), correlation: z.number().nullable(), features: z.number(), score: z.number() })),
      }),
    )
    .query(({ input }) => library.getLibraryEntry(input.id, input.market)),

  recommendations: protectedProcedure
    .input(z.void())
    .output(
      z.object({
        profile: profileOutput,
        basis: z.string().nullable(),
        items: z.array(entryOutput.extend({ maxDrawdownPct: z.number().nullable(), sharpe: z.number().nullable(), reasons: z.array(z.string()) })),
      }),
    )
    .query(({ ctx }) => library.recommendationsFor(ctx.service)),

  tradingProfile: protectedProcedure
    .input(z.void())
    .output(profileOutput)
    .query(({ ctx }) => library.getTradingProfile(ctx.service)),

  /** The session's own risk tolerance and experience; null clears an answer. */
  setTradingProfile: protectedProcedure
    .input(tradingProfileSchema)
    .output(profileOutput)
    .mutation(({ ctx, input }) => library.setTradingProfile(ctx.service, input)),
});

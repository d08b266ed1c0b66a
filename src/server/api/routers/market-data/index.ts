import "server-only";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "@/server/api/trpc";
import { priceSource, publishedSymbols } from "@/server/services/market-data";
import { providerIdBySlug } from "@/server/services/providers";

const replayedSeries = z.object({
  symbol: z.string(),
  venue: z.string().nullable(),
  timeframe: z.enum(["1h", "1d"]),
  recordedFrom: z.number(),
  recordedTo: z.number(),
  offsetMs: z.number(),
});

/** lib/market-data/price-source.ts `PriceSource` on the wire. */
const priceSourceOutput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("replay"), series: z.array(replayedSeries) }),
  z.object({ kind: z.literal("ccxt"), exchange: z.string() }),
  z.object({ kind: z.literal("synthetic") }),
]);

export const marketDataRouter = createTRPCRouter({
  /**
   * Where prices come from, for the labels that say so (the marketplace notice, a provider's chart). With a
   * provider's slug, also the instruments its record was computed on, most used first.
   */
  priceSource: publicProcedure
    .input(z.object({ providerSlug: z.string().trim().min(1).max(80).optional() }).default({}))
    .output(z.object({ source: priceSourceOutput, symbols: z.array(z.string()).nullable() }))
    .query(async ({ input }) => {
      const [source, symbols] = await Promise.all([
        priceSource(),
        input.providerSlug ? providerIdBySlug(input.providerSlug).then(publishedSymbols) : Promise.resolve(null),
      ]);
      return { source, symbols };
    }),
});

import "server-only";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "@/server/api/trpc";
import * as digests from "@/server/services/digests";
import { digestTokenSchema, weeklyDigestRequestSchema } from "@/lib/validation/digest";

/**
 * The weekly digest for people without an account. Both procedures are public: whoever holds the inbox confirms.
 * `subscribe` answers the same whatever the address's state, so it tells no one whether an address is subscribed;
 * its rate limits (per client address and per email address) are taken in the service, after validation, because the
 * per-address one needs the validated address.
 */
export const digestsRouter = createTRPCRouter({
  subscribe: publicProcedure
    .input(weeklyDigestRequestSchema)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await digests.requestWeeklyDigest(ctx.service, input);
      return { ok: true as const };
    }),

  confirm: publicProcedure
    .input(z.object({ token: digestTokenSchema }))
    .output(z.object({ providerName: z.string().nullable(), providerSlug: z.string().nullable() }))
    .mutation(async ({ ctx, input }) => digests.confirmWeeklyDigest(ctx.service, input.token)),
});

import "server-only";
import { z } from "zod";
import { createTRPCRouter, providerProcedure, rateLimit, stepUpRequired } from "@/server/api/trpc";
import * as apiKeys from "@/server/services/api-keys";
import { apiKeyCreateSchema } from "@/lib/validation/providers";

export const apiKeysRouter = createTRPCRouter({
  list: providerProcedure.input(z.void()).query(({ ctx }) => apiKeys.listApiKeys(ctx.provider.id)),

  create: providerProcedure
    .input(apiKeyCreateSchema)
    // Issue 17: a fresh code before creating an API key (2FA accounts only), checked before the limit below so the
    // refusal and the code dialog's retry take one point, not two.
    .use(stepUpRequired)
    // Keys made per account per hour: far above any need (at most 10 are active at once), a brake on a stolen session.
    .use(rateLimit("api-key-create", 20, 60 * 60))
    .mutation(({ ctx, input }) => apiKeys.createApiKey(ctx.service, ctx.provider.id, input.name)),

  revoke: providerProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      await apiKeys.revokeApiKey(ctx.service, ctx.provider.id, input.id);
      return { ok: true as const };
    }),
});

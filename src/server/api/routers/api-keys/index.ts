import "server-only";
import { z } from "zod";
import { createTRPCRouter, providerProcedure, rateLimit } from "@/server/api/trpc";
import * as apiKeys from "@/server/services/api-keys";
import { apiKeyCreateSchema } from "@/lib/validation/providers";
import { requireStepUp } from "@/server/services/auth/two-factor";

export const apiKeysRouter = createTRPCRouter({
  list: providerProcedure.input(z.void()).query(({ ctx }) => apiKeys.listApiKeys(ctx.provider.id)),

  create: providerProcedure
    .input(apiKeyCreateSchema)
    // Keys made per account per hour: far above any need (at most 10 are active at once), a brake on a stolen session.
    .use(rateLimit("api-key-create", 20, 60 * 60))
    .mutation(async ({ ctx, input }) => {
      await requireStepUp(ctx.service); // issue 17: a fresh code before creating an API key (2FA accounts only)
      return apiKeys.createApiKey(ctx.service, ctx.provider.id, input.name);
    }),

  revoke: providerProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      await apiKeys.revokeApiKey(ctx.service, ctx.provider.id, input.id);
      return { ok: true as const };
    }),
});

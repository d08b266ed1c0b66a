import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, publicProcedure, rateLimit } from "@/server/api/trpc";
import * as auth from "@/server/services/auth";
import {
  completeOnboardingSchema,
  emailSchema,
  resetPasswordSchema,
  tokenSchema,
} from "@/lib/validation/auth";

const ok = z.object({ ok: z.literal(true) });

/** Sign-up is not here: the sign-up form posts to its server action (src/server/auth/actions.ts), which works before JavaScript loads. */
export const authRouter = createTRPCRouter({
  completeOnboarding: protectedProcedure
    .input(completeOnboardingSchema)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await auth.completeOnboarding(ctx.service, { role: input.role });
      return { ok: true as const };
    }),

  verifyEmail: publicProcedure
    .use(rateLimit("verify-email", 30, 60 * 60))
    .input(z.object({ token: tokenSchema }))
    .output(ok)
    .mutation(async ({ input }) => {
      await auth.verifyEmail(input.token);
      return { ok: true as const };
    }),

  resendVerification: protectedProcedure
    .use(rateLimit("resend-verification", 3, 60 * 60))
    .input(z.object({}).optional())
    .output(ok)
    .mutation(async ({ ctx }) => {
      await auth.resendVerification(ctx.service);
      return { ok: true as const };
    }),

  requestPasswordReset: publicProcedure
    .use(rateLimit("password-reset", 5, 60 * 60))
    .input(z.object({ email: emailSchema }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await auth.requestPasswordReset(ctx.service, input.email);
      return { ok: true as const };
    }),

  resetPassword: publicProcedure
    .use(rateLimit("password-reset-confirm", 10, 60 * 60))
    .input(resetPasswordSchema)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await auth.resetPassword(ctx.service, input.token, input.password);
      return { ok: true as const };
    }),
});

/**
 * Two-factor sign-in (TOTP): enrolment, recovery codes, step-up. Thin: the rules, limits, audit and alerts live in
 * src/server/services/auth/two-factor.ts. `start`, `confirm` and `regenerateRecoveryCodes` answer secrets by
 * design (the secret to type into the app, the recovery codes to write down), once, to their owner.
 */
import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import * as twoFactor from "@/server/services/auth/two-factor";
import { totpCodeSchema, twoFactorCodeSchema } from "@/lib/totp/codes";

const withCode = z.object({ code: twoFactorCodeSchema });

export const twoFactorRouter = createTRPCRouter({
  status: protectedProcedure.input(z.void()).query(({ ctx }) => twoFactor.twoFactorStatus(ctx.service)),

  start: protectedProcedure.input(z.void()).mutation(({ ctx }) => twoFactor.startEnrolment(ctx.service)),

  confirm: protectedProcedure.input(z.object({ code: totpCodeSchema })).mutation(({ ctx, input }) => twoFactor.confirmEnrolment(ctx.service, input.code)),

  disable: protectedProcedure.input(withCode).mutation(async ({ ctx, input }) => {
    await twoFactor.disableTwoFactor(ctx.service, input.code);
    return { ok: true as const };
  }),

  regenerateRecoveryCodes: protectedProcedure.input(withCode).mutation(({ ctx, input }) => twoFactor.regenerateRecoveryCodes(ctx.service, input.code)),

  stepUp: protectedProcedure.input(withCode).mutation(({ ctx, input }) => twoFactor.stepUp(ctx.service, input.code)),
});

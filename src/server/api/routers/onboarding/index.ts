import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import { NotFoundError } from "@/server/errors";
import * as onboarding from "@/server/services/onboarding";

const STEP_IDS = ["disclaimer", "browse", "subscribe", "copy", "exchange", "profile", "payouts", "price", "signal", "tradingview"] as const;

const checklistOutput = z.object({
  path: z.enum(["trader", "provider"]),
  steps: z.array(z.object({ id: z.enum(STEP_IDS), state: z.enum(["done", "todo"]) })),
  progress: z.object({ done: z.number().int(), total: z.number().int(), percent: z.number().int().min(0).max(100) }),
  skippedAt: z.date().nullable(),
});

/** The caller's onboarding checklist (dashboard) and its "skip". */
export const onboardingRouter = createTRPCRouter({
  checklist: protectedProcedure
    .input(z.void())
    .output(checklistOutput)
    .query(async ({ ctx }) => {
      const list = await onboarding.checklistFor(ctx.service.actor.id, undefined, ctx.service.now);
      if (!list) throw new NotFoundError("Account not found");
      return list;
    }),

  /** `skipped: true` hides the checklist; `false` shows it again. */
  setSkipped: protectedProcedure
    .input(z.object({ skipped: z.boolean({ error: "Say whether to hide the checklist (true) or show it (false)" }) }).strict())
    .output(z.object({ skipped: z.boolean() }))
    .mutation(({ ctx, input }) => onboarding.setChecklistSkipped(ctx.service, input.skipped)),
});

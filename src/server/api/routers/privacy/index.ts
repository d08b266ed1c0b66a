/** Your data: account deletion (the export is a route handler, /api/account/export). */
import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, rateLimit, stepUpRequired } from "@/server/api/trpc";
import { deleteAccount } from "@/server/services/privacy/delete";
import { deleteAccountSchema } from "@/lib/validation/privacy";

export const privacyRouter = createTRPCRouter({
  /**
   * Deletes the caller's account for good (services/privacy/delete.ts). 5 attempts an hour: each checks a password.
   * The browser signs out afterwards; the session is already dead (its version was bumped, its row deleted).
   */
  deleteAccount: protectedProcedure
    // With two-factor sign-in on, a code re-entered in the last 10 minutes on this session (FORBIDDEN, data.reason
    // step_up_required, otherwise): a stolen session with the password alone cannot delete the account. Checked
    // before the limit, so the refusal and the dialog's retry cost one attempt, not two.
    .use(stepUpRequired)
    .use(rateLimit("account-delete", 5, 3600))
    .input(deleteAccountSchema)
    .output(z.object({ ok: z.literal(true), subscriptionsCancelled: z.number(), copiesClosed: z.number(), copiesClosing: z.number() }))
    .mutation(async ({ ctx, input }) => {
      const result = await deleteAccount(ctx.service, input);
      return { ok: true as const, ...result };
    }),
});

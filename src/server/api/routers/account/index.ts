import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import * as users from "@/server/services/users";
import { changePassword } from "@/server/services/auth";
import { profileSchema } from "@/lib/validation/account";
import { notificationPrefsSchema } from "@/lib/validation/email-preferences";
import * as preferences from "@/server/services/email/preferences";
import { preferencesOutput } from "./preferences-output";
import { changePasswordSchema } from "@/lib/validation/auth";
import { ownProviderOutput } from "../providers/outputs";
import { requireStepUp } from "@/server/services/auth/two-factor";

/** The caller's own account. Listed field by field so that nothing is sent by default (see ../providers/outputs). */
const meOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(["subscriber", "provider", "admin"]),
  emailVerified: z.date().nullable(),
  createdAt: z.date(),
  disclaimerAcceptedAt: z.date().nullable(),
  /** Signs in with a password (not only OAuth): the page offers a password change. */
  hasPassword: z.boolean(),
  provider: ownProviderOutput.nullable(),
});

export const accountRouter = createTRPCRouter({
  me: protectedProcedure
    .input(z.void())
    .output(meOutput)
    .query(({ ctx }) => users.getMe(ctx.service)),

  updateProfile: protectedProcedure
    .input(profileSchema)
    .mutation(async ({ ctx, input }) => {
      await users.updateName(ctx.service, input.name);
      return { ok: true as const };
    }),

  // Ends the account's other sessions. This one ends too unless the browser hands `sessionRenewal` to the
  // renewSession server action at once (the settings page does): this streamed response cannot set its cookie.
  changePassword: protectedProcedure.input(changePasswordSchema).mutation(async ({ ctx, input }) => {
    const { sessionRenewal } = await changePassword(ctx.service, input, { sessionId: ctx.session.sessionId });
    return { ok: true as const, sessionRenewal };
  }),

  /** The caller's email choices, with per-provider alerts for the providers they follow. */
  notificationPrefs: protectedProcedure
    .input(z.void())
    .output(preferencesOutput)
    .query(({ ctx }) => preferences.getMyPreferences(ctx.service)),

  /** A patch: only the fields sent change. Answers the preferences as saved. */
  updateNotificationPrefs: protectedProcedure
    .input(notificationPrefsSchema)
    .output(preferencesOutput)
    .mutation(async ({ ctx, input }) => {
      await requireStepUp(ctx.service); // issue 17: email settings need a fresh code (2FA accounts only)
      return preferences.updateMyPreferences(ctx.service, input);
    }),

  /** Every unsubscribe link in email already sent stops working (for a forwarded or leaked email). */
  revokeUnsubscribeLinks: protectedProcedure
    .input(z.void())
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx }) => {
      await preferences.revokeMyUnsubscribeLinks(ctx.service);
      return { ok: true as const };
    }),
});

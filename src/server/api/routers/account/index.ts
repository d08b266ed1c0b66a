import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import * as users from "@/server/services/users";
import { changePassword } from "@/server/services/auth";
import { notificationPrefsSchema, profileSchema } from "@/lib/validation/account";
import { changePasswordSchema } from "@/lib/validation/auth";
import { ownProviderOutput } from "../providers/outputs";

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

  notificationPrefs: protectedProcedure.input(z.void()).query(({ ctx }) => users.getNotificationPrefs(ctx.service)),

  updateNotificationPrefs: protectedProcedure.input(notificationPrefsSchema).mutation(async ({ ctx, input }) => {
    await users.updateNotificationPrefs(ctx.service, input);
    return { ok: true as const };
  }),
});

import "server-only";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "@/server/api/trpc";
import * as unsubscribe from "@/server/services/email/unsubscribe";
import { notificationPrefsSchema, unsubscribeTokenSchema, weeklyDigestChoiceSchema } from "@/lib/validation/email-preferences";
import { preferencesOutput } from "../account/preferences-output";

/**
 * The unsubscribe page's procedures. Public: the signed token of the email's link is the credential (the service
 * checks its signature and version), and it names the only recipient these can read or change. No rate limit: a
 * token that is not ours is refused by its HMAC before the database is asked anything.
 */
const token = z.object({ token: unsubscribeTokenSchema });

const topicOutput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("provider"), providerId: z.string(), displayName: z.string().nullable() }),
  z.object({ kind: z.enum(["signals", "digest", "product", "copy", "all", "weekly"]) }),
]);

const viewOutput = z.discriminatedUnion("recipient", [
  z.object({ recipient: z.literal("user"), emailMasked: z.string(), topic: topicOutput, preferences: preferencesOutput }),
  z.object({
    recipient: z.literal("digest"),
    emailMasked: z.string(),
    topic: topicOutput,
    weekly: z.object({ subscribed: z.boolean(), providerName: z.string().nullable(), providerSlug: z.string().nullable() }),
  }),
  z.object({ recipient: z.literal("gone") }),
]);

export const unsubscribeRouter = createTRPCRouter({
  view: publicProcedure
    .input(token)
    .output(viewOutput)
    .query(({ ctx, input }) => unsubscribe.viewForToken(ctx.service, input.token)),

  oneClick: publicProcedure
    .input(token)
    .output(z.object({ done: z.enum(["unsubscribed", "gone"]) }))
    .mutation(async ({ ctx, input }) => ({ done: (await unsubscribe.unsubscribeWithToken(ctx.service, input.token)).done })),

  update: publicProcedure
    .input(token.extend({ preferences: notificationPrefsSchema }))
    .output(preferencesOutput)
    .mutation(({ ctx, input }) => unsubscribe.updatePreferencesWithToken(ctx.service, input.token, input.preferences)),

  setWeekly: publicProcedure
    .input(token.extend(weeklyDigestChoiceSchema.shape))
    .output(z.object({ subscribed: z.boolean() }))
    .mutation(({ ctx, input }) => unsubscribe.setWeeklyDigestWithToken(ctx.service, input.token, input.subscribed)),
});

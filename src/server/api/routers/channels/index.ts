/**
 * Notification channels (Settings → Notification channels): Discord webhooks, linked Telegram chats and outbound
 * webhooks, their choices, a test message, and the delivery log with "Redeliver". Thin: validate, take the owner from
 * the session, call services/channels.
 *
 * INVARIANT: nothing secret in an answer but the one-time signing secret of `addWebhook` and `rollSecret`
 * (secret-outputs.test.ts): URLs are hints, a secret's presence is a boolean.
 */
import "server-only";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import * as destinations from "@/server/services/channels/destinations";
import { redeliver } from "@/server/services/channels/redeliver";
import {
  addDiscordSchema,
  addWebhookSchema,
  channelIdSchema,
  deliveriesSchema,
  redeliverSchema,
  startTelegramLinkSchema,
  updateChannelSchema,
} from "@/lib/validation/channels";
import { z } from "zod";

const kind = z.enum(["discord", "telegram", "webhook"]);
const deliveryStatus = z.enum(["queued", "sent", "failed", "cancelled", "held"]);

/** The delivery log as pages get it: hints and answers, never a URL or a secret (the payload is what was sent). */
const deliveriesOutput = z.object({
  destination: z.object({
    id: z.string(),
    label: z.string(),
    kind,
    status: z.enum(["pending", "active", "disabled"]),
    urlHint: z.string().nullable(),
    telegramChatName: z.string().nullable(),
    disabledReason: z.string().nullable(),
  }),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  items: z.array(
    z.object({
      id: z.string(),
      event: z.string(),
      eventId: z.string(),
      status: deliveryStatus,
      attempts: z.number().int(),
      nextAttemptAt: z.date().nullable(),
      lastError: z.string().nullable(),
      responseStatus: z.number().int().nullable(),
      responseBody: z.string().nullable(),
      redeliveryOf: z.string().nullable(),
      payload: z.record(z.string(), z.unknown()),
      createdAt: z.date(),
      sentAt: z.date().nullable(),
      expiresAt: z.date(),
      attemptLog: z.array(z.object({ attempt: z.number().int(), at: z.date(), responseStatus: z.number().int().nullable(), error: z.string().nullable(), durationMs: z.number().int() })),
    }),
  ),
});

export const channelsRouter = createTRPCRouter({
  /** The caller's destinations, whether Telegram is set up here, and whether they may post to a community. */
  list: protectedProcedure.input(z.void()).query(({ ctx }) => destinations.listDestinations(ctx.service)),

  addDiscord: protectedProcedure.input(addDiscordSchema).mutation(({ ctx, input }) => destinations.addDiscord(ctx.service, input)),

  /** Answers the endpoint's signing secret: the only time it is shown. */
  addWebhook: protectedProcedure.input(addWebhookSchema).mutation(({ ctx, input }) => destinations.addWebhook(ctx.service, input)),

  /** A new signing secret, answered once; the old one stops verifying at once. */
  rollSecret: protectedProcedure.input(channelIdSchema).mutation(({ ctx, input }) => destinations.rollSecret(ctx.service, input.id)),

  /** A pending Telegram destination and its one-time code (send `/start <code>` to the bot, or open the deep link). */
  startTelegramLink: protectedProcedure.input(startTelegramLinkSchema).mutation(({ ctx, input }) => destinations.startTelegram(ctx.service, input.label)),

  update: protectedProcedure.input(updateChannelSchema).mutation(({ ctx, input }) => destinations.updateDestination(ctx.service, input)),

  remove: protectedProcedure.input(channelIdSchema).mutation(({ ctx, input }) => destinations.removeDestination(ctx.service, input.id)),

  sendTest: protectedProcedure.input(channelIdSchema).mutation(({ ctx, input }) => destinations.sendTest(ctx.service, input.id)),

  /** One destination's delivery log (newest first), with every attempt's answer. */
  deliveries: protectedProcedure.input(deliveriesSchema).output(deliveriesOutput).query(({ ctx, input }) => destinations.listDeliveries(ctx.service, input)),

  redeliver: protectedProcedure.input(redeliverSchema).mutation(({ ctx, input }) => redeliver(ctx.service.actor.id, input.id, ctx.service.now)),
});

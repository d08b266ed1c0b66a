/**
 * Inputs of the notification channels' procedures (Discord webhooks, linked Telegram chats, outbound webhooks) and of
 * their settings forms, one schema for both.
 *
 * URLs are checked for shape only here (length, parseable); the Discord format and the outbound address rules are
 * the server's (parseDiscordWebhookUrl, checkOutboundUrl), which answer with a message on the `url` field.
 */
import { z } from "zod";
import { CHANNEL_EVENT_TYPES } from "@/lib/channels/events";

const id = (what: string) => z.string({ error: `Choose a ${what}` }).trim().min(1, `Choose a ${what}`).max(64, `That ${what} id is not valid`);

export const channelLabelSchema = z.string({ error: "Give it a name" }).trim().min(1, "Give it a name so you can recognise it later").max(60, "Use at most 60 characters");

const urlSchema = z
  .string({ error: "Paste the URL" })
  .trim()
  .min(1, "Paste the URL")
  .max(2048, "That URL is too long (at most 2,048 characters)")
  .refine((v) => URL.canParse(v), "That is not a URL: it should start with https://");

export const channelEventsSchema = z
  .array(z.enum(CHANNEL_EVENT_TYPES, { error: "Unknown event" }), { error: "Choose the events to send" })
  .min(1, "Choose at least one event")
  .max(CHANNEL_EVENT_TYPES.length)
  .superRefine((events, ctx) => {
    const twice = events.find((e, i) => events.indexOf(e) !== i);
    if (twice) ctx.addIssue({ code: "custom", message: `Choose each event once (${twice} is listed twice)` });
  });

export const channelPurposeSchema = z.enum(["alerts", "community"], { error: "Choose where it posts: your alerts or your community" });

export const addDiscordSchema = z.object({
  label: channelLabelSchema,
  url: urlSchema,
  purpose: channelPurposeSchema.default("alerts"),
  events: channelEventsSchema.optional(),
});

export const addWebhookSchema = z.object({
  label: channelLabelSchema,
  url: urlSchema,
  purpose: channelPurposeSchema.default("alerts"),
  events: channelEventsSchema.optional(),
});

export const startTelegramLinkSchema = z.object({ label: channelLabelSchema.optional() });

export const channelIdSchema = z.object({ id: id("destination") });

export const providerPrefSchema = z.object({
  providerId: id("provider"),
  newSignal: z.boolean({ error: "Choose whether new signals are sent" }),
  signalClosed: z.boolean({ error: "Choose whether closed signals are sent" }),
});

export const updateChannelSchema = z
  .object({
    id: id("destination"),
    label: channelLabelSchema.optional(),
    events: channelEventsSchema.optional(),
    includeLevels: z.boolean({ error: "Choose whether levels are posted" }).optional(),
    providerPrefs: z
      .array(providerPrefSchema)
      .max(500, "Too many providers in one change")
      .superRefine((prefs, ctx) => {
        const ids = prefs.map((p) => p.providerId);
        const twice = ids.find((p, i) => ids.indexOf(p) !== i);
        if (twice) ctx.addIssue({ code: "custom", message: "Each provider may be listed once" });
      })
      .optional(),
  })
  .refine((v) => v.label !== undefined || v.events !== undefined || v.includeLevels !== undefined || v.providerPrefs !== undefined, "Nothing to change");

export const deliveriesSchema = z.object({
  channelId: id("destination"),
  page: z.number().int().min(1).max(10_000).default(1),
  pageSize: z.number().int().min(1).max(100).default(20),
});

export const redeliverSchema = z.object({ id: id("delivery") });

export type AddDiscordInput = z.input<typeof addDiscordSchema>;
export type AddWebhookInput = z.input<typeof addWebhookSchema>;
export type UpdateChannelInput = z.output<typeof updateChannelSchema>;

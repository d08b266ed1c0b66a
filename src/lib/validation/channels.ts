/**
 * Inputs of the notification channels' procedures (Discord webhooks, linked Telegram chats, outbound webhooks) and of
 * their settings forms, one schema for both.
 *
 * The event types are listed here again (src/lib may not import src/server); channels.test.ts checks that this list
 * and services/channels/events.ts `CHANNEL_EVENT_TYPES` are the same, so neither can change alone.
 * URLs are checked for shape only here (length, parseable); the Discord format and the outbound address rules are
 * the server's (parseDiscordWebhookUrl, checkOutboundUrl), which answer with a message on the `url` field.
 */
import { z } from "zod";

export const CHANNEL_EVENT_CHOICES = [
  "signal.published",
  "signal.updated",
  "signal.closed",
  "copy.filled",
  "copy.skipped",
  "copy.rejected",
  "copy.risk_paused",
] as const;
export type ChannelEventChoice = (typeof CHANNEL_EVENT_CHOICES)[number];

/** What each event is called on pages (the same words as services/channels/events.ts `CHANNEL_EVENT_LABEL`, tested). */
export const CHANNEL_EVENT_CHOICE_LABEL: Record<ChannelEventChoice, string> = {
  "signal.published": "New signals",
  "signal.updated": "Signal changes (stop moved, target hit, partial close)",
  "signal.closed": "Signals closed, with the result",
  "copy.filled": "Your copied orders filled",
  "copy.skipped": "Your copies skipped",
  "copy.rejected": "Your copied orders refused",
  "copy.risk_paused": "Copying paused by your risk limits",
};

/** Events a community channel may carry: the provider's own signals (copies are private to each follower). */
export const COMMUNITY_EVENT_CHOICES = ["signal.published", "signal.updated", "signal.closed"] as const;

const id = (what: string) => z.string({ error: `Choose a ${what}` }).trim().min(1, `Choose a ${what}`).max(64, `That ${what} id is not valid`);

export const channelLabelSchema = z.string({ error: "Give it a name" }).trim().min(1, "Give it a name so you can recognise it later").max(60, "Use at most 60 characters");

const urlSchema = z
  .string({ error: "Paste the URL" })
  .trim()
  .min(1, "Paste the URL")
  .max(2048, "That URL is too long (at most 2,048 characters)")
  .refine((v) => URL.canParse(v), "That is not a URL: it should start with https://");

export const channelEventsSchema = z
  .array(z.enum(CHANNEL_EVENT_CHOICES, { error: "Unknown event" }), { error: "Choose the events to send" })
  .min(1, "Choose at least one event")
  .max(CHANNEL_EVENT_CHOICES.length)
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

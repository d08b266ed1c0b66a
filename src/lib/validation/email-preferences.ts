/**
 * Input rules for email preferences, shared by Settings → Email notifications, the unsubscribe page (the link in an
 * email is the credential there) and the routers. An update is a patch: only the fields sent change.
 */
import { z } from "zod";

let zones: Set<string> | null = null;

/**
 * IANA time zone names this runtime knows (`Intl.supportedValuesOf`, which lists canonical zones and the aliases
 * browsers still report, like Asia/Calcutta) plus "UTC", the stored default. The server's list is the one that
 * decides; the browser's only spares a round trip.
 */
export function timeZoneNames(): string[] {
  zones ??= new Set(["UTC", ...Intl.supportedValuesOf("timeZone")]);
  return [...zones];
}

export function isTimeZone(value: string): boolean {
  if (!zones) timeZoneNames();
  return zones!.has(value);
}

export const timeZoneSchema = z
  .string({ error: "Choose a time zone" })
  .trim()
  .min(1, "Choose a time zone")
  .max(64, "Choose a time zone from the list")
  .refine(isTimeZone, { message: "Choose a time zone from the list: an IANA name such as Europe/London or America/New_York, or UTC" });

export const digestHourSchema = z
  .number({ error: "Choose the hour the digest arrives, from 0 to 23" })
  .int("Choose a whole hour, from 0 to 23")
  .min(0, "Choose an hour from 0 (midnight) to 23")
  .max(23, "Choose an hour from 0 (midnight) to 23");

export const providerAlertPrefSchema = z.object({
  providerId: z.string({ error: "Say which provider" }).trim().min(1, "Say which provider").max(64, "That is not a provider"),
  newSignal: z.boolean({ error: "Say whether you want new-signal alerts" }),
  signalClosed: z.boolean({ error: "Say whether you want signal-closed alerts" }),
});

/** The most per-provider choices one save may carry (a follower follows far fewer). */
export const MAX_PROVIDER_PREFS = 200;

/** Which optional emails the account gets (security and billing emails are always sent). Every field optional: a patch. */
export const notificationPrefsSchema = z
  .object({
    signalEmails: z.boolean().optional(),
    digestEmails: z.boolean().optional(),
    productEmails: z.boolean().optional(),
    copyEmails: z.boolean().optional(),
    digestHour: digestHourSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    providers: z
      .array(providerAlertPrefSchema)
      .max(MAX_PROVIDER_PREFS, `At most ${MAX_PROVIDER_PREFS} providers at once`)
      .refine((list) => new Set(list.map((p) => p.providerId)).size === list.length, { message: "Each provider may appear once" })
      .optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: "Nothing to change: choose at least one setting" });

export type NotificationPrefsInput = z.infer<typeof notificationPrefsSchema>;

/** The signed token of an unsubscribe link, as it arrives (the service checks its signature and version). */
export const unsubscribeTokenSchema = z
  .string({ error: "This unsubscribe link is incomplete" })
  .trim()
  .min(1, "This unsubscribe link is incomplete")
  .max(2048, "This unsubscribe link is not valid");

/** A digest subscriber (no account) keeps or stops the weekly digest. */
export const weeklyDigestChoiceSchema = z.object({ subscribed: z.boolean({ error: "Say whether you want the weekly digest" }) });

/** Input rules for the account's settings (Settings → Profile, Email notifications), shared by the forms and the router. */
import { z } from "zod";
import { nameSchema } from "./auth";

/** The account's own name. */
export const profileSchema = z.object({ name: nameSchema });

/** Which optional emails the account gets (security and billing emails are always sent). */
export const notificationPrefsSchema = z.object({ signalEmails: z.boolean(), digestEmails: z.boolean(), productEmails: z.boolean() });

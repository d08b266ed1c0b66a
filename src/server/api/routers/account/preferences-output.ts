import "server-only";
import { z } from "zod";

/** A user's email preferences as pages get them (Settings, and the unsubscribe page for the link's holder). */
export const preferencesOutput = z.object({
  signalEmails: z.boolean(),
  digestEmails: z.boolean(),
  productEmails: z.boolean(),
  copyEmails: z.boolean(),
  digestHour: z.number().int(),
  timeZone: z.string(),
  providers: z.array(
    z.object({ providerId: z.string(), displayName: z.string(), slug: z.string(), newSignal: z.boolean(), signalClosed: z.boolean() }),
  ),
});

/** Input rules for "Your data" (Settings → Security), shared by the delete-account dialog and the router. */
import { z } from "zod";
import { emailSchema } from "./auth";

/**
 * Deleting the account: the account's email typed again (compared as stored: trimmed, lower-cased) and, when the
 * account signs in with a password, that password. Whether one is needed is the server's to say (OAuth-only
 * accounts have none), so it is optional here.
 */
export const deleteAccountSchema = z.object({
  confirmEmail: emailSchema,
  password: z.string().max(200, "Use at most 200 characters").optional(),
});

export type DeleteAccountInput = z.input<typeof deleteAccountSchema>;

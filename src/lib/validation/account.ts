/** Input rules for the account's settings (Settings → Profile, Email notifications), shared by the forms and the router. */
import { z } from "zod";
import { nameSchema } from "./auth";

/** The account's own name. */
export const profileSchema = z.object({ name: nameSchema });

// Email notification choices: ./email-preferences.ts (shared with the unsubscribe page).

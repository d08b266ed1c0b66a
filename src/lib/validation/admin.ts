/** Input rules for the admin area, shared by its forms and the admin router. */
import { z } from "zod";

/** An admin gives another account a role (Admin → Users → Change role). */
export const setRoleSchema = z.object({
  userId: z.string().min(1).max(64),
  role: z.enum(["subscriber", "provider", "admin"], { error: "Choose a valid role" }),
});
export type SetRoleInput = z.infer<typeof setRoleSchema>;

/** Input of the "Get the weekly digest" form, shared by the form (instant feedback) and the server (the real check). */
import { z } from "zod";
import { emailSchema } from "./auth";

export const weeklyDigestRequestSchema = z.object({
  email: emailSchema,
  /** The provider whose digest is asked for; absent for the marketplace-wide digest. */
  providerSlug: z
    .string()
    .trim()
    .min(1, "Choose a provider")
    .max(80, "That provider name is too long")
    .regex(/^[a-z0-9-]+$/, "That provider name is not valid")
    .optional(),
});

export type WeeklyDigestRequest = z.input<typeof weeklyDigestRequestSchema>;

export const digestTokenSchema = z.string({ error: "This link is incomplete" }).min(20, "This link is incomplete").max(200, "This link is not valid");

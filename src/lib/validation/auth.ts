/** Input rules for accounts, shared by the forms (instant feedback) and the server (the real check). */
import { z } from "zod";

export const PASSWORD_MIN = 10;

export const emailSchema = z
  .string({ error: "Enter your email address" })
  .trim()
  .toLowerCase()
  .min(1, "Enter your email address")
  .max(254, "That email address is too long")
  .pipe(z.email({ error: "Enter a valid email address, like name@example.com" }));

export const passwordSchema = z
  .string({ error: "Enter a password" })
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .max(200, "Use at most 200 characters");

export const nameSchema = z
  .string()
  .trim()
  .min(2, "Enter at least 2 characters")
  .max(60, "Use at most 60 characters");

export const signUpSchema = z.object({
  name: nameSchema,
  email: emailSchema,
  password: passwordSchema,
  role: z.enum(["subscriber", "provider"], { error: "Choose whether you trade or publish signals" }),
  acceptDisclaimer: z.literal(true, { error: "You must accept the risk disclaimer to continue" }),
  acceptTerms: z.literal(true, { error: "You must accept the terms of service to continue" }),
});
export type SignUpInput = z.input<typeof signUpSchema>;

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, "Enter your password").max(200),
});

export const tokenSchema = z.string().min(20, "This link is incomplete").max(200, "This link is not valid");

export const resetPasswordSchema = z.object({ token: tokenSchema, password: passwordSchema });

export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, "Enter your current password").max(200),
  newPassword: passwordSchema,
});

/** For OAuth sign-ups, who arrive without having chosen a role or accepted the disclaimer. */
export const completeOnboardingSchema = signUpSchema.pick({ role: true, acceptDisclaimer: true, acceptTerms: true });

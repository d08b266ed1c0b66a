/** Two-factor sign-in (TOTP): enrolment, recovery codes, step-up. */
import { createTRPCRouter } from "@/server/api/trpc";

export const twoFactorRouter = createTRPCRouter({});

/** Signed-in devices: the caller's own sessions, signing one or all out. */
import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, rateLimit } from "@/server/api/trpc";
import { listSessions, revokeAllSessions, revokeSession } from "@/server/services/auth/user-sessions";

/** Sign-outs per account: generous for a person tidying their list, a wall for a script hammering the table. */
const revokeLimit = rateLimit("sessions-revoke", 30, 15 * 60);

const sessionItem = z.object({
  id: z.string(),
  current: z.boolean(),
  browser: z.string(),
  os: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: z.date(),
  lastSeenAt: z.date(),
  twoFactor: z.boolean(),
});

export const sessionsRouter = createTRPCRouter({
  list: protectedProcedure
    .input(z.void())
    .output(z.array(sessionItem))
    .query(({ ctx }) => listSessions(ctx.service)),

  // Input first: a malformed call is refused before it costs (or writes) a rate-limit point.
  revoke: protectedProcedure
    // Session ids are 16 random bytes, base64url (randomToken): anything else cannot be one.
    .input(z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "That is not a session id") }))
    .use(revokeLimit)
    .mutation(({ ctx, input }) => revokeSession(ctx.service, input.id)),

  revokeAll: protectedProcedure
    .input(z.void())
    .use(revokeLimit)
    .mutation(async ({ ctx }) => {
      await revokeAllSessions(ctx.service);
      return { ok: true as const };
    }),
});

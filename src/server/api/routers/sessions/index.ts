/** Signed-in devices: the caller's own sessions, signing one or all out. */
import { createTRPCRouter } from "@/server/api/trpc";

export const sessionsRouter = createTRPCRouter({});

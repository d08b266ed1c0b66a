/** Your data: account deletion (the export is a route handler, /api/account/export). */
import { createTRPCRouter } from "@/server/api/trpc";

export const privacyRouter = createTRPCRouter({});

import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import { listMySubscriptions } from "@/server/services/subscriptions";

export const subscriptionsRouter = createTRPCRouter({
  mine: protectedProcedure.input(z.void()).query(({ ctx }) => listMySubscriptions(ctx.user.id)),
});

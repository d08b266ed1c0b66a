import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, providerProcedure } from "@/server/api/trpc";
import { listMySubscriptions, listSubscribersOf } from "@/server/services/subscriptions";

export const subscriptionsRouter = createTRPCRouter({
  mine: protectedProcedure.input(z.void()).query(({ ctx }) => listMySubscriptions(ctx.service)),
  subscribers: providerProcedure.input(z.void()).query(({ ctx }) => listSubscribersOf(ctx.provider.id)),
});

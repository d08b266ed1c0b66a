/** admin.strategies: every strategy running live (or stopped) with its owner, and the admin's stop (audited). */
import "server-only";
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { adminListRuns, stopRun } from "@/server/services/strategy-runs";

export const adminStrategiesRouter = createTRPCRouter({
  list: adminProcedure
    .input(
      z.object({
        status: z.enum(["running", "stopped"]).optional(),
        page: z.number().int().min(1, "Pages start at 1").max(10_000).default(1),
        pageSize: z.number().int().min(1).max(100, "At most 100 a page").default(25),
      }),
    )
    .query(({ ctx, input }) => adminListRuns(ctx.service, input)),

  stop: adminProcedure
    .input(
      z.object({
        id: z.string().trim().min(1, "Choose a strategy").max(64),
        reason: z.string().trim().min(3, "Say why the strategy is stopped (at least 3 characters)").max(300, "Keep the reason under 300 characters"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const out = await stopRun(ctx.service, input.id, input.reason);
      return { id: out.run.id, status: out.run.status, signalsClosed: out.signalsClosed };
    }),
});

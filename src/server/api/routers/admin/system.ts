/**
 * admin.system: the monitor's readings and open alerts for /admin/system (services/monitoring). Reads only; the
 * monitor job writes.
 */
import "server-only";
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { systemHistory, systemOverview } from "@/server/services/monitoring/system";

export const adminSystemRouter = createTRPCRouter({
  overview: adminProcedure.input(z.void()).query(({ ctx }) => systemOverview(ctx.service.now)),

  history: adminProcedure
    .input(z.object({ hours: z.number().int("Whole hours").min(1, "At least 1 hour").max(168, "At most 7 days (readings are kept 7 days)").default(24) }))
    .query(({ ctx, input }) => systemHistory(ctx.service.now, input.hours)),
});

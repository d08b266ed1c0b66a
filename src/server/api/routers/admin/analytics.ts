import "server-only";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { analyticsInput } from "@/lib/validation/analytics";
import { analytics } from "@/server/services/analytics";

/** Admin analytics (issue 18): figures cached five minutes per (range, bucket); `refresh` recomputes them. */
export const adminAnalyticsRouter = createTRPCRouter({
  overview: adminProcedure.input(analyticsInput).query(({ input }) => analytics.get(input)),

  /** Recomputes past the cache (the page's Refresh); the next overview read gets the new figures. */
  refresh: adminProcedure.input(analyticsInput).mutation(async ({ input }) => {
    const r = await analytics.get(input, { fresh: true });
    return { asOf: r.asOf };
  }),
});

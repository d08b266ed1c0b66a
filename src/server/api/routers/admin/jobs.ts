/**
 * admin.jobs: the embedded job runner's runs (/admin/jobs). Validates and hands over to the jobs service, which
 * decides what may be retried or cancelled and audits it.
 */
import "server-only";
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import * as jobs from "@/server/services/jobs";
import { jobRunFiltersInput, jobRunIdSchema } from "@/lib/job-runs";

const runId = z.object({ id: jobRunIdSchema });

export const adminJobsRouter = createTRPCRouter({
  runs: adminProcedure
    .input(
      z.object({
        ...jobRunFiltersInput,
        page: z.number().int().min(1, "Pages start at 1").max(10_000).default(1),
        pageSize: z.number().int().min(1).max(100, "At most 100 runs a page").default(25),
      }),
    )
    .query(({ input }) => jobs.adminListRuns(input)),

  run: adminProcedure
    .input(runId.extend({ stepPage: z.number().int().min(1, "Pages start at 1").max(10_000).default(1) }))
    .query(({ input }) => jobs.adminGetRun(input.id, input.stepPage)),

  schedules: adminProcedure.input(z.void()).query(() => jobs.adminJobSchedules()),

  retry: adminProcedure.input(runId).mutation(({ ctx, input }) => jobs.adminRetryRun(ctx.service, input.id)),

  cancel: adminProcedure.input(runId).mutation(({ ctx, input }) => jobs.adminCancelRun(ctx.service, input.id)),
});

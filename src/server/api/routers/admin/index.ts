import "server-only";
import { z } from "zod";
import { adminProcedure, createTRPCRouter, stepUpRequired } from "@/server/api/trpc";
import * as users from "@/server/services/users";
import { adminEmailSuppressions, adminGetEmail, adminListEmails } from "@/server/services/email/admin";
import { outboxIsMailbox } from "@/server/services/email/delivery";
import { setRoleSchema } from "@/lib/validation/admin";
import { auditFiltersInput } from "@/lib/audit-filters";
import { adminResetTwoFactor } from "@/server/services/auth/two-factor";
import { adminJobsRouter } from "./jobs";
import { adminCopyRouter } from "./copy";
import { adminBackupsRouter } from "./backups";
import { adminAnalyticsRouter } from "./analytics";
import { adminSystemRouter } from "./system";
import { adminStrategiesRouter } from "./strategies";

const page = { page: z.number().int().min(1).max(10_000).default(1), pageSize: z.number().int().min(1).max(100).default(25) };

export const adminRouter = createTRPCRouter({
  overview: adminProcedure.input(z.void()).query(() => users.adminOverview()),

  users: adminProcedure
    .input(z.object({ q: z.string().trim().max(100).optional(), role: z.enum(["subscriber", "provider", "admin"]).optional(), ...page }))
    .query(({ input }) => users.adminListUsers(input)),

  // Issue 17: the two admin changes that hand out or take away access (a role, an account's second factor) need a
  // fresh code on this session too: a stolen admin session alone cannot make a new admin or strip someone's 2FA.
  setRole: adminProcedure
    .input(setRoleSchema)
    .use(stepUpRequired)
    .mutation(async ({ ctx, input }) => {
      await users.adminSetRole(ctx.service, input.userId, input.role);
      return { ok: true as const };
    }),

  /** Turns off another account's two-factor sign-in (a lost device); never the caller's own. Audited, emailed. */
  resetTwoFactor: adminProcedure
    .input(z.object({ userId: z.string().trim().min(1, "Choose an account").max(64) }))
    .use(stepUpRequired)
    .mutation(async ({ ctx, input }) => {
      await adminResetTwoFactor(ctx.service, input.userId);
      return { ok: true as const };
    }),

  emails: adminProcedure
    .input(z.object(page))
    .query(async ({ input }) => ({ ...(await adminListEmails(input)), developmentMailbox: outboxIsMailbox(), suppressions: await adminEmailSuppressions() })),

  email: adminProcedure.input(z.object({ id: z.string().min(1).max(64) })).query(({ input }) => adminGetEmail(input.id)),

  audit: adminProcedure.input(z.object({ ...page, ...auditFiltersInput })).query(({ input }) => users.adminListAudit(input)),

  jobs: adminJobsRouter,
  copy: adminCopyRouter,
  backups: adminBackupsRouter,
  analytics: adminAnalyticsRouter,
  system: adminSystemRouter,
  strategies: adminStrategiesRouter,
});

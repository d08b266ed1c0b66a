/**
 * admin.copy: the copy-trading kill switches an admin holds — platform-wide (no new entries anywhere) and per
 * provider (stop copying one provider) — and their state. Exits always run; the services audit every change.
 * And the monitoring view of reconciliation: every follower's open discrepancies between Tradsy and their exchange.
 */
import "server-only";
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { killSwitchState, setPlatformKillSwitch, setProviderCopyStop } from "@/server/services/copy/kill-switches";
import { setPlatformKillSwitchSchema, setProviderCopyStopSchema } from "@/lib/validation/copy";
import { listOpenDiscrepanciesForAdmin } from "@/server/services/exchanges/reconcile";
import { discrepancyForPage, discrepancyOutput } from "../exchanges";

export const adminCopyRouter = createTRPCRouter({
  state: adminProcedure.input(z.void()).query(() => killSwitchState()),
  setPlatform: adminProcedure.input(setPlatformKillSwitchSchema).mutation(({ ctx, input }) => setPlatformKillSwitch(ctx.service, input.on, input.reason)),
  /** Open discrepancies across all users, newest first, with whose connection each is on. */
  discrepancies: adminProcedure
    .input(z.object({ limit: z.number().int().min(1, "Ask for at least 1 row").max(500, "At most 500 rows").default(200) }))
    .output(z.array(discrepancyOutput.extend({ userId: z.string(), userEmail: z.string(), exchangeId: z.string(), connectionLabel: z.string() })))
    .query(async ({ input }) => (await listOpenDiscrepanciesForAdmin({ limit: input.limit })).map((d) => ({ ...discrepancyForPage(d), userId: d.userId, userEmail: d.userEmail, exchangeId: d.exchangeId, connectionLabel: d.connectionLabel }))),
  setProvider: adminProcedure.input(setProviderCopyStopSchema).mutation(({ ctx, input }) => setProviderCopyStop(ctx.service, input.providerId, input.on, input.reason)),
});

/**
 * admin.copy: the copy-trading kill switches an admin holds — platform-wide (no new entries anywhere) and per
 * provider (stop copying one provider) — and their state. Exits always run; the services audit every change.
 */
import "server-only";
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { killSwitchState, setPlatformKillSwitch, setProviderCopyStop } from "@/server/services/copy/kill-switches";
import { setPlatformKillSwitchSchema, setProviderCopyStopSchema } from "@/lib/validation/copy";

export const adminCopyRouter = createTRPCRouter({
  state: adminProcedure.input(z.void()).query(() => killSwitchState()),
  setPlatform: adminProcedure.input(setPlatformKillSwitchSchema).mutation(({ ctx, input }) => setPlatformKillSwitch(ctx.service, input.on, input.reason)),
  setProvider: adminProcedure.input(setProviderCopyStopSchema).mutation(({ ctx, input }) => setProviderCopyStop(ctx.service, input.providerId, input.on, input.reason)),
});

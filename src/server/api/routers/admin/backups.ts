/**
 * admin.backups (/admin/backups): the backups list, "Create backup now", "Verify now", and the review of work a
 * restore held (release or cancel, per item or per kind). Validates and hands over to services/restore, which audits.
 */
import "server-only";
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { adminBackupsPage, adminCreateBackup, adminVerifyBackup } from "@/server/services/restore/admin";
import { cancelHeld, releaseHeld } from "@/server/services/restore/holds";
import { heldSelectionSchema } from "@/lib/restore";

const backupId = z.object({ id: z.string().trim().min(1, "Choose a backup").max(64).regex(/^bkp_[A-Za-z0-9_-]+$/, "Not a backup id") });

export const adminBackupsRouter = createTRPCRouter({
  page: adminProcedure.input(z.void()).query(({ ctx }) => adminBackupsPage(ctx.service.actor.id)),
  create: adminProcedure.input(z.void()).mutation(({ ctx }) => adminCreateBackup(ctx.service)),
  verify: adminProcedure.input(backupId).mutation(({ ctx, input }) => adminVerifyBackup(ctx.service, input.id)),
  release: adminProcedure.input(heldSelectionSchema).mutation(({ ctx, input }) => releaseHeld(ctx.service, input)),
  cancel: adminProcedure.input(heldSelectionSchema).mutation(({ ctx, input }) => cancelHeld(ctx.service, input)),
});

import "server-only";
import { z } from "zod";
import { protectedProcedure } from "@/server/api/trpc";
import { copyChanges } from "@/server/services/realtime";

/**
 * `copy.live`: a tick over SSE whenever the signed-in user's copy positions or orders change (a fill, an exit, a
 * close, a reset), so the copy page refetches without a reload. Carries no data: the page reads through the queries,
 * which check ownership.
 */
export const copyLive = protectedProcedure.input(z.void()).subscription(async function* ({ ctx, signal }) {
  for await (const tick of copyChanges(ctx.user.id, signal)) yield tick;
});

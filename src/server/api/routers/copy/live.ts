import "server-only";
import { z } from "zod";
import { protectedProcedure } from "@/server/api/trpc";
import { copyChanges } from "@/server/services/realtime";
import { watchStreamSession } from "@/server/services/auth/stream-session";
import { trackSseConnection } from "@/server/metrics/registry";

/**
 * `copy.live`: a tick over SSE whenever the signed-in user's copy positions or orders change (a fill, an exit, a
 * close, a reset), so the copy page refetches without a reload. Carries no data: the page reads through the queries,
 * which check ownership. It lives no longer than the session that opened it: checked again every 30 s (sign-out,
 * a revoked device, a password change), the stream ends when it no longer resolves, ticks or not.
 */
export const copyLive = protectedProcedure.input(z.void()).subscription(async function* ({ ctx, signal }) {
  const watch = watchStreamSession(ctx.session, signal);
  const untrack = trackSseConnection();
  try {
    for await (const tick of copyChanges(ctx.user.id, watch.signal)) yield tick;
  } finally {
    untrack();
    watch.stop();
  }
});

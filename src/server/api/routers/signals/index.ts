import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, providerProcedure, publicProcedure } from "@/server/api/trpc";
import * as signals from "@/server/services/signals";
import { getSignalView, listProviderSignals, toView } from "@/server/services/signals/views";
import { changeFor, signalChanges } from "@/server/services/realtime";
import { entitledProviderIds, type Viewer } from "@/server/services/entitlements";
import { watchStreamSession } from "@/server/services/auth/stream-session";
import { trackSseConnection } from "@/server/metrics/registry";
import { listSymbols, quote } from "@/server/services/market-data";
import { providerIdBySlug } from "@/server/services/providers";
import { newStopLossSchema, publishSignalSchema } from "@/lib/validation/signals";
import { feedProcedure } from "./feed";

const page = { page: z.number().int().min(1).max(10_000).default(1), pageSize: z.number().int().min(1).max(100).default(20) };
const signalId = z.string().trim().min(1).max(64);
const viewerOf = (ctx: { session: { user: Viewer } | null }): Viewer | null => (ctx.session ? { id: ctx.session.user.id, role: ctx.session.user.role } : null);

/** How often a live stream re-reads the viewer's entitlements (a new subscription shows up within this). */
const ENTITLEMENT_REFRESH_MS = 30_000;

export const signalsRouter = createTRPCRouter({
  symbols: publicProcedure.input(z.void()).query(() => listSymbols()),

  quote: protectedProcedure.input(z.object({ symbol: z.string().trim().min(1).max(40) })).query(({ input }) => quote(input.symbol)),

  publish: providerProcedure.input(publishSignalSchema).mutation(async ({ ctx, input }) => {
    const { signal, created } = await signals.publishSignal(ctx.service, ctx.provider.id, input, "ui");
    return { signal: toView(signal, "owner"), created };
  }),

  mine: providerProcedure
    .input(z.object({ status: z.enum(["live", "done"]).optional(), ...page }))
    .query(async ({ ctx, input }) => {
      const res = await signals.listOwnSignals(ctx.provider.id, input);
      return { ...res, items: res.items.map((s) => toView(s, "owner")) };
    }),

  // The stop is validated here, before the service looks the signal up: a malformed price is the same 400 whoever
  // owns the id, so it tells nothing about other providers' signals.
  moveStop: providerProcedure.input(z.object({ id: signalId, stopLoss: newStopLossSchema })).mutation(async ({ ctx, input }) =>
    toView(await signals.moveStop(ctx.service, { providerId: ctx.provider.id, signalId: input.id }, input.stopLoss), "owner"),
  ),

  close: providerProcedure
    .input(z.object({ id: signalId, share: z.string().trim().regex(/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/, "Share is a fraction between 0 and 1, like 0.5").optional() }))
    .mutation(async ({ ctx, input }) =>
      toView(await signals.closeSignal(ctx.service, { providerId: ctx.provider.id, signalId: input.id }, { share: input.share }), "owner"),
    ),

  cancel: providerProcedure.input(z.object({ id: signalId })).mutation(async ({ ctx, input }) =>
    toView(await signals.cancelSignal(ctx.service, { providerId: ctx.provider.id, signalId: input.id }), "owner"),
  ),

  forProvider: publicProcedure
    .input(z.object({ slug: z.string().trim().min(1).max(80), status: z.enum(["live", "done"]), ...page }))
    .query(({ ctx, input }) => listProviderSignals(viewerOf(ctx), input.slug, input)),

  byId: publicProcedure.input(z.object({ id: signalId })).query(({ ctx, input }) => getSignalView(viewerOf(ctx), input.id)),

  feed: feedProcedure,

  /**
   * Live changes over SSE. With `providerSlug`: that provider's changes (levels and kind of change hidden unless entitled). Without:
   * the viewer's feed (providers they follow, or their own). Filtering is in memory against entitlements read at
   * start and refreshed periodically. A stream lives no longer than the session that opened it: the session is
   * checked again every 30 s, changes or not (services/auth/stream-session.ts), and the stream ends when it no
   * longer resolves (the client reconnects as whoever it now is).
   */
  live: publicProcedure
    .input(z.object({ providerSlug: z.string().trim().min(1).max(80).optional() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const viewer = viewerOf(ctx);
      let onlyProvider: string | null = null;
      if (input?.providerSlug) {
        onlyProvider = await providerIdBySlug(input.providerSlug);
      } else if (!viewer) {
        return;
      }
      const watch = watchStreamSession(ctx.session, signal);
      const untrack = trackSseConnection();
      try {
        let entitled = await entitledProviderIds(viewer);
        let readAt = Date.now();
        for await (const change of signalChanges(watch.signal)) {
          if (onlyProvider && change.providerId !== onlyProvider) continue;
          if (Date.now() - readAt > ENTITLEMENT_REFRESH_MS) {
            entitled = await entitledProviderIds(viewer);
            readAt = Date.now();
          }
          // A change read while the session check ran may arrive after it failed: nothing more is sent.
          if (watch.signal.aborted) return;
          const allowed = entitled.has(change.providerId);
          if (!onlyProvider && !allowed) continue;
          yield changeFor(change, allowed ? "subscriber" : "public");
        }
      } finally {
        untrack();
        watch.stop();
      }
    }),
});

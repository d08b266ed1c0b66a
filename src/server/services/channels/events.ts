/**
 * Signal events for notification channels: the one builder of their data (see src/lib/channels/events.ts for the
 * event shapes, which this module re-exports for the services).
 *
 * INVARIANT: an open signal's market, side and levels are in an event only when the destination is entitled to them;
 * `signalEventData` is the one place that decides, from `entitled`.
 */
import type { signals } from "@/server/db/schema";
import type { ProviderRef, SignalEventData } from "@/lib/channels/events";

export * from "@/lib/channels/events";

type SignalRow = typeof signals.$inferSelect;

/**
 * The one builder of a signal event's data: levels only when `entitled`; market and side when entitled or the signal
 * has ended; the result on close.
 */
export function signalEventData(
  s: SignalRow,
  provider: ProviderRef,
  opts: { entitled: boolean; baseUrl: string; change?: string },
): SignalEventData {
  const ended = s.status === "closed" || s.status === "cancelled" || s.status === "expired";
  const data: SignalEventData = {
    provider,
    entitled: opts.entitled,
    signal: {
      id: s.id,
      number: s.number,
      status: s.status,
      publishedAt: s.publishedAt.toISOString(),
      closedAt: s.closedAt ? s.closedAt.toISOString() : null,
    },
    url: `${opts.baseUrl}/providers/${provider.slug}`,
  };
  if (opts.change) data.signal.change = opts.change;
  if (opts.entitled || ended) {
    data.signal.symbol = s.symbol;
    data.signal.side = s.side;
  }
  if (opts.entitled) {
    data.signal.levels = {
      entryType: s.entryType,
      entryPrice: s.entryPrice,
      stopLoss: s.stopLoss,
      takeProfits: s.takeProfits.map((tp) => ({ price: tp.price, share: tp.share })),
      fillPrice: s.fillPrice,
      exitPrice: ended ? s.exitPrice : null,
    };
  }
  if (ended) {
    data.signal.exitReason = s.exitReason;
    data.signal.resultPct = s.status === "closed" ? s.resultPct : null;
    data.signal.resultR = s.status === "closed" ? s.resultR : null;
  }
  return data;
}

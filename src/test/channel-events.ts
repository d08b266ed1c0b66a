/**
 * Channel events for the formatter and sender tests (Discord, Telegram): one signal published to an entitled and to
 * an unentitled destination, its stop moved, closed, a copied order refused, a risk pause and a test message.
 */
import type { ChannelEvent, SignalEventData } from "@/lib/channels/events";

const provider = { id: "prv_1", slug: "alpha-desk", name: "Alpha_Desk (BTC) *pro*" };
const url = "https://tradsy.example/providers/alpha-desk";

const levels = {
  entryType: "limit" as const,
  entryPrice: "64250.5",
  stopLoss: "63000",
  takeProfits: [
    { price: "66000.25", share: "0.5" },
    { price: "68000", share: "0.5" },
  ],
  fillPrice: null,
  exitPrice: null,
};

const signal = (over: Partial<SignalEventData["signal"]> = {}): SignalEventData["signal"] => ({
  id: "sig_1",
  number: 12,
  status: "open",
  publishedAt: "2026-03-02T10:00:00.000Z",
  closedAt: null,
  ...over,
});

export const publishedEntitled: ChannelEvent = {
  id: "evt_pub",
  type: "signal.published",
  occurredAt: "2026-03-02T10:00:00.000Z",
  data: { provider, entitled: true, signal: signal({ symbol: "BTC/USDT", side: "long", levels }), url },
};

export const publishedHidden: ChannelEvent = {
  id: "evt_pub",
  type: "signal.published",
  occurredAt: "2026-03-02T10:00:00.000Z",
  data: { provider, entitled: false, signal: signal(), url },
};

export const stopMoved: ChannelEvent = {
  id: "evt_upd",
  type: "signal.updated",
  occurredAt: "2026-03-02T11:00:00.000Z",
  data: { provider, entitled: true, signal: signal({ symbol: "BTC/USDT", side: "long", levels: { ...levels, stopLoss: "64000", fillPrice: "64250.5" }, change: "stop_moved" }), url },
};

export const closedHidden: ChannelEvent = {
  id: "evt_cls",
  type: "signal.closed",
  occurredAt: "2026-03-03T09:30:00.000Z",
  data: {
    provider,
    entitled: false,
    signal: signal({ status: "closed", closedAt: "2026-03-03T09:30:00.000Z", symbol: "BTC/USDT", side: "long", exitReason: "target", resultPct: "0.0263", resultR: "1.3" }),
    url,
  },
};

export const copyRejected: ChannelEvent = {
  id: "evt_cpy",
  type: "copy.rejected",
  occurredAt: "2026-03-02T10:00:05.000Z",
  data: {
    provider,
    signalNumber: 12,
    order: { id: "cor_1", venue: "exc_1", venueName: "Binance (main)", symbol: "ETH/BTC", side: "buy", leg: "entry", quantity: "0.015", fillPrice: null, fee: null, reason: "Insufficient balance: 0.0004 BTC free, 0.0009 needed." },
    url: "https://tradsy.example/copy",
  },
};

export const riskPaused: ChannelEvent = {
  id: "evt_rsk",
  type: "copy.risk_paused",
  occurredAt: "2026-03-02T12:00:00.000Z",
  data: { provider, reason: "daily_loss_limit", url: "https://tradsy.example/copy/alpha-desk" },
};

export const testMessage: ChannelEvent = {
  id: "evt_tst",
  type: "test",
  occurredAt: "2026-03-02T12:00:00.000Z",
  data: { message: "It works! Alerts for Trading desk will arrive here.", url: "https://tradsy.example/settings" },
};

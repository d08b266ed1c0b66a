import "server-only";
// Types only: the event shape is the services' contract with every formatter (nothing is called across the layer).
import type { ChannelEvent, CopyEventData, SignalEventData, SignalLevels } from "@/lib/channels/events";
import { percent, price, rMultiple } from "@/components/track-record/format";
import { exitReasonLabel } from "@/lib/labels";

/**
 * One channel event in words, shared by the Discord and Telegram formatters so both say the same thing: a title, an
 * optional line under it, labelled fields and the link back. Plain text: each formatter escapes for its own markup.
 *
 * INVARIANT: prints only what the event holds (services/channels/events.ts decides what an unentitled destination
 * gets); a missing market, side or level is said to be for subscribers, never looked up.
 */

export type SummaryTone = "long" | "short" | "gain" | "loss" | "neutral" | "warning";

export interface SummaryField {
  name: string;
  value: string;
  /** Short values that sit side by side (Discord's inline fields). */
  inline: boolean;
}

export interface ChannelSummary {
  title: string;
  description: string | null;
  fields: SummaryField[];
  url: string;
  linkText: string;
  tone: SummaryTone;
}

const CHANGE_LABEL: Record<string, string> = {
  filled: "Entry filled",
  stop_moved: "Stop moved",
  partial_close: "Partly closed at a target",
  closed: "Closed",
  cancelled: "Cancelled",
  expired: "Expired unfilled",
};

const RISK_REASON_LABEL: Record<string, string> = {
  daily_loss_limit: "your daily loss limit was reached",
  copy_stop_loss: "your copy stop-loss was reached",
};

const COPY_TITLE: Record<string, string> = {
  "copy.filled": "Copied order filled",
  "copy.skipped": "Copy skipped",
  "copy.rejected": "Copied order refused",
};

const field = (name: string, value: string, inline = true): SummaryField => ({ name, value, inline });
const sideLabel = (side: string) => (side === "short" ? "Short" : "Long");

function levelFields(levels: SignalLevels): SummaryField[] {
  const targets = levels.takeProfits.length
    ? levels.takeProfits.map((tp) => `${price(tp.price)} (${percent(tp.share, { signed: false, dp: 0 }).text})`).join(", ")
    : "None";
  const out = [
    field("Entry", `${levels.entryType === "limit" ? "Limit" : "Market"} ${price(levels.entryPrice)}`),
    field("Stop", levels.stopLoss ? price(levels.stopLoss) : "None"),
    field("Targets", targets, false),
  ];
  if (levels.fillPrice) out.push(field("Filled at", price(levels.fillPrice)));
  return out;
}

function signalSummary(type: "signal.published" | "signal.updated" | "signal.closed", d: SignalEventData): ChannelSummary {
  const s = d.signal;
  const who = `#${s.number} from ${d.provider.name}`;
  const fields: SummaryField[] = [];
  if (s.symbol) fields.push(field("Market", s.symbol));
  if (s.side) fields.push(field("Side", sideLabel(s.side)));
  const sideTone: SummaryTone = s.side === "short" ? "short" : s.side === "long" ? "long" : "neutral";
  const hidden = d.entitled ? null : "Market, side and levels are for subscribers: open Tradsy to see them.";

  if (type === "signal.closed") {
    const outcome = exitReasonLabel(s.exitReason) ?? (s.status === "cancelled" ? "Cancelled" : s.status === "expired" ? "Expired unfilled" : "Closed");
    const result = s.resultPct ? percent(s.resultPct) : null;
    if (result) fields.push(field("Result", result.text));
    if (s.resultR) fields.push(field("R", rMultiple(s.resultR).text));
    if (!result) fields.push(field("Result", "No result (never filled)"));
    if (s.levels && s.status === "closed") {
      fields.push(field("Entry", price(s.levels.fillPrice ?? s.levels.entryPrice)), field("Exit", price(s.levels.exitPrice)));
    }
    return {
      title: `Signal ${who} closed: ${outcome}`,
      description: null,
      fields,
      url: d.url,
      linkText: "See the track record on Tradsy",
      tone: result ? (result.tone === "gain" ? "gain" : result.tone === "loss" ? "loss" : "neutral") : "neutral",
    };
  }
  if (s.levels) fields.push(...levelFields(s.levels));
  if (type === "signal.updated") {
    const change = s.change ? (CHANGE_LABEL[s.change] ?? s.change.replace(/_/g, " ")) : "Updated";
    return { title: `Signal ${who}: ${change}`, description: hidden, fields, url: d.url, linkText: "Open the signal on Tradsy", tone: sideTone };
  }
  return { title: `New signal ${who}`, description: hidden, fields, url: d.url, linkText: "Open the signal on Tradsy", tone: sideTone };
}

function copySummary(type: "copy.filled" | "copy.skipped" | "copy.rejected", d: CopyEventData): ChannelSummary {
  const o = d.order;
  const fields = [
    field("Market", o.symbol),
    field("Side", o.side === "sell" ? "Sell" : "Buy"),
    field("Quantity", o.quantity),
    field("Venue", o.venueName),
  ];
  if (o.fillPrice) fields.push(field("Fill price", price(o.fillPrice)));
  if (o.fee) fields.push(field("Fee", o.fee));
  if (o.reason) fields.push(field("Reason", o.reason, false));
  const from = d.provider ? ` (${d.provider.name}${d.signalNumber !== null ? ` #${d.signalNumber}` : ""})` : "";
  return {
    title: `${COPY_TITLE[type]}${from}`,
    description: null,
    fields,
    url: d.url,
    linkText: "See your copies on Tradsy",
    tone: type === "copy.filled" ? "neutral" : "warning",
  };
}

export function summarize(event: ChannelEvent): ChannelSummary {
  switch (event.type) {
    case "signal.published":
    case "signal.updated":
    case "signal.closed":
      return signalSummary(event.type, event.data);
    case "copy.filled":
    case "copy.skipped":
    case "copy.rejected":
      return copySummary(event.type, event.data);
    case "copy.risk_paused":
      return {
        title: `Copying ${event.data.provider.name} paused`,
        description: `Copying stopped because ${RISK_REASON_LABEL[event.data.reason] ?? event.data.reason.replace(/_/g, " ")}. Turn it back on in Tradsy when you are ready.`,
        fields: [],
        url: event.data.url,
        linkText: "Open your copy settings",
        tone: "warning",
      };
    case "test":
      return { title: "Test message from Tradsy", description: event.data.message, fields: [], url: event.data.url, linkText: "Open Tradsy", tone: "neutral" };
  }
}

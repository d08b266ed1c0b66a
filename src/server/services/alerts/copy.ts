/**
 * Copy event emails to the follower, from the copy engine's existing events (never from its hot path):
 * - `copy/orders.settled` (the orders one fan-out page wrote, ids by outcome): one email per follower listing their
 *   orders of the batch, led by the most pressing outcome (rejected, then skipped, then filled: copy-rejected,
 *   copy-skipped or copy-filled). Notification stream, one-click unsubscribe topic "copy", honouring the follower's
 *   copy-email choice (`emailAllowed` {kind:'copy'}, applied in the query for the whole batch).
 * - `copy/risk.paused`: copy-risk-pause, a safety alert sent whatever the copy-email choice (transactional): a risk
 *   rule stopped the copying and, for the copy stop-loss, closed its copies; the follower must learn that. The
 *   exit-failing alert (services/copy/alerts.ts) is the other safety alert, sent the same way.
 *
 * INVARIANT: a batch's email is keyed by (follower, the exact set of its order ids), so a retried job, or the same
 * event delivered twice, queues it once.
 */
import "server-only";
import { createHash } from "node:crypto";
import { createElement } from "react";
import Decimal from "decimal.js";
import { and, eq, sql } from "drizzle-orm";
import CopyFilled from "@emails/copy-filled";
import CopyRejected from "@emails/copy-rejected";
import CopySkipped from "@emails/copy-skipped";
import CopyRiskPause, { copyRiskPauseSubject } from "@emails/copy-risk-pause";
import { copyOrdersSubject, type CopyOrderLine, type CopyOrdersProps, type CopyOutcome } from "@emails/_copy-orders";
import { db } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { copySettings, providers, users } from "@/server/db/schema";
import type { JobEvents } from "@/server/jobs/events";
import { appBaseUrl } from "@/server/http/base-url";
import { queueEmail } from "@/server/services/email/outbox";
import { unsubscribeUrl as linkToUnsubscribe } from "@/server/services/email/unsubscribe-link";
import { price } from "@/components/track-record/format";
import { insertRendered, renderEmail, type OutboxRow } from "./outbox-batch";

type OrderRow = {
  id: string;
  user_id: string;
  venue: string;
  symbol: string;
  side: "buy" | "sell";
  leg: string;
  reason: string | null;
  fill_price: string | null;
  quantity: string;
  fee: string;
  provider_name: string | null;
  signal_number: number | null;
  connection_label: string | null;
  email: string;
  name: string | null;
  version: number;
};

const LEG: Record<string, string> = { entry: "entry", tp: "take profit", stop: "stop", close: "close", manual: "your close" };

const qty = (v: string) => new Decimal(v).toFixed();
const quoteOf = (symbol: string) => (symbol.includes("/") ? symbol.split("/")[1]! : "USD");
const venueName = (o: OrderRow) => (o.venue === "paper" ? "Paper account" : (o.connection_label ?? "your exchange connection"));
/** Skip and rejection reasons are stored "<code>: <words for people>"; the email shows the words. */
const reasonWords = (reason: string | null) => {
  if (!reason) return "No reason was given";
  const at = reason.indexOf(": ");
  return at > 0 && /^[a-z_]+$/.test(reason.slice(0, at)) ? reason.slice(at + 2) : reason;
};

function lineOf(o: OrderRow, outcome: CopyOutcome): CopyOrderLine {
  const leg = LEG[o.leg] ?? o.leg;
  const base = { provider: o.provider_name ?? "A provider", signal: o.signal_number ? `Signal #${o.signal_number}` : "Your order" };
  switch (outcome) {
    case "filled":
      return {
        ...base,
        summary: `${o.side === "buy" ? "Bought" : "Sold"} ${qty(o.quantity)} ${o.symbol} at ${price(o.fill_price)} (${leg})`,
        detail: `Fee ${qty(o.fee)} ${quoteOf(o.symbol)} · ${venueName(o)}`,
      };
    case "skipped":
      return { ...base, summary: `${o.symbol} ${leg} not copied`, detail: reasonWords(o.reason) };
    case "rejected":
      return {
        ...base,
        summary: `${o.side === "buy" ? "Buy" : "Sell"} ${qty(o.quantity)} ${o.symbol} refused (${leg})`,
        detail: `${reasonWords(o.reason)} · ${venueName(o)}`,
      };
  }
}

const TEMPLATES = { filled: CopyFilled, skipped: CopySkipped, rejected: CopyRejected } as const;

/**
 * Queues one email per follower for the orders of one settled event, in one transaction. Followers who turned copy
 * emails off get none. Returns the number of emails queued.
 */
export async function queueCopyOrderEmails(event: JobEvents["copy/orders.settled"]): Promise<{ emails: number }> {
  const outcomeOf = new Map<string, CopyOutcome>();
  for (const outcome of ["filled", "skipped", "rejected"] as const) for (const id of event[outcome]) outcomeOf.set(id, outcome);
  if (outcomeOf.size === 0) return { emails: 0 };
  const ids = [...outcomeOf.keys()];
  const base = appBaseUrl();
  return db.transaction(async (tx) => {
    const rows = await executeRows<OrderRow>(
      tx,
      sql`select o.id, o.user_id, o.venue, o.symbol, o.side, o.leg, o.reason, o.fill_price::text as fill_price, o.quantity::text as quantity,
                 o.fee::text as fee, p.display_name as provider_name, s.number as signal_number, ec.label as connection_label,
                 u.email, u.name, coalesce(np.unsubscribe_version, 0)::int as version
          from copy_orders o
          join users u on u.id = o.user_id
          left join notification_prefs np on np.user_id = o.user_id
          left join providers p on p.id = o.provider_id
          left join signals s on s.id = o.signal_id
          left join exchange_connections ec on ec.id = o.venue
          where o.id in (select unnest(${`{${ids.join(",")}}`}::text[]))
            and coalesce(np.copy_emails, true)
          order by o.user_id, o.created_at, o.id`,
    );
    const byUser = new Map<string, OrderRow[]>();
    for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
    const emails: OutboxRow[] = [];
    for (const [userId, orders] of byUser) {
      const first = orders[0]!;
      const props: CopyOrdersProps = {
        name: first.name ?? "there",
        filled: [],
        skipped: [],
        rejected: [],
        copyUrl: `${base}/copy`,
        unsubscribeUrl: linkToUnsubscribe(base, { userId }, "copy", Number(first.version)),
      };
      for (const o of orders) {
        const outcome = outcomeOf.get(o.id)!;
        props[outcome].push(lineOf(o, outcome));
      }
      const lead: CopyOutcome = props.rejected.length ? "rejected" : props.skipped.length ? "skipped" : "filled";
      const { html, text } = await renderEmail(createElement(TEMPLATES[lead], props));
      const digest = createHash("sha256").update(orders.map((o) => o.id).sort().join(",")).digest("hex").slice(0, 32);
      emails.push({
        to: first.email,
        userId,
        kind: `copy_${lead}`,
        subject: copyOrdersSubject(lead, props),
        html,
        text,
        stream: "notification",
        unsubscribeUrl: props.unsubscribeUrl,
        dedupeKey: `copy-orders:${userId}:${digest}`,
      });
    }
    return { emails: await insertRendered(tx, emails) };
  });
}

/**
 * The risk-pause safety alert (transactional: sent whatever the copy-email choice). Keyed by the pause itself (the
 * following's paused_at for the copy stop-loss), else by the event, so a retry or a repeated event queues it once.
 */
export async function queueRiskPauseEmail(data: JobEvents["copy/risk.paused"], eventId: string): Promise<{ emailId: string | null }> {
  return db.transaction(async (tx) => {
    const [who] = await tx
      .select({ email: users.email, name: users.name, provider: providers.displayName, pausedAt: copySettings.pausedAt, pausedReason: copySettings.pausedReason })
      .from(users)
      .innerJoin(providers, eq(providers.id, data.providerId))
      .leftJoin(copySettings, and(eq(copySettings.userId, users.id), eq(copySettings.providerId, data.providerId)))
      .where(eq(users.id, data.userId));
    if (!who) return { emailId: null };
    const pause = data.reason === "copy_stop_loss" && who.pausedReason === "copy_stop" && who.pausedAt ? who.pausedAt.toISOString() : `event:${eventId}`;
    const emailId = await queueEmail(tx, {
      to: who.email,
      userId: data.userId,
      kind: "copy_risk_pause",
      subject: copyRiskPauseSubject({ providerName: who.provider, reason: data.reason }),
      template: createElement(CopyRiskPause, { name: who.name ?? "there", providerName: who.provider, reason: data.reason, followUrl: `${appBaseUrl()}/copy` }),
      dedupeKey: `copy-risk-paused:${data.userId}:${data.providerId}:${data.reason}:${pause}`,
    });
    return { emailId };
  });
}

/**
 * Signal alerts: a provider's followers are emailed when it publishes signals (new-signal) and when its signals end
 * (signal-closed), a burst of them grouped into one email per follower and kind.
 *
 * `queueSignalAlerts(providerId)` runs after the events, from the `signal-alerts` job (debounced per provider), never
 * on the publishing path. In one transaction it claims the provider's signals not yet alerted (rows in
 * `signal_alerts`, one per signal and kind: whichever run inserts a row mails that signal, so a retried or concurrent
 * run mails nothing twice) and queues the emails of that batch. Only signals published (or ended) within
 * `ALERT_LOOKBACK_MS` are claimed, so an old history is never mailed.
 *
 * Who is a follower (the same people `listFollowings` lists): an entitled subscriber (an active, trialing or
 * in-grace subscription: services/entitlements), or anyone with a following (copy settings) of the provider: the free
 * paper tier, or a subscription that lapsed. There are no free providers (prices start at $1.00 a month), so the
 * free followers are those free-tier and lapsed followings: they are alerted too, without levels. The provider is
 * never alerted of its own signals.
 *
 * What each reader sees: an open signal's market, side and levels only when entitled (the same rule as every read
 * path); a finished signal is public (the track record), but its entry and exit prices are still shown only to
 * entitled readers, as the template convention asks. Results are the track record's figures (signals.result_pct and
 * result_r, after fees), printed by the track record's own formatters: decimal strings, never floats.
 *
 * Email choices (services/email/preferences.ts `emailAllowed`) are applied in the recipients query, for all
 * followers at once: the account-wide signal_emails and the follower's per-provider new_signal / signal_closed.
 * INVARIANT: this query and `emailAllowed` agree (tested).
 */
import "server-only";
import { createHash } from "node:crypto";
import { createElement } from "react";
import { asc, eq, inArray, sql } from "drizzle-orm";
import NewSignal, { newSignalSubject, type NewSignalItem } from "@emails/new-signal";
import SignalClosed, { signalClosedSubject, type ClosedSignalItem } from "@emails/signal-closed";
import { db, type Executor } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { providers, signals, type TakeProfitLevel } from "@/server/db/schema";
import { appBaseUrl } from "@/server/http/base-url";
import { entitledNow } from "@/server/services/entitlements";
import { unsubscribeUrl as linkToUnsubscribe } from "@/server/services/email/unsubscribe-link";
import { percent, price, rMultiple } from "@/components/track-record/format";
import { formatUtcDateTime } from "@/lib/format/dates";
import { exitReasonLabel } from "@/lib/labels";
import { queueToMany, type BatchRecipient } from "./outbox-batch";

/** Signals older than this are never alerted (a first run, or a run after a long outage, mails no history). */
export const ALERT_LOOKBACK_MS = 24 * 60 * 60 * 1000;

type AlertKind = "new_signal" | "signal_closed";

type Recipient = {
  user_id: string;
  email: string;
  entitled: boolean;
  version: number;
};

const PREF_COLUMN: Record<AlertKind, string> = { new_signal: "new_signal", signal_closed: "signal_closed" };

/**
 * The provider's followers who want this kind of alert, each once, with whether they are entitled and their
 * unsubscribe version (for the link). One statement, whatever the number of followers.
 */
export async function alertRecipients(tx: Executor, providerId: string, kind: AlertKind, now: Date): Promise<Recipient[]> {
  const rows = await executeRows<Recipient>(
    tx,
    sql`with followers as (
          select subscriber_id as user_id, true as entitled from subscriptions
            where provider_id = ${providerId} and ${entitledNow(now)}
          union all
          select user_id, false as entitled from copy_settings where provider_id = ${providerId}
        )
        select u.id as user_id, u.email, bool_or(f.entitled) as entitled, coalesce(max(np.unsubscribe_version), 0)::int as version
        from followers f
        join users u on u.id = f.user_id
        left join notification_prefs np on np.user_id = u.id
        left join provider_alert_prefs pap on pap.user_id = u.id and pap.provider_id = ${providerId}
        where u.id <> (select user_id from providers where id = ${providerId})
          and coalesce(np.signal_emails, true)
          and coalesce(pap.${sql.raw(PREF_COLUMN[kind])}, true)
        group by u.id, u.email
        order by u.id`,
  );
  return rows.map((r) => ({ ...r, entitled: r.entitled === true || (r.entitled as unknown) === "t", version: Number(r.version) }));
}

/** Claims the provider's signals not yet alerted for `kind` (published: recently published; closed: recently ended). */
async function claim(tx: Executor, providerId: string, kind: "published" | "closed", since: Date): Promise<string[]> {
  const recent =
    kind === "published"
      ? sql`published_at >= ${since.toISOString()}::timestamptz`
      : sql`status in ('closed', 'cancelled', 'expired') and closed_at >= ${since.toISOString()}::timestamptz`;
  const rows = await executeRows<{ signal_id: string }>(
    tx,
    sql`insert into signal_alerts (signal_id, kind, provider_id)
        select s.id, ${kind}, s.provider_id from signals s
        where s.provider_id = ${providerId} and ${recent}
          and not exists (select 1 from signal_alerts a where a.signal_id = s.id and a.kind = ${kind})
        on conflict do nothing
        returning signal_id`,
  );
  return rows.map((r) => r.signal_id);
}

type SignalRow = typeof signals.$inferSelect;

const sideLabel = (side: string) => (side === "short" ? "Short" : "Long");

function targetsOf(levels: TakeProfitLevel[]): string {
  if (!levels.length) return "None";
  return levels.map((tp) => `${price(tp.price)} (${percent(tp.share, { signed: false, dp: 0 }).text})`).join(", ");
}

function newSignalItem(s: SignalRow, entitled: boolean): NewSignalItem {
  const item: NewSignalItem = { number: s.number, publishedAt: formatUtcDateTime(s.publishedAt) };
  // INVARIANT: an open signal's market, side and prices leave the server only for entitled readers.
  if (!entitled) return item;
  return {
    ...item,
    levels: {
      market: s.symbol,
      side: sideLabel(s.side),
      entry: `${s.entryType === "limit" ? "Limit" : "Market"} ${price(s.entryPrice)}`,
      stop: s.stopLoss ? price(s.stopLoss) : "None",
      targets: targetsOf(s.takeProfits),
    },
  };
}

function closedSignalItem(s: SignalRow, entitled: boolean): ClosedSignalItem {
  const filled = s.status === "closed";
  const item: ClosedSignalItem = {
    number: s.number,
    market: s.symbol,
    side: sideLabel(s.side),
    outcome: exitReasonLabel(s.exitReason) ?? (s.status === "cancelled" ? "Cancelled" : s.status === "expired" ? "Expired unfilled" : "Closed"),
    // The track record counts a result for closed signals only (a cancelled or expired one never filled).
    result: filled && s.resultPct !== null ? percent(s.resultPct).text : "No result (never filled)",
    closedAt: s.closedAt ? formatUtcDateTime(s.closedAt) : "",
  };
  if (filled && s.resultR !== null) item.r = rMultiple(s.resultR).text;
  if (entitled && filled) item.levels = { entry: price(s.fillPrice ?? s.entryPrice), exit: price(s.exitPrice) };
  return item;
}

/** A batch's identity: the same signals for the same reader and kind make the same key (a retry queues nothing). */
function batchKey(kind: AlertKind, providerId: string, signalIds: readonly string[]): string {
  const digest = createHash("sha256").update([...signalIds].sort().join(",")).digest("hex").slice(0, 32);
  return `signal-alert:${kind}:${providerId}:${digest}`;
}

export interface SignalAlertResult {
  /** Signals claimed (newly alerted) by kind, and the emails queued. */
  published: number;
  closed: number;
  emails: number;
}

/**
 * Claims the provider's signals not yet alerted and queues one email per follower and kind listing them, in one
 * transaction. Safe to run any number of times, concurrently too: a signal is mailed by the run that claims it.
 */
export async function queueSignalAlerts(providerId: string, now: Date = new Date()): Promise<SignalAlertResult> {
  const since = new Date(now.getTime() - ALERT_LOOKBACK_MS);
  return db.transaction(async (tx) => {
    // One run per provider at a time: a second waits here and then finds the signals claimed (no wasted renders).
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`signal-alerts:${providerId}`}))`);
    const [provider] = await tx
      .select({ id: providers.id, slug: providers.slug, displayName: providers.displayName })
      .from(providers)
      .where(eq(providers.id, providerId));
    if (!provider) return { published: 0, closed: 0, emails: 0 };
    const published = await claim(tx, providerId, "published", since);
    const closed = await claim(tx, providerId, "closed", since);
    const ids = [...new Set([...published, ...closed])];
    if (!ids.length) return { published: 0, closed: 0, emails: 0 };
    const rows = await tx.select().from(signals).where(inArray(signals.id, ids)).orderBy(asc(signals.number));
    // A signal that ended before its new-signal alert went out is told by the closed alert alone.
    const opened = rows.filter((s) => published.includes(s.id) && (s.status === "pending" || s.status === "open"));
    const ended = rows.filter((s) => closed.includes(s.id));

    const base = appBaseUrl();
    const providerUrl = `${base}/providers/${provider.slug}`;
    const settingsUrl = `${base}/settings`;
    const topic = `signals:${providerId}` as const;
    const recipientsFor = async (kind: AlertKind, batch: SignalRow[]) => {
      const key = batchKey(kind, providerId, batch.map((s) => s.id));
      const all = await alertRecipients(tx, providerId, kind, now);
      const toRecipient = (r: Recipient): BatchRecipient => ({
        userId: r.user_id,
        to: r.email,
        unsubscribeUrl: linkToUnsubscribe(base, { userId: r.user_id }, topic, r.version),
        dedupeKey: `${key}:${r.user_id}`,
      });
      return { entitled: all.filter((r) => r.entitled).map(toRecipient), others: all.filter((r) => !r.entitled).map(toRecipient) };
    };

    let emails = 0;
    if (opened.length) {
      const to = await recipientsFor("new_signal", opened);
      for (const [entitled, list] of [[true, to.entitled], [false, to.others]] as const) {
        const items = opened.map((s) => newSignalItem(s, entitled));
        emails += await queueToMany(
          tx,
          {
            kind: "new_signal",
            subject: newSignalSubject({ providerName: provider.displayName, entitled, signals: items }),
            stream: "notification",
            template: (unsubscribeUrl) =>
              createElement(NewSignal, { providerName: provider.displayName, entitled, signals: items, providerUrl, settingsUrl, unsubscribeUrl }),
          },
          list,
        );
      }
    }
    if (ended.length) {
      const to = await recipientsFor("signal_closed", ended);
      for (const [entitled, list] of [[true, to.entitled], [false, to.others]] as const) {
        const items = ended.map((s) => closedSignalItem(s, entitled));
        emails += await queueToMany(
          tx,
          {
            kind: "signal_closed",
            subject: signalClosedSubject({ providerName: provider.displayName, signals: items }),
            stream: "notification",
            template: (unsubscribeUrl) =>
              createElement(SignalClosed, { providerName: provider.displayName, entitled, signals: items, providerUrl, settingsUrl, unsubscribeUrl }),
          },
          list,
        );
      }
    }
    return { published: published.length, closed: closed.length, emails };
  });
}

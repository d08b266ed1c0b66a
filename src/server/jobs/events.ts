/**
 * The event catalogue and the one way services emit job events.
 *
 * Add an event by adding a line to `JobEvents`; both `sendEvent` and `defineJob` triggers are typed from it, so a
 * misspelt name or a wrong payload fails to compile instead of silently triggering nothing.
 */
import "server-only";
import { logger } from "@/server/logger";
import { inngest, jobsMode, type JobsMode } from "./client";
import type { CatalogueEvent, JobEventName } from "./types";
import { dispatchEvents, type RunResult } from "./inline/runner";

export interface JobEvents {
  /** Runs audit-retention now (admin "Run now"); the daily cron covers the normal case. */
  "audit/retention.requested": { requestedBy: string | null };
  /** A provider published a signal (copy fan-out listens). */
  "signal/published": { signalId: string; providerId: string };
  /** A signal changed after publication: stop moved, partial close, fill. */
  "signal/updated": { signalId: string; providerId: string; kind: string };
  /** A signal left the book (closed, cancelled, expired): stats roll-up, exit fan-out, notifications. */
  "signal/closed": { signalId: string; providerId: string; status: "closed" | "cancelled" | "expired" };
  /** A signal has copy fan-out rows to work through (sent after the commit that wrote them; `redrive` > 0 from the sweeper). */
  "copy/fanout.requested": { signalId: string; providerId: string; redrive: number };
  /**
   * A connection (a venue placing one order at a time) has planned copy orders to place; with `reconcile`, its run
   * then compares our ledger with the exchange account (services/exchanges/reconcile.ts), after placing, so the two
   * never race.
   */
  "copy/connection.requested": { connectionId: string; redrive: number; reconcile?: boolean };
  /** Copy orders a fan-out page or a follower's action settled (for notifications): ids by outcome. */
  "copy/orders.settled": { userIds: string[]; filled: string[]; skipped: string[]; rejected: string[] };
  /** A risk rule paused a following (daily loss limit reached, copy stop-loss hit). */
  "copy/risk.paused": { userId: string; providerId: string; reason: "daily_loss_limit" | "copy_stop_loss" };
  /** A kill switch was used: a follower's own, or the admin's for a provider or the whole platform. */
  "copy/kill-switch.used": { scope: "follower" | "following" | "provider" | "platform"; actorId: string; targetId: string | null; on: boolean };
  /** Emails were queued in the outbox (sent after the commit): the drain job sends them now instead of at its next tick. */
  "email/queued": { count: number };
  /** Channel deliveries were queued (sent after the commit): the channel drain sends them now instead of at its next tick. */
  "channel/queued": { count: number };
  /** A user signed up: the onboarding email sequence for their path starts (day 0, 1, 3, 7). */
  "user/signed-up": { userId: string; path: "trader" | "provider" };
}

export interface SendEventOptions {
  /**
   * Idempotency key: a second event with the same id within 24 h starts nothing (Inngest and the inline runner alike).
   * Use it for events emitted from retried code (webhooks).
   */
  id?: string;
}

export interface SentEvent {
  mode: JobsMode;
  ids: string[];
  /**
   * Inline mode: settles when every run the event started has finished (tests and scripts await it; request
   * handlers should not: nothing is tracked until it is awaited). Never rejects: failures are logged and reported in
   * the results. Inngest mode: [].
   */
  completion: Promise<RunResult[]>;
}

/**
 * Emits an event to the job runtime.
 * - Inngest mode: `inngest.send`; a failure is logged and rethrown so the caller decides (e.g. keep an outbox row).
 * - Inline mode: starts the matching runs in this process and returns without waiting for them.
 */
export async function sendEvent<K extends JobEventName>(
  name: K,
  data: JobEvents[K],
  options: SendEventOptions = {},
): Promise<SentEvent> {
  const event = { name, data, ...(options.id ? { id: options.id } : {}) } as CatalogueEvent;
  if (jobsMode() === "inngest") {
    try {
      const { ids } = await inngest.send(event);
      return { mode: "inngest", ids, completion: Promise.resolve([]) };
    } catch (error) {
      logger.error({ err: error, event: name }, "failed to send job event to Inngest");
      throw error;
    }
  }
  const { ids, completion } = await dispatchEvents([event]);
  return { mode: "inline", ids, completion };
}

/** Inngest takes at most this many events per send request. */
const INNGEST_SEND_CHUNK = 1_000;

/**
 * Emits many events of one name at once: one dispatch (one transaction) in inline mode, one request per
 * `INNGEST_SEND_CHUNK` events to Inngest. For fan-outs that start a run per account (a thousand connections): sent one
 * by one, their enqueues queue behind the runs already started and the runs trickle in.
 */
export async function sendEvents<K extends JobEventName>(name: K, items: readonly { data: JobEvents[K]; id?: string }[]): Promise<SentEvent> {
  const events = items.map(({ data, id }) => ({ name, data, ...(id ? { id } : {}) }) as CatalogueEvent);
  if (events.length === 0) return { mode: jobsMode(), ids: [], completion: Promise.resolve([]) };
  if (jobsMode() === "inngest") {
    const ids: string[] = [];
    try {
      for (let i = 0; i < events.length; i += INNGEST_SEND_CHUNK) ids.push(...(await inngest.send(events.slice(i, i + INNGEST_SEND_CHUNK))).ids);
      return { mode: "inngest", ids, completion: Promise.resolve([]) };
    } catch (error) {
      logger.error({ err: error, event: name, count: events.length, sent: ids.length }, "failed to send job events to Inngest");
      throw error;
    }
  }
  const { ids, completion } = await dispatchEvents(events);
  return { mode: "inline", ids, completion };
}

/**
 * What a signal change tells the rest of the app. Inside the writing transaction, a NOTIFY on the realtime channel
 * (delivered only if the change commits); after the commit, the job event the price monitor, copy fan-out and
 * roll-ups start from.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "@/server/db";
import type { SignalEventKind } from "@/server/db/schema";
import { sendEvent, type JobEvents } from "@/server/jobs/events";
import { logger } from "@/server/logger";
import { hasPendingFanout } from "./fanout-row";
import type { SignalRow } from "./types";

export const SIGNAL_CHANNEL = "tradsy_signals";

export interface SignalNotice {
  providerId: string;
  signalId: string;
  kind: SignalEventKind;
}

/** The NOTIFY inside the caller's transaction (the raw publication statement sends the same payload itself). */
export async function notify(tx: Executor, payload: SignalNotice) {
  await tx.execute(sql`select pg_notify(${SIGNAL_CHANNEL}, ${JSON.stringify(payload)})`);
}

type SignalJobEvent = Extract<keyof JobEvents, `signal/${string}`>;

export async function emit<K extends SignalJobEvent>(name: K, data: JobEvents[K]) {
  try {
    await sendEvent(name, data);
  } catch (err) {
    // The signal is committed; a lost job event is logged, and the price monitor and roll-up catch up on their own.
    logger.error({ err, name }, "could not emit job event");
  }
}

/**
 * After the commit of a signal event that wrote a copy fan-out row: the job event that starts the fan-out. A lost
 * send loses nothing: the row stays pending and the sweeper re-drives it.
 */
export async function requestCopyFanout(signalId: string, providerId: string): Promise<void> {
  try {
    await sendEvent("copy/fanout.requested", { signalId, providerId, redrive: 0 });
  } catch (err) {
    logger.error({ err, signalId }, "could not request the copy fan-out; the sweeper will re-drive it");
  }
}

/** After the commit of a change (`kind`: the last event it recorded): closed when it ended the signal, else updated. */
export async function afterChange(signal: SignalRow, kind: string) {
  if (await hasPendingFanout(signal.id)) await requestCopyFanout(signal.id, signal.providerId);
  if (signal.status === "closed" || signal.status === "cancelled" || signal.status === "expired") {
    await emit("signal/closed", { signalId: signal.id, providerId: signal.providerId, status: signal.status });
  } else {
    await emit("signal/updated", { signalId: signal.id, providerId: signal.providerId, kind });
  }
}

/** After the commit of `publishLocked`: the job event (the price monitor and copy fan-out start from it). */
export async function announcePublished(signal: SignalRow): Promise<void> {
  await emit("signal/published", { signalId: signal.id, providerId: signal.providerId });
  if (await hasPendingFanout(signal.id)) await requestCopyFanout(signal.id, signal.providerId);
}

/** After the commit of a change made under the provider's lock: the job event for it. */
export async function announceChange(signal: SignalRow, kind: SignalEventKind): Promise<void> {
  await afterChange(signal, kind);
}

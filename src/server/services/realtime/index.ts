/**
 * Realtime fan-out of signal changes. One LISTEN per process on the signals channel (PostgreSQL via postgres.js, or
 * PGlite, both support LISTEN/NOTIFY); each notification loads the signal row once and is broadcast in memory to
 * every open stream, which filters it by the viewer's entitlement without touching the database again.
 * Across several app replicas each process listens on its own, so every replica's clients get every change.
 */
import "server-only";
import { EventEmitter, on } from "node:events";
import { eq } from "drizzle-orm";
import { getDatabase, type DatabaseHandle } from "@/server/db";
import { signals } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { SignalEventKind } from "@/server/db/schema";
import type { Access } from "@/server/services/entitlements";
import { SIGNAL_CHANNEL, type SignalRow } from "@/server/services/signals";
import { toView, type SignalView } from "@/server/services/signals/views";

export interface SignalChange {
  providerId: string;
  signalId: string;
  kind: SignalEventKind;
  signal: SignalRow;
}

/** One change as a viewer receives it. "changed" stands for any change to a signal the viewer may not see. */
export interface LiveChange {
  kind: SignalEventKind | "changed";
  signal: SignalView;
}

/**
 * What a viewer with this access is sent of a change. INVARIANT: while a signal's levels are hidden from a viewer,
 * so is the kind of change ("stop_moved", "partial_close", "filled" would say what the provider just did): the
 * hidden view goes out with a neutral "changed".
 */
export function changeFor(change: SignalChange, access: Access): LiveChange {
  const signal = toView(change.signal, access);
  return { kind: signal.visibility === "hidden" ? "changed" : change.kind, signal };
}

interface Hub {
  emitter: EventEmitter;
  handle: DatabaseHandle | null;
  starting: Promise<void> | null;
  stop: (() => Promise<void>) | null;
}

const g = globalThis as unknown as { __tradsyRealtime?: Hub };
const hub: Hub = (g.__tradsyRealtime ??= { emitter: new EventEmitter(), handle: null, starting: null, stop: null });
hub.emitter.setMaxListeners(0);

/** The copy engine's NOTIFY (services/copy/paper.ts): these followers' positions or orders changed. */
const COPY_CHANNEL = "tradsy_copy";

function onCopyNotification(raw: string | undefined) {
  if (!raw) return;
  try {
    const payload = JSON.parse(raw) as { userIds?: unknown };
    if (Array.isArray(payload.userIds)) for (const id of payload.userIds) if (typeof id === "string") hub.emitter.emit(`copy:${id}`);
  } catch (err) {
    logger.error({ err }, "realtime: bad copy notification");
  }
}

async function onNotification(raw: string | undefined) {
  if (!raw) return;
  try {
    const payload = JSON.parse(raw) as { providerId: string; signalId: string; kind: SignalEventKind };
    const { db } = await getDatabase();
    const signal = await db.query.signals.findFirst({ where: eq(signals.id, payload.signalId) });
    if (signal) hub.emitter.emit("change", { ...payload, signal } satisfies SignalChange);
  } catch (err) {
    logger.error({ err }, "realtime: bad notification");
  }
}

/** Starts listening on the current database (idempotent; re-binds when tests swap the database). */
export async function startRealtime(): Promise<void> {
  const handle = await getDatabase();
  if (hub.handle === handle && hub.starting) return hub.starting;
  if (hub.stop) await hub.stop().catch(() => {});
  hub.handle = handle;
  hub.starting = (async () => {
    if (handle.kind === "pglite") {
      const pg = handle.driver as { listen: (ch: string, cb: (p: string) => void) => Promise<() => Promise<void>> };
      const unlisten = await pg.listen(SIGNAL_CHANNEL, (p) => void onNotification(p));
      const unlistenCopy = await pg.listen(COPY_CHANNEL, onCopyNotification);
      hub.stop = async () => {
        await unlisten();
        await unlistenCopy();
      };
    } else {
      const sql = handle.driver as { listen: (ch: string, cb: (p: string) => void) => Promise<{ unlisten: () => Promise<void> }> };
      const sub = await sql.listen(SIGNAL_CHANNEL, (p) => void onNotification(p));
      const copySub = await sql.listen(COPY_CHANNEL, onCopyNotification);
      hub.stop = async () => {
        await sub.unlisten();
        await copySub.unlisten();
      };
    }
  })();
  return hub.starting;
}

export async function stopRealtime(): Promise<void> {
  const stop = hub.stop;
  hub.stop = null;
  hub.starting = null;
  hub.handle = null;
  if (stop) await stop().catch(() => {});
}

/** Async stream of changes for one consumer; ends when `signal` aborts. */
export async function* signalChanges(abort?: AbortSignal): AsyncGenerator<SignalChange> {
  await startRealtime();
  try {
    for await (const [change] of on(hub.emitter, "change", { signal: abort })) {
      yield change as SignalChange;
    }
  } catch (err) {
    if ((err as { name?: string }).name !== "AbortError") throw err;
  }
}

/**
 * Ticks whenever this user's copy positions or orders change (fills, exits, closes, resets): the copy page refetches
 * its queries on each. Bursts arriving together coalesce into one tick. Ends when `abort` aborts.
 */
export async function* copyChanges(userId: string, abort?: AbortSignal): AsyncGenerator<{ at: number }> {
  await startRealtime();
  let pending = false;
  let wake: (() => void) | null = null;
  const onChange = () => {
    pending = true;
    wake?.();
  };
  hub.emitter.on(`copy:${userId}`, onChange);
  const onAbort = () => wake?.();
  abort?.addEventListener("abort", onAbort);
  try {
    while (!abort?.aborted) {
      if (!pending) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if (abort?.aborted) break;
      pending = false;
      yield { at: Date.now() };
    }
  } finally {
    hub.emitter.off(`copy:${userId}`, onChange);
    abort?.removeEventListener("abort", onAbort);
  }
}

export function listenerCount(): number {
  return hub.emitter.listenerCount("change");
}

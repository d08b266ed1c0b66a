/**
 * Realtime fan-out of signal changes. One LISTEN per process on the signals channel (PostgreSQL via postgres.js, or
 * PGlite, both support LISTEN/NOTIFY); each notification loads the signal row once and is broadcast in memory to
 * every open stream, which filters it by the viewer's entitlement without touching the database again.
 * Across several app replicas each process listens on its own, so every replica's clients get every change.
 *
 * The broadcast is handed out a slice of streams per event-loop turn, not to every stream at once. What a stream does
 * with a change after it leaves here (tRPC's SSE framing, superjson, the web streams between it and Next's response,
 * each promise paying for the AsyncLocalStorage hooks) is a chain of microtasks; started for 1,000 streams at once,
 * those chains interleave in one microtask queue, every stream's intermediate objects are alive together (the
 * garbage collector took a quarter of the time), and no socket is written until nearly all the work is done: the
 * first client waited as long as the last (bench/copy.ts, 1,000 clients: nothing for ~300-650 ms, then everyone).
 * A slice runs to its sockets before the next starts: the first clients have the change within ~15-25 ms, and the
 * same work costs less (in a model of the pipeline, about half the CPU, most of the saving in garbage collection).
 */
import "server-only";
import { EventEmitter } from "node:events";
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
  // Every stream receives the same change object: its view is built once per access, not once per stream.
  let byAccess = views.get(change);
  if (!byAccess) views.set(change, (byAccess = new Map()));
  let view = byAccess.get(access);
  if (!view) {
    const signal = toView(change.signal, access);
    byAccess.set(access, (view = { kind: signal.visibility === "hidden" ? "changed" : change.kind, signal }));
  }
  return view;
}

const views = new WeakMap<SignalChange, Map<Access, LiveChange>>();

/** One open stream's changes not yet read, in order, and the wake-up of its read waiting for the next. */
interface Inbox {
  queue: SignalChange[];
  wake: (() => void) | null;
}

/** A change being handed out: the streams open when it arrived, and how many have it already. */
interface Broadcast {
  change: SignalChange;
  to: Inbox[];
  done: number;
}

interface Hub {
  emitter: EventEmitter;
  /** Every open `signalChanges` stream. */
  inboxes: Set<Inbox>;
  /** Broadcasts in arrival order; only the first is being handed out (so no stream sees a later change first). */
  outbox: Broadcast[];
  draining: boolean;
  handle: DatabaseHandle | null;
  starting: Promise<void> | null;
  stop: (() => Promise<void>) | null;
}

const g = globalThis as unknown as { __tradsyRealtime?: Hub };
const hub: Hub = (g.__tradsyRealtime ??= { emitter: new EventEmitter(), inboxes: new Set(), outbox: [], draining: false, handle: null, starting: null, stop: null });
hub.emitter.setMaxListeners(0);

/**
 * Streams handed a change per event-loop turn. Small enough that a slice's chains reach their sockets while young,
 * large enough that the turns between slices cost little: 20 to 100 measured alike; all at once took twice the CPU.
 */
const SLICE = 32;

function deliver(inbox: Inbox, change: SignalChange) {
  inbox.queue.push(change);
  const wake = inbox.wake;
  inbox.wake = null;
  wake?.();
}

/** Hands out one slice, then yields the event loop (the slice's streams run to their sockets) before the next. */
function drain() {
  let budget = SLICE;
  while (budget > 0 && hub.outbox.length) {
    const b = hub.outbox[0]!;
    while (budget > 0 && b.done < b.to.length) {
      deliver(b.to[b.done++]!, b.change);
      budget--;
    }
    if (b.done === b.to.length) hub.outbox.shift();
  }
  if (hub.outbox.length) setImmediate(drain);
  else hub.draining = false;
}

function broadcast(change: SignalChange) {
  if (hub.inboxes.size === 0) return;
  hub.outbox.push({ change, to: [...hub.inboxes], done: 0 });
  if (!hub.draining) {
    hub.draining = true;
    drain();
  }
}

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
    if (signal) broadcast({ ...payload, signal });
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

/** Async stream of changes for one consumer, in the order they arrived; ends when `abort` aborts. */
export async function* signalChanges(abort?: AbortSignal): AsyncGenerator<SignalChange> {
  await startRealtime();
  const inbox: Inbox = { queue: [], wake: null };
  const onAbort = () => {
    const wake = inbox.wake;
    inbox.wake = null;
    wake?.();
  };
  hub.inboxes.add(inbox);
  abort?.addEventListener("abort", onAbort);
  try {
    while (!abort?.aborted) {
      const change = inbox.queue.shift();
      if (change) yield change;
      else await new Promise<void>((resolve) => (inbox.wake = resolve));
    }
  } finally {
    hub.inboxes.delete(inbox);
    abort?.removeEventListener("abort", onAbort);
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

/** Open signal-change streams (tests wait for their streams to be listening). */
export function listenerCount(): number {
  return hub.inboxes.size;
}

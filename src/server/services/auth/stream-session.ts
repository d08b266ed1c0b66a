/**
 * Live streams (signals.live, copy.live: SSE) outlive the request that opened them, so the session checks the Auth.js
 * `jwt` callback makes on every request are made again while a stream runs: on a timer, so a signed-out, revoked or
 * password-changed session's streams end within SESSION_RECHECK_MS even when nothing is sent on them. The client
 * then reconnects as whoever it now is (or no one).
 */
import "server-only";
import { logger } from "@/server/logger";
import { loadSessionUser } from "./index";
import { sessionRowAlive } from "./user-sessions";

/** How often an open stream re-checks the session that opened it. */
export const SESSION_RECHECK_MS = 30_000;

/** The session a stream was opened with, as tRPC's context has it. */
export interface StreamSession {
  user: { id: string };
  /** Sessions from before versions existed count as 0, as the jwt callback counts them. */
  sessionVersion?: number;
  /** Absent for sessions made without Auth.js (tests, server callers): they have no row to check. */
  sessionId?: string;
}

/**
 * Whether the session still resolves, by the jwt callback's rules: the account exists, no password change or reset
 * ended the session (its version), and its user_sessions row is not revoked (signed out, from the devices list or
 * by "sign out all").
 */
async function streamSessionAlive(session: StreamSession): Promise<boolean> {
  // One query, as the jwt callback's: the account (deleted: null) and the session's row beside it.
  const fresh = await loadSessionUser(session.user.id, session.sessionId);
  if (!fresh || fresh.sessionVersion !== (session.sessionVersion ?? 0)) return false;
  return !session.sessionId || (await sessionRowAlive(session.sessionId, fresh.id, fresh.sessionRow, new Date()));
}

export interface SessionWatch {
  /** Aborts when `parent` does (the client went away) or when a check finds the session ended. */
  signal: AbortSignal;
  /** Stops the timer: call it when the stream ends (in `finally`). */
  stop: () => void;
}

/**
 * Watches the session that opened a stream: every `everyMs` its checks run again (one at a time), and the returned
 * signal aborts once they fail. A visitor's stream (no session) is only tied to `parent`. A check that throws (the
 * database unreachable) ends the stream too: the reconnect goes through the request's own checks.
 */
export function watchStreamSession(session: StreamSession | null, parent: AbortSignal | undefined, everyMs: number = SESSION_RECHECK_MS): SessionWatch {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort();
  if (parent?.aborted) controller.abort();
  else parent?.addEventListener("abort", onParentAbort, { once: true });
  let checking = false;
  const timer = session
    ? setInterval(() => {
        if (checking || controller.signal.aborted) return;
        checking = true;
        streamSessionAlive(session)
          .then(
            (alive) => {
              if (!alive) controller.abort();
            },
            (err: unknown) => {
              logger.warn({ err }, "live stream: session check failed; ending the stream");
              controller.abort();
            },
          )
          .finally(() => {
            checking = false;
          });
      }, everyMs)
    : null;
  // An idle stream's timer alone must not keep a process (a script, a test run) alive.
  timer?.unref?.();
  return {
    signal: controller.signal,
    stop: () => {
      if (timer) clearInterval(timer);
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
}

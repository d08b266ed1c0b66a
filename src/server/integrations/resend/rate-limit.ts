/**
 * Resend's rate limit as its answers state it (headers `ratelimit-limit`, `ratelimit-remaining`, `ratelimit-reset`
 * in seconds until the window resets, and `retry-after` in seconds on a 429). Nothing here assumes a rate: the
 * team's limit (its docs have said 2, later 5 requests a second) is read from every answer.
 */
import "server-only";

/** Milliseconds a `retry-after` value asks for: delta-seconds (decimals tolerated) or an HTTP date. Null when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | null {
  if (value == null || value.trim() === "") return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const seconds = (value: string | null | undefined): number | null => (value != null && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : null);

/** The wait an answer imposes before the next request: how long, and why (for logs and the outbox's last error). */
export interface RateLimitWait {
  ms: number;
  reason: "retry-after" | "window-exhausted";
}

/**
 * What the headers of one answer say about the next request. A 429 waits `retry-after` (else `ratelimit-reset`,
 * else one second: a 429 with no hint still means slow down); any other answer whose `ratelimit-remaining` is 0
 * waits until the window resets. Null: go ahead.
 */
export function waitAfter(status: number | null, headers: Record<string, string> | null, now = Date.now()): RateLimitWait | null {
  const h = headers ?? {};
  if (status === 429) {
    const ms = retryAfterMs(h["retry-after"], now) ?? (seconds(h["ratelimit-reset"]) ?? 1) * 1000;
    return { ms: Math.ceil(ms), reason: "retry-after" };
  }
  const remaining = seconds(h["ratelimit-remaining"]);
  const reset = seconds(h["ratelimit-reset"]);
  if (remaining === 0 && reset !== null) return { ms: Math.ceil(reset * 1000), reason: "window-exhausted" };
  return null;
}

/**
 * The one gate every request of a sender passes: requests wait until the time the last answer allowed. Shared by
 * the sender's requests in this process (the drain job sends one email at a time, so this is all the pacing needed;
 * another process's requests show up in the headers of ours).
 */
export class RateLimitGate {
  private openAt = 0;
  constructor(
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** When the next request may go (epoch ms); 0 when it may go now. */
  get nextAllowedAt(): number {
    return this.openAt > this.clock() ? this.openAt : 0;
  }

  async pass(): Promise<void> {
    const wait = this.openAt - this.clock();
    if (wait > 0) await this.sleep(wait);
  }

  /** Records what an answer said. */
  observe(status: number | null, headers: Record<string, string> | null): RateLimitWait | null {
    const now = this.clock();
    const wait = waitAfter(status, headers, now);
    if (wait) this.openAt = Math.max(this.openAt, now + wait.ms);
    return wait;
  }
}

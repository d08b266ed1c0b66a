/**
 * The outbox drain: sends queued emails through the configured sender, oldest first, one request per email, and
 * records the outcome on the row. Run by the `email-drain` job (every minute, and on "email/queued").
 *
 * INVARIANT: an email is sent at most once, across retries, concurrent drains and crashes. Each row is claimed by
 * moving its `next_attempt_at` a lease ahead (FOR UPDATE SKIP LOCKED: two drains never claim one row), sent with its
 * row id as the provider's idempotency key, and marked sent only while still queued. A drain that dies between the
 * provider's acceptance and our update leaves the row queued with its lease; once the lease has passed it is sent
 * again with the same key, which the provider (Resend keeps a key 24 h) answers with the first message's id instead
 * of sending it twice.
 *
 * Failures: a 429 is the provider's rate limit, not the email's fault: the row waits at least the provider's delay
 * and the attempt is not counted. Other retryable failures (5xx, no answer, 401/403) count an attempt and wait an
 * exponential back-off (30 s doubling, at most 1 h, never less than a retry-after); the 8th failed attempt, or a
 * refusal of the email itself (422), marks it failed. A suppressed address (bounced, complained) is never sent to.
 */
import "server-only";
import { and, asc, eq, isNull, lte, min, or, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { emailOutbox, emailSuppressions } from "@/server/db/schema";
import { EmailSendError, type EmailSender } from "@/server/integrations/resend";
import { logger } from "@/server/logger";
import { noMaintenance } from "@/server/services/maintenance";
import { scrubFarewell } from "@/server/services/privacy/farewell";
import { renderForDelivery } from "./outbox";

/**
 * 20 attempts with the back-off below span about 13 hours: an outage of the provider or the network (or a key being
 * rotated) of an evening loses nothing, and the last retry is still inside the 24 h Resend keeps an idempotency key.
 */
export const MAX_SEND_ATTEMPTS = 20;
/** How long a claimed row is left alone by other drains (and after a crash, before it is tried again). */
export const CLAIM_LEASE_MS = 5 * 60_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;

/** The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … at most 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export interface DrainOptions {
  sender: EmailSender;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Stop claiming new rows after this long (the cron starts the next run a minute later). */
  maxRunMs?: number;
  /** The longest wait for the rate limit or a soon-due retry inside one run; longer ones are left to a later run. */
  maxInlineWaitMs?: number;
}

export interface DrainResult {
  sent: number;
  suppressed: number;
  /** Failed attempts that will be retried. */
  retrying: number;
  /** Rate-limited (429) requests; the row is retried after the provider's delay. */
  rateLimited: number;
  failed: number;
}

type Row = typeof emailOutbox.$inferSelect;

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const describe = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

/**
 * Claims the oldest due queued row (transactional ones first), or null when none is due or a maintenance window is
 * open (services/maintenance: a restore stops every drain, here and under Inngest, through this one claim). Two statements in one transaction rather than
 * `UPDATE … WHERE id IN (SELECT … LIMIT 1 FOR UPDATE SKIP LOCKED)`: PostgreSQL may run such a subquery more than
 * once, and with SKIP LOCKED each run returns another row (measured here: one claim took two).
 */
async function claimNext(now: Date): Promise<Row | null> {
  return db.transaction(async (tx) => {
    const [due] = await tx
      .select({ id: emailOutbox.id })
      .from(emailOutbox)
      .where(and(eq(emailOutbox.status, "queued"), or(isNull(emailOutbox.nextAttemptAt), lte(emailOutbox.nextAttemptAt, now)), noMaintenance()))
      // Transactional email first (verification, reset, receipts, security): a burst of alerts or digests at the
      // provider's few requests a second must not hold a password reset back.
      .orderBy(sql`${emailOutbox.stream} <> 'transactional'`, asc(emailOutbox.createdAt), asc(emailOutbox.id))
      .limit(1)
      .for("update", { skipLocked: true });
    if (!due) return null;
    const [row] = await tx
      .update(emailOutbox)
      .set({ nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS) })
      .where(eq(emailOutbox.id, due.id))
      .returning();
    return row ?? null;
  });
}

/** When the next queued row falls due (not counting rows due now), or null. */
async function nextDueAt(): Promise<Date | null> {
  const [row] = await db.select({ at: min(emailOutbox.nextAttemptAt) }).from(emailOutbox).where(eq(emailOutbox.status, "queued"));
  return row?.at ?? null;
}

/** Updates a row we claimed, as long as nobody finished it meanwhile. */
const stillQueued = (id: string) => and(eq(emailOutbox.id, id), eq(emailOutbox.status, "queued"));

async function suppressionOf(address: string): Promise<string | null> {
  const [row] = await db.select({ reason: emailSuppressions.reason }).from(emailSuppressions).where(eq(emailSuppressions.email, address.trim().toLowerCase()));
  return row?.reason ?? null;
}

type Outcome = "sent" | "suppressed" | "retrying" | "rateLimited" | "failed";

/** Sends one claimed row and records what happened. Throws only what is not a send error (a bug, a dying process). */
async function deliverClaimed(row: Row, sender: EmailSender, now: () => Date): Promise<Outcome> {
  const suppressed = await suppressionOf(row.to);
  if (suppressed) {
    // Never sent: its one-time links go too, so nothing in the outbox holds a live token for it.
    await db
      .update(emailOutbox)
      .set({ status: "suppressed", nextAttemptAt: null, oneTimeLinksEnc: null, lastError: `Not sent: the address is suppressed (${suppressed})` })
      .where(stillQueued(row.id));
    return "suppressed";
  }
  let email;
  try {
    email = renderForDelivery(row);
  } catch (err) {
    await db.update(emailOutbox).set({ status: "failed", nextAttemptAt: null, lastError: `Cannot be sent: ${describe(err)}` }).where(stillQueued(row.id));
    return "failed";
  }
  try {
    const { providerMessageId } = await sender.send(email);
    await db
      .update(emailOutbox)
      .set({ status: "sent", sentAt: now(), providerMessageId, oneTimeLinksEnc: null, nextAttemptAt: null, attempts: sql`${emailOutbox.attempts} + 1` })
      .where(stillQueued(row.id));
    return "sent";
  } catch (err) {
    if (!(err instanceof EmailSendError)) throw err;
    const at = now().getTime();
    if (err.rateLimited) {
      await db
        .update(emailOutbox)
        .set({ nextAttemptAt: new Date(at + (err.retryAfterMs ?? 1000)), lastError: describe(err) })
        .where(stillQueued(row.id));
      return "rateLimited";
    }
    const attempts = row.attempts + 1;
    if (!err.retryable || attempts >= MAX_SEND_ATTEMPTS) {
      await db.update(emailOutbox).set({ status: "failed", attempts, nextAttemptAt: null, lastError: describe(err) }).where(stillQueued(row.id));
      return "failed";
    }
    const wait = Math.max(backoffMs(attempts), err.retryAfterMs ?? 0);
    await db.update(emailOutbox).set({ attempts, nextAttemptAt: new Date(at + wait), lastError: describe(err) }).where(stillQueued(row.id));
    return "retrying";
  }
}

/** Sends every due queued email, one at a time, for at most `maxRunMs`. */
export async function drainEmailOutbox(options: DrainOptions): Promise<DrainResult> {
  const { sender, clock = () => new Date(), sleep = realSleep, maxRunMs = 50_000, maxInlineWaitMs = 10_000 } = options;
  const result: DrainResult = { sent: 0, suppressed: 0, retrying: 0, rateLimited: 0, failed: 0 };
  const deadline = clock().getTime() + maxRunMs;
  /** Waits until `at` when that is soon and within the run; false when the run should stop instead. */
  const waitUntil = async (at: number): Promise<boolean> => {
    const ms = at - clock().getTime();
    if (ms <= 0) return true;
    if (ms > maxInlineWaitMs || at > deadline) return false;
    await sleep(ms);
    return true;
  };
  while (clock().getTime() < deadline) {
    // The rate limit's wait happens here, between rows, not inside a claimed send.
    if (!(await waitUntil(sender.readyAt?.() ?? 0))) break;
    const claimedAt = clock();
    const row = await claimNext(claimedAt);
    if (!row) {
      const next = await nextDueAt();
      // A row due at the claim's time that we could not claim is another drain's (locked): leave it to that one. One
      // due since (the clock moved on during the claim) is waited for (no wait) and claimed on the next turn.
      if (next && next.getTime() > claimedAt.getTime() && (await waitUntil(next.getTime()))) continue;
      break;
    }
    const outcome = await deliverClaimed(row, sender, clock);
    // A deleted account's farewell keeps its address and body only until it is done with (privacy/farewell.ts).
    if (outcome === "sent" || outcome === "suppressed" || outcome === "failed") await scrubFarewell(row);
    result[outcome] += 1;
  }
  if (result.failed || result.retrying || result.rateLimited) logger.warn({ ...result }, "email drain: some emails were not sent");
  return result;
}

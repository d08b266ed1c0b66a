/**
 * The farewell alert of a deleted account ("your account was deleted") is the one email row that keeps the old
 * address, name and body after the deletion: it must reach that address. Once it is done with (sent, refused by the
 * suppression list, or failed for good) it is erased like the rest of their emails, so the outbox does not keep
 * them forever. The email drain and the direct delivery call `scrubFarewell` after every final outcome.
 */
import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { emailOutbox } from "@/server/db/schema";

/** The address a deleted account's row keeps: unique (the id), never deliverable (RFC 2606 `.invalid`). */
export const deletedEmail = (userId: string): string => `deleted-${userId}@deleted.invalid`;

/** The outbox kind of the farewell alert (security alert reason `account_deleted`). */
export const FAREWELL_KIND = "security_account_deleted";

export const ERASED_BODY = "(erased: the account was deleted)";

/** Erases a finished farewell row's address, body and links; anything else (or a queued row) is left alone. */
export async function scrubFarewell(row: { id: string; kind: string; userId: string | null }): Promise<void> {
  if (row.kind !== FAREWELL_KIND || !row.userId) return;
  await db
    .update(emailOutbox)
    .set({ to: deletedEmail(row.userId), subject: ERASED_BODY, html: ERASED_BODY, text: ERASED_BODY, oneTimeLinksEnc: null, unsubscribeUrl: null })
    .where(and(eq(emailOutbox.id, row.id), eq(emailOutbox.kind, FAREWELL_KIND), inArray(emailOutbox.status, ["sent", "failed", "suppressed"])));
}

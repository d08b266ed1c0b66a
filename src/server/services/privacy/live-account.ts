/**
 * Writes that store secrets for an account (an exchange key, say) made from a request that passed its session check
 * just before the account was deleted: the erase transaction holds the users row FOR UPDATE, so a writer that takes
 * the row FOR SHARE in its own transaction either commits first (and is erased with the rest) or waits, then sees
 * `deletedAt` and refuses. Without it such a write could land after the erase and keep a live secret on a deleted
 * account.
 */
import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/server/db";
import { users } from "@/server/db/schema";
import { UnauthorizedError } from "@/server/errors";

/** Locks the account's row for this transaction; throws when it was deleted (or is missing). */
export async function lockLiveAccount(tx: Executor, userId: string): Promise<void> {
  const [row] = await tx.select({ deletedAt: users.deletedAt }).from(users).where(eq(users.id, userId)).for("share");
  if (!row || row.deletedAt) throw new UnauthorizedError("This account was deleted");
}

/** Probes shared by the email outbox tests. */
import { eq } from "drizzle-orm";
import { db } from "@/server/db";
import { emailOutbox, users } from "@/server/db/schema";
import { callerFor, createUser } from "./factories";

/** The (one) outbox row of an email kind. */
export async function outboxRow(kind: string) {
  const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.kind, kind));
  if (!row) throw new Error(`no ${kind} email`);
  return row;
}

/**
 * A tRPC caller acting as a new admin, with two-factor sign-in on: some of these tests run as production, where the
 * admin area refuses an admin without it (issue 17).
 */
export async function adminCaller() {
  const admin = await createUser("admin");
  await db.update(users).set({ totpEnabledAt: new Date() }).where(eq(users.id, admin.id));
  return callerFor({ ...admin, twoFactorEnabled: true });
}

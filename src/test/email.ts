/** Probes shared by the email outbox tests. */
import { eq } from "drizzle-orm";
import { db } from "@/server/db";
import { emailOutbox } from "@/server/db/schema";
import { callerFor, createUser } from "./factories";

/** The (one) outbox row of an email kind. */
export async function outboxRow(kind: string) {
  const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.kind, kind));
  if (!row) throw new Error(`no ${kind} email`);
  return row;
}

/** A tRPC caller acting as a new admin. */
export async function adminCaller() {
  return callerFor(await createUser("admin"));
}

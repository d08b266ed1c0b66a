"use server";
/**
 * After a password change, the browser that made it presents the renewal it was given, so its own session moves
 * to the account's new session version while every other session stays ended. A server action because only a
 * server action (or a non-streamed route response) can set the re-issued cookie: the tRPC mutation's response is
 * streamed, its headers gone before the procedure finishes.
 */
import { z } from "zod";
import { updateSession } from "./index";

const renewalSchema = z.string().min(1).max(1000);

export async function renewSession(sessionRenewal: string): Promise<{ signedIn: boolean }> {
  const parsed = renewalSchema.safeParse(sessionRenewal);
  // Without a usable renewal the update still runs: it answers whether this session is alive, and changes nothing.
  const session = await updateSession({ sessionRenewal: parsed.success ? parsed.data : undefined } as never);
  return { signedIn: Boolean(session?.user) };
}

import { TRPCError } from "@trpc/server";
/** Builders for integration tests: users of each role and tRPC callers acting as them. */
import { createCaller } from "@/server/api/root";
import { createTRPCContext, type SessionUser } from "@/server/api/trpc";
import { signUp } from "@/server/services/auth";
import { serviceContext } from "@/server/services/context";
import { db } from "@/server/db";
import { users, type UserRole } from "@/server/db/schema";
import { eq } from "drizzle-orm";

let n = 0;
export const uniqueEmail = (tag = "user") => `${tag}-${Date.now().toString(36)}-${++n}@example.com`;

export async function callerFor(user: SessionUser | null, ip = "203.0.113.7") {
  const headers = new Headers({ "x-forwarded-for": ip });
  return createCaller(await createTRPCContext({ headers, session: user ? { user } : null }));
}

export async function createUser(role: UserRole, overrides: { name?: string; email?: string; password?: string } = {}) {
  const signUpRole = role === "admin" ? "subscriber" : role;
  const created = await signUp(serviceContext(), {
    name: overrides.name ?? `Test ${role} ${++n}`,
    email: overrides.email ?? uniqueEmail(role),
    password: overrides.password ?? "correct horse battery",
    role: signUpRole,
    acceptDisclaimer: true,
    acceptTerms: true,
  });
  if (role === "admin") await db.update(users).set({ role: "admin" }).where(eq(users.id, created.id));
  return { id: created.id, email: created.email, role } satisfies SessionUser & { email: string };
}

export async function signedIn(role: UserRole) {
  const user = await createUser(role);
  return { user, caller: await callerFor(user) };
}

/** The tRPC error code a call fails with, or "OK" when it succeeds. */
export async function trpcCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

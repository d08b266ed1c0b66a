import "server-only";
import { forbidden, redirect } from "next/navigation";
import { adminAreaAccess } from "@/server/services/auth/two-factor";
import { auth } from "./index";

/** For server layouts/pages: a signed-in, onboarded user, or a redirect to where they must go first. */
export async function requireUser(callbackPath?: string) {
  const session = await auth();
  if (!session) redirect(callbackPath ? `/signin?callbackUrl=${encodeURIComponent(callbackPath)}` : "/signin");
  if (!session.user.onboarded) redirect("/welcome");
  return session.user;
}

/**
 * The admin area: anyone else signed in gets a 403 (app/forbidden.tsx says the area is for administrators and links
 * to their own home) rather than a silent redirect. forbidden() needs `experimental.authInterrupts` (next.config.ts).
 */
export async function requireAdmin() {
  const user = await requireUser("/admin");
  const access = adminAreaAccess(user);
  if (access === "not_admin") forbidden();
  // Issue 17: in production an admin account without two-factor sign-in is sent to turn it on first (the session
  // re-reads it on every resolve, so an admin reset takes effect at once). adminProcedure refuses the same way.
  if (access === "needs_two_factor") redirect("/settings/security?required=admin");
  return user;
}

import "server-only";
import { redirect } from "next/navigation";
import { auth } from "./index";

/** For server layouts/pages: a signed-in, onboarded user, or a redirect to where they must go first. */
export async function requireUser(callbackPath?: string) {
  const session = await auth();
  if (!session) redirect(callbackPath ? `/signin?callbackUrl=${encodeURIComponent(callbackPath)}` : "/signin");
  if (!session.user.onboarded) redirect("/welcome");
  return session.user;
}

export async function requireAdmin() {
  const user = await requireUser("/admin");
  if (user.role !== "admin") redirect("/dashboard");
  return user;
}

import "server-only";
import { forbidden } from "next/navigation";
import { requireUser } from "./guards";

/**
 * Provider-only pages: other roles get a 403 inside the app's shell ((app)/forbidden.tsx says the page is for
 * providers and links to their own home) rather than a silent redirect to the dashboard.
 */
export async function requireProvider(path: string) {
  const user = await requireUser(path);
  if (user.role !== "provider") forbidden();
  return user;
}

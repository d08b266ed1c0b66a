import "server-only";
import { redirect } from "next/navigation";
import { requireUser } from "./guards";

/** Provider-only pages: other roles go back to their dashboard. */
export async function requireProvider(path: string) {
  const user = await requireUser(path);
  if (user.role !== "provider") redirect("/dashboard");
  return user;
}

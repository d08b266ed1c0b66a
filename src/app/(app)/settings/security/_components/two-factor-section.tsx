import { requireUser } from "@/server/auth/guards";
import { api } from "@/trpc/server";
import { TwoFactorPanel } from "./two-factor-panel";

/** Settings → Security → Two-factor sign-in: its state from the server; turning it on and off happens in the panel. */
export async function TwoFactorSection() {
  const user = await requireUser("/settings/security");
  const caller = await api();
  const status = await caller.twoFactor.status();
  return <TwoFactorPanel status={status} email={user.email} />;
}

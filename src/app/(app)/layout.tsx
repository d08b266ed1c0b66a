import type { ReactNode } from "react";
import { requireUser } from "@/server/auth/guards";
import { signOutAction } from "@/server/auth/sign-out";
import { AppShell } from "@/components/shell/app-shell";
import { navFor } from "@/components/shell/nav";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser("/dashboard");
  return (
    <AppShell user={user} nav={navFor(user.role)} navLabel="Main" signOut={signOutAction}>
      {children}
    </AppShell>
  );
}

import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { ADMIN_NAV } from "@/components/shell/nav";
import { requireAdmin } from "@/server/auth/guards";
import { signOutAction } from "@/server/auth/sign-out";

export const metadata: Metadata = { title: { default: "Admin", template: "%s · Admin · Tradsy" }, robots: { index: false } };

/** Every admin page is behind this guard; the admin router checks the role again on each procedure. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireAdmin();
  return (
    <AppShell user={user} nav={ADMIN_NAV} navLabel="Admin" signOut={signOutAction}>
      {children}
    </AppShell>
  );
}

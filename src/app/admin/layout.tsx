import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { env } from "@/env";
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
      {/* Production refuses these pages without two-factor sign-in (requireAdmin); elsewhere the demo admin is told. */}
      {env.NODE_ENV !== "production" && !user.twoFactorEnabled ? <TwoFactorBanner /> : null}
      {children}
    </AppShell>
  );
}

function TwoFactorBanner() {
  return (
    <div role="status" data-testid="admin-two-factor-banner" className="mb-6 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
      <span className="font-medium">Turn on two-factor sign-in: in production the admin area requires it.</span>{" "}
      <Link href="/settings/security" className="font-medium whitespace-nowrap underline underline-offset-2">
        Go to Security settings
      </Link>
    </div>
  );
}

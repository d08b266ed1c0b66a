import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { navFor } from "@/components/shell/nav";
import { SiteFooter, SiteHeader } from "@/components/shell/site-header";
import { auth } from "@/server/auth";
import { signOutAction } from "@/server/auth/sign-out";

/**
 * A public section's layout (the marketplace, the Strategy Library): inside the app shell for onboarded users, with
 * the site header for everyone else.
 */
export async function PublicLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (session?.user.onboarded) {
    return (
      <AppShell user={session.user} nav={navFor(session.user.role)} navLabel="Main" signOut={signOutAction}>
        {children}
      </AppShell>
    );
  }
  return (
    <div className="flex min-h-dvh flex-col">
      <SiteHeader signedIn={Boolean(session)} />
      <main id="main" className="flex-1">
        <div className="mx-auto max-w-6xl px-4 py-8 sm:px-6 lg:py-10">{children}</div>
      </main>
      <SiteFooter />
    </div>
  );
}

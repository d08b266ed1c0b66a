import type { Metadata } from "next";
import { SiteFooter, SiteHeader } from "@/components/shell/site-header";
import { ForbiddenNotice } from "@/components/shell/forbidden-notice";
import { USER_ROLE } from "@/lib/labels";
import { auth } from "@/server/auth";

export const metadata: Metadata = { title: "Not for this account" };

/**
 * A 403 outside the app's shell. Its one caller is the admin area: its layout's requireAdmin refuses anyone else, and
 * a layout's forbidden() is caught here, above it. (Provider pages have their own, in (app)/forbidden.tsx.) A new
 * caller of forbidden() outside those two needs a forbidden.tsx of its own that says whom its pages are for.
 */
export default async function AdminAreaForbidden() {
  const session = await auth();
  const role = session?.user.role ?? "subscriber";
  return (
    <div className="flex min-h-dvh flex-col">
      <SiteHeader signedIn={Boolean(session)} />
      <main id="main" className="flex flex-1 items-center justify-center px-4">
        <ForbiddenNotice title="This page is for administrators" role={role}>
          <p>
            You&rsquo;re signed in with a {USER_ROLE[role].label.toLowerCase()} account. The admin area (accounts, the email outbox, the
            audit log) is for Tradsy&rsquo;s administrators.
          </p>
        </ForbiddenNotice>
      </main>
      <SiteFooter />
    </div>
  );
}

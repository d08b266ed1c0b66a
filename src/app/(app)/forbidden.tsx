import type { Metadata } from "next";
import { ForbiddenNotice } from "@/components/shell/forbidden-notice";
import { auth } from "@/server/auth";

export const metadata: Metadata = { title: "For signal providers" };

/**
 * A 403 inside the app's shell (the menu stays): what requireProvider shows anyone else who opens a provider's page
 * (/signals, /subscribers, /revenue), the one forbidden() in this part of the app.
 */
export default async function ProviderPageForbidden() {
  const session = await auth();
  const role = session?.user.role ?? "subscriber";
  return (
    <ForbiddenNotice title="This page is for signal providers" role={role}>
      {role === "admin" ? (
        <p>
          You&rsquo;re signed in with an admin account. A provider&rsquo;s signals, subscribers and revenue are theirs to manage; the
          admin overview shows every account.
        </p>
      ) : (
        <p>
          You&rsquo;re signed in with a trader account. Publishing signals, subscribers and revenue are a provider&rsquo;s tools; as a
          trader you follow providers and their signals reach your dashboard.
        </p>
      )}
    </ForbiddenNotice>
  );
}

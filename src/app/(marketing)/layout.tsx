import type { ReactNode } from "react";
import { SiteFooter, SiteHeader } from "@/components/shell/site-header";
import { auth } from "@/server/auth";

/** Public pages: the landing page and the legal texts. Sections own their own width, so `main` is full-bleed. */
export default async function MarketingLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  return (
    <div className="flex min-h-dvh flex-col">
      <SiteHeader signedIn={Boolean(session)} />
      <main id="main" className="flex-1">
        {children}
      </main>
      <SiteFooter />
    </div>
  );
}

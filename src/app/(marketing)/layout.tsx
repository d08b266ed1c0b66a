import type { ReactNode } from "react";
import { SiteFooter, SiteHeader } from "@/components/shell/site-header";

/** Public pages: the landing page and the legal texts. Sections own their own width, so `main` is full-bleed. */
export default function MarketingLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <SiteHeader />
      <main id="main" className="flex-1">
        {children}
      </main>
      <SiteFooter />
    </div>
  );
}

import type { Metadata } from "next";
import { SiteFooter, SiteHeader } from "@/components/shell/site-header";
import { ButtonLink } from "@/components/ui/button";
import { auth } from "@/server/auth";

export const metadata: Metadata = { title: "Page not found" };

/** Any unknown URL, and notFound() from segments without their own not-found page. */
export default async function NotFound() {
  const session = await auth();
  return (
    <div className="flex min-h-dvh flex-col">
      <SiteHeader signedIn={Boolean(session)} />
      <main id="main" className="flex flex-1 items-center justify-center px-4 py-16">
        <div className="max-w-lg text-center">
          <p className="font-mono text-sm font-semibold text-brand-700">404</p>
          <h1 className="mt-2 text-3xl font-semibold tracking-tight text-slate-900">This page doesn&rsquo;t exist</h1>
          <p className="mt-3 text-slate-600">
            The address may be mistyped, or the page may have moved. Everything public on Tradsy starts from the home page or the
            marketplace.
          </p>
          <div className="mt-8 flex flex-col justify-center gap-3 sm:flex-row">
            <ButtonLink href="/">Go to the home page</ButtonLink>
            <ButtonLink href="/providers" variant="secondary">
              Browse the marketplace
            </ButtonLink>
          </div>
        </div>
      </main>
      <SiteFooter />
    </div>
  );
}

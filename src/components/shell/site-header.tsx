import Link from "next/link";
import { auth } from "@/server/auth";
import { ButtonLink } from "@/components/ui/button";
import { Logo } from "./logo";

/** Public pages' header: marketplace link and sign-in, or a way back to the app when signed in. */
export async function SiteHeader() {
  const session = await auth();
  return (
    <header className="border-b border-slate-200 bg-white/90 backdrop-blur">
      <div className="mx-auto flex h-16 max-w-6xl items-center justify-between gap-4 px-4 sm:px-6">
        <div className="flex items-center gap-8">
          <Logo />
          <nav aria-label="Site" className="hidden gap-6 text-sm font-medium text-slate-600 sm:flex">
            <Link href="/providers" className="hover:text-slate-900">
              Marketplace
            </Link>
            <Link href="/#how-it-works" className="hover:text-slate-900">
              How it works
            </Link>
            <Link href="/#trust" className="hover:text-slate-900">
              Verified records
            </Link>
          </nav>
        </div>
        <div className="flex items-center gap-2">
          {session ? (
            <ButtonLink href="/dashboard" size="sm">
              Dashboard
            </ButtonLink>
          ) : (
            <>
              <ButtonLink href="/signin" variant="ghost" size="sm">
                Sign in
              </ButtonLink>
              <ButtonLink href="/signup" size="sm">
                Get started
              </ButtonLink>
            </>
          )}
        </div>
      </div>
    </header>
  );
}

export function SiteFooter() {
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-col gap-4 px-4 py-8 text-sm text-slate-500 sm:flex-row sm:items-center sm:justify-between sm:px-6">
        <p>© {new Date().getUTCFullYear()} Tradsy. Trading involves substantial risk of loss.</p>
        <nav aria-label="Legal" className="flex gap-5">
          <Link href="/disclaimer" className="hover:text-slate-900">
            Risk disclaimer
          </Link>
          <Link href="/terms" className="hover:text-slate-900">
            Terms of service
          </Link>
          <Link href="/providers" className="hover:text-slate-900">
            Marketplace
          </Link>
        </nav>
      </div>
    </footer>
  );
}

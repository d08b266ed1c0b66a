import Link from "next/link";
import { ButtonLink } from "@/components/ui/button";
import { Logo } from "./logo";
import { MobileDrawer } from "./sidebar-nav";

const LINKS = [
  { href: "/providers", label: "Marketplace" },
  { href: "/strategies", label: "Strategies" },
  { href: "/#how-it-works", label: "How it works" },
  { href: "/#trust", label: "Verified records" },
];

/** Public pages' header: marketplace link and sign-in, or a way back to the app when signed in. */
export function SiteHeader({ signedIn }: { signedIn: boolean }) {
  return (
    <header className="border-b border-slate-200 bg-white/90 backdrop-blur">
      <div className="mx-auto flex h-16 max-w-6xl items-center justify-between gap-4 px-4 sm:px-6">
        <div className="flex items-center gap-8">
          <Logo />
          <nav aria-label="Site" className="hidden gap-6 text-sm font-medium text-slate-600 sm:flex">
            {LINKS.map((l) => (
              <Link key={l.href} href={l.href} className="hover:text-slate-900">
                {l.label}
              </Link>
            ))}
          </nav>
        </div>
        <div className="flex items-center gap-2">
          {signedIn ? (
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
          <MobileDrawer breakpoint="sm">
            <nav aria-label="Site (mobile)">
              <ul className="space-y-1">
                {LINKS.map((l) => (
                  <li key={l.href}>
                    <Link href={l.href} className="block rounded-md px-3 py-2 text-base font-medium text-slate-700 hover:bg-slate-100">
                      {l.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          </MobileDrawer>
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

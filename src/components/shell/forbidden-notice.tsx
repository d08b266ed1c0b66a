import type { ReactNode } from "react";
import { ButtonLink } from "@/components/ui/button";
import { homePathFor } from "@/lib/home";
import type { UserRoleName } from "@/lib/labels";

/** Where someone refused a page can go instead: their own home first, then the marketplace (or, for an admin, the dashboard). */
export function wayForward(role: UserRoleName): { href: string; label: string }[] {
  const home = homePathFor(role);
  return home === "/admin"
    ? [
        { href: "/admin", label: "Go to the admin overview" },
        { href: "/dashboard", label: "Go to your dashboard" },
      ]
    : [
        { href: home, label: "Go to your dashboard" },
        { href: "/providers", label: "Browse the marketplace" },
      ];
}

/**
 * The body of a 403 page (a forbidden.tsx): whom the page is for, what the signed-in account is, and the way
 * forward for that account. The address stays the one asked for, so the person sees which page refused them.
 */
export function ForbiddenNotice({ title, role, children }: { title: string; role: UserRoleName; children: ReactNode }) {
  const [first, second] = wayForward(role);
  return (
    <div className="mx-auto max-w-lg py-12 text-center sm:py-16">
      <p className="font-mono text-sm font-semibold text-brand-700">403</p>
      <h1 className="mt-2 text-3xl font-semibold tracking-tight text-slate-900">{title}</h1>
      <div className="mt-3 text-slate-600">{children}</div>
      <div className="mt-8 flex flex-col justify-center gap-3 sm:flex-row">
        {first ? <ButtonLink href={first.href}>{first.label}</ButtonLink> : null}
        {second ? (
          <ButtonLink href={second.href} variant="secondary">
            {second.label}
          </ButtonLink>
        ) : null}
      </div>
    </div>
  );
}

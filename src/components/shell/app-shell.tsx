import type { ReactNode } from "react";
import type { Session } from "next-auth";
import { Badge } from "@/components/ui/card";
import { homePathFor } from "@/lib/home";
import { USER_ROLE } from "@/lib/labels";
import { Logo } from "./logo";
import { MobileDrawer, SidebarNav } from "./sidebar-nav";
import { SignOutButton } from "./sign-out-button";
import type { NavItem } from "./nav";

/** Signed-in layout: sidebar on large screens, top bar with a drawer on small ones. `signOut` is the sign-out server action. */
export function AppShell({
  user,
  nav,
  navLabel,
  signOut,
  children,
}: {
  user: Session["user"];
  nav: NavItem[];
  navLabel: string;
  signOut: () => Promise<void>;
  children: ReactNode;
}) {
  const home = homePathFor(user.role);
  const account = (
    <div className="border-t border-slate-200 pt-4">
      <div className="px-3">
        <p className="truncate text-sm font-medium text-slate-900">{user.name ?? user.email}</p>
        <p className="truncate text-xs text-slate-500">{user.email}</p>
        <div className="mt-2">
          <Badge tone="brand">{USER_ROLE[user.role].label}</Badge>
        </div>
      </div>
      <div className="mt-3">
        <SignOutButton action={signOut} />
      </div>
    </div>
  );
  return (
    <div className="min-h-dvh lg:flex">
      <aside className="hidden w-64 shrink-0 flex-col justify-between border-r border-slate-200 bg-white px-4 py-5 lg:sticky lg:top-0 lg:flex lg:h-dvh">
        <div>
          <div className="px-2">
            <Logo href={home} />
          </div>
          <div className="mt-8">
            <SidebarNav items={nav} label={navLabel} />
          </div>
        </div>
        {account}
      </aside>
      <header className="sticky top-0 z-30 flex h-14 items-center justify-between border-b border-slate-200 bg-white px-4 lg:hidden">
        <Logo href={home} />
        <MobileDrawer logoHref={home}>
          <SidebarNav items={nav} label={`${navLabel} (mobile)`} />
          <div className="mt-6">{account}</div>
        </MobileDrawer>
      </header>
      <main id="main" className="min-w-0 flex-1 px-4 py-6 sm:px-6 lg:px-10 lg:py-8">
        <div className="mx-auto max-w-6xl">{children}</div>
      </main>
    </div>
  );
}

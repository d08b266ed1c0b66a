"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { Sheet, SheetContent, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { Icon } from "./icons";
import { Logo } from "./logo";
import type { NavItem } from "./nav";

function isActive(pathname: string, href: string) {
  if (href === "/admin" || href === "/dashboard") return pathname === href;
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function SidebarNav({ items, label }: { items: NavItem[]; label: string }) {
  const pathname = usePathname();
  // One item is current: the most specific match ("/copy/connections" over "/copy").
  const current = items.filter((item) => isActive(pathname, item.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return (
    <nav aria-label={label}>
      <ul className="space-y-1">
        {items.map((item) => {
          const active = item.href === current;
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium",
                  active ? "bg-brand-50 text-brand-800" : "text-slate-700 hover:bg-slate-100 hover:text-slate-900",
                )}
              >
                <Icon name={item.icon} className={cn("size-5", active ? "text-brand-700" : "text-slate-400")} />
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** Below `lg` (or `sm`) the navigation moves into a drawer (the kit's Sheet) behind a menu button. */
export function MobileDrawer({ children, breakpoint = "lg", logoHref = "/" }: { children: ReactNode; breakpoint?: "lg" | "sm"; logoHref?: string }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const [lastPath, setLastPath] = useState(pathname);
  if (pathname !== lastPath) {
    setLastPath(pathname);
    setOpen(false);
  }
  const hideAbove = breakpoint === "lg" ? "lg:hidden" : "sm:hidden";
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <button type="button" className={cn("rounded-md p-2 text-slate-700 hover:bg-slate-100", hideAbove)}>
          <span className="sr-only">Open menu</span>
          <svg viewBox="0 0 24 24" className="size-6" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
            <path d="M4 6h16M4 12h16M4 18h16" />
          </svg>
        </button>
      </SheetTrigger>
      <SheetContent
        side="left"
        closeLabel="Close menu"
        aria-describedby={undefined}
        className={cn("w-72 max-w-[85vw] gap-0 p-4", hideAbove)}
        overlayClassName={hideAbove}
        onClick={(e) => {
          // Same-page links (#anchors) do not change the path, so close on any link click.
          if ((e.target as HTMLElement).closest("a")) setOpen(false);
        }}
      >
        <div className="flex h-10 items-center px-2">
          <Logo href={logoHref} />
        </div>
        <SheetTitle className="sr-only">Menu</SheetTitle>
        <div className="mt-6">{children}</div>
      </SheetContent>
    </Sheet>
  );
}

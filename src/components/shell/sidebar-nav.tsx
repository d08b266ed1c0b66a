"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { Icon } from "./icons";
import type { NavItem } from "./nav";

function isActive(pathname: string, href: string) {
  if (href === "/admin" || href === "/dashboard") return pathname === href;
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function SidebarNav({ items, label }: { items: NavItem[]; label: string }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label}>
      <ul className="space-y-1">
        {items.map((item) => {
          const active = isActive(pathname, item.href);
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

/** Below `lg` the sidebar becomes a drawer behind a menu button. */
export function MobileDrawer({ children, top = "top-14", breakpoint = "lg" }: { children: ReactNode; top?: string; breakpoint?: "lg" | "sm" }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const [lastPath, setLastPath] = useState(pathname);
  if (pathname !== lastPath) {
    setLastPath(pathname);
    setOpen(false);
  }
  return (
    <>
      <button
        type="button"
        className={cn("rounded-md p-2 text-slate-700 hover:bg-slate-100", breakpoint === "lg" ? "lg:hidden" : "sm:hidden")}
        aria-expanded={open}
        aria-controls="mobile-nav"
        onClick={() => setOpen((o) => !o)}
      >
        <span className="sr-only">{open ? "Close menu" : "Open menu"}</span>
        <svg viewBox="0 0 24 24" className="size-6" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
          {open ? <path d="M6 6l12 12M18 6L6 18" /> : <path d="M4 6h16M4 12h16M4 18h16" />}
        </svg>
      </button>
      {open ? (
        <div
          id="mobile-nav"
          onClick={(e) => {
            // Same-page links (#anchors) do not change the path, so close on any link click.
            if ((e.target as HTMLElement).closest("a")) setOpen(false);
          }}
          className={cn("fixed inset-x-0 bottom-0 z-40 overflow-y-auto border-t border-slate-200 bg-white p-4", top, breakpoint === "lg" ? "lg:hidden" : "sm:hidden")}>
          {children}
        </div>
      ) : null}
    </>
  );
}

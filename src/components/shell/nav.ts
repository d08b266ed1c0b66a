import type { UserRole } from "@/server/db/schema";

export interface NavItem {
  href: string;
  label: string;
  icon: IconName;
}
export type IconName = "home" | "store" | "star" | "cog" | "signal" | "users" | "dollar" | "shield" | "mail" | "list" | "clock" | "copy" | "power" | "link" | "lock" | "activity" | "chart" | "archive";

const SUBSCRIBER: NavItem[] = [
  { href: "/dashboard", label: "Dashboard", icon: "home" },
  { href: "/providers", label: "Marketplace", icon: "store" },
  { href: "/strategies", label: "Strategies", icon: "chart" },
  { href: "/lab", label: "Strategy lab", icon: "activity" },
  { href: "/subscriptions", label: "Subscriptions", icon: "star" },
  { href: "/copy", label: "Copy trading", icon: "copy" },
  { href: "/copy/connections", label: "Exchanges", icon: "link" },
  { href: "/settings", label: "Settings", icon: "cog" },
  // Its own entry: two-factor sign-in and signed-in devices are what people look for after a scare.
  { href: "/settings/security", label: "Security", icon: "lock" },
];

const PROVIDER: NavItem[] = [
  { href: "/dashboard", label: "Dashboard", icon: "home" },
  { href: "/signals", label: "Signals", icon: "signal" },
  { href: "/subscribers", label: "Subscribers", icon: "users" },
  { href: "/revenue", label: "Revenue", icon: "dollar" },
  // Strategies the provider runs live as automated providers (the kill switch is there).
  { href: "/lab/runs", label: "Live strategies", icon: "activity" },
  // Where providers see how they rank against the others, and follow other providers themselves.
  { href: "/providers", label: "Marketplace", icon: "store" },
  { href: "/strategies", label: "Strategies", icon: "chart" },
  { href: "/lab", label: "Strategy lab", icon: "activity" },
  { href: "/copy", label: "Copy trading", icon: "copy" },
  { href: "/copy/connections", label: "Exchanges", icon: "link" },
  { href: "/settings", label: "Settings", icon: "cog" },
  // Its own entry: two-factor sign-in and signed-in devices are what people look for after a scare.
  { href: "/settings/security", label: "Security", icon: "lock" },
];

export const ADMIN_NAV: NavItem[] = [
  { href: "/admin", label: "Overview", icon: "shield" },
  { href: "/admin/users", label: "Users", icon: "users" },
  { href: "/admin/system", label: "System", icon: "activity" },
  { href: "/admin/analytics", label: "Analytics", icon: "chart" },
  { href: "/admin/revenue", label: "Revenue", icon: "dollar" },
  { href: "/admin/emails", label: "Email outbox", icon: "mail" },
  { href: "/admin/jobs", label: "Jobs", icon: "clock" },
  { href: "/admin/strategies", label: "Strategies", icon: "chart" },
  { href: "/admin/copy", label: "Copy trading", icon: "power" },
  { href: "/admin/backups", label: "Backups", icon: "archive" },
  { href: "/admin/audit", label: "Audit log", icon: "list" },
];

export function navFor(role: UserRole): NavItem[] {
  if (role === "provider") return PROVIDER;
  if (role === "admin") return [...SUBSCRIBER, { href: "/admin", label: "Admin", icon: "shield" }];
  return SUBSCRIBER;
}

import { requireAdmin } from "@/server/auth/guards";
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Icon } from "@/components/shell/icons";
import type { IconName } from "@/components/shell/nav";
import { PageHeader } from "@/components/ui/card";
import { formatCount } from "@/lib/format/numbers";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Overview" };

export default async function AdminOverviewPage() {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const caller = await api();
  const o = await caller.admin.overview();
  const totalUsers = o.subscribers + o.providers + o.admins;

  return (
    <>
      <PageHeader title="Admin overview" description="Accounts, outgoing email and the audit trail. Counts are live from the database." />

      <section aria-labelledby="users-title">
        <h2 id="users-title" className="text-sm font-semibold tracking-wide text-slate-500 uppercase">
          Users <span className="font-normal normal-case">· {formatCount(totalUsers)} in total</span>
        </h2>
        <ul className="mt-3 grid gap-4 sm:grid-cols-3">
          <StatCard href="/admin/users?role=subscriber" icon="users" label="Traders" value={o.subscribers} hint="Subscriber accounts" />
          <StatCard href="/admin/users?role=provider" icon="signal" label="Providers" value={o.providers} hint="Accounts that publish signals" />
          <StatCard href="/admin/users?role=admin" icon="shield" label="Admins" value={o.admins} hint="Full access to this area" />
        </ul>
      </section>

      <section aria-labelledby="records-title" className="mt-8">
        <h2 id="records-title" className="text-sm font-semibold tracking-wide text-slate-500 uppercase">
          Records
        </h2>
        <ul className="mt-3 grid gap-4 sm:grid-cols-2">
          <StatCard href="/admin/emails" icon="mail" label="Emails in the outbox" value={o.emails} hint="Every email, queued, sent or failed" />
          <StatCard href="/admin/audit" icon="list" label="Audit log entries" value={o.auditRows} hint="Security- and money-relevant actions" />
        </ul>
      </section>
    </>
  );
}

function StatCard({ href, icon, label, value, hint }: { href: string; icon: IconName; label: string; value: number; hint: ReactNode }) {
  return (
    <li className="group relative rounded-lg border border-slate-200 bg-white p-5 shadow-xs transition-shadow has-[a:focus-visible]:ring-2 has-[a:focus-visible]:ring-brand-600 hover:shadow-md">
      <div className="flex items-start justify-between gap-3">
        <div>
          <h3 className="text-sm font-medium text-slate-600">
            <Link href={href} className="after:absolute after:inset-0 focus-visible:outline-none">
              {label}
            </Link>
          </h3>
          <p className="mt-2 text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{formatCount(value)}</p>
        </div>
        <span className="flex size-10 items-center justify-center rounded-lg bg-brand-50 text-brand-700">
          <Icon name={icon} />
        </span>
      </div>
      <p className="mt-3 flex items-center justify-between text-sm text-slate-500">
        {hint}
        <span aria-hidden="true" className="text-brand-700 opacity-0 transition-opacity group-hover:opacity-100">
          View →
        </span>
      </p>
    </li>
  );
}

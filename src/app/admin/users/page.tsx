import { DataTable, type Column } from "@/components/ui/data-table";
import { pageCount, Pagination } from "@/components/ui/pagination";
import { SelectField } from "@/components/ui/select";
import { firstParam, parsePageParam, textParam, type SearchParams } from "@/lib/search-params";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { SearchInput } from "@/components/ui/field";
import { formatDate } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import { requireAdmin } from "@/server/auth/guards";
import { api } from "@/trpc/server";
import { FilterButtons } from "../_components/filter-buttons";
import { UserCard, UserRow, type Role, type UserRowData } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Users" };

const PAGE_SIZE = 25;
const ROLES: { value: Role; label: string }[] = [
  { value: "subscriber", label: "Trader" },
  { value: "provider", label: "Provider" },
  { value: "admin", label: "Admin" },
];

type Filters = { q: string; role?: Role; page: number };
/** Headers only: each row is a UserRow (its role form is a client component). */
const USER_COLUMNS: Column<unknown>[] = ["User", "Role", "Verified", "Joined", "Provider", "Manage"].map((header) => ({ id: header, header, headClassName: "px-3" }));

function parseFilters(sp: SearchParams): Filters {
  const q = textParam(sp.q, 100);
  const rawRole = firstParam(sp.role);
  const role = ROLES.find((r) => r.value === rawRole)?.value;
  return { q, role, page: parsePageParam(sp.page) };
}

function hrefFor(f: Filters) {
  const params = new URLSearchParams();
  if (f.q) params.set("q", f.q);
  if (f.role) params.set("role", f.role);
  if (f.page > 1) params.set("page", String(f.page));
  const qs = params.toString();
  return qs ? `/admin/users?${qs}` : "/admin/users";
}

export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const [filters, me, caller] = await Promise.all([searchParams.then(parseFilters), requireAdmin(), api()]);
  const result = await caller.admin.users({ q: filters.q || undefined, role: filters.role, page: filters.page, pageSize: PAGE_SIZE });
  const { totalPages, beyond } = pageCount(result.total, PAGE_SIZE, filters.page);
  if (beyond) redirect(hrefFor({ ...filters, page: beyond }));
  const filtered = Boolean(filters.q || filters.role);
  const caption = `Users, page ${filters.page} of ${totalPages}`;
  const rows: UserRowData[] = result.items.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    verified: Boolean(u.emailVerified),
    joined: formatDate(u.createdAt),
    providerSlug: u.providerSlug,
    twoFactor: u.twoFactorEnabledAt !== null,
  }));

  return (
    <>
      <PageHeader
        title="Users"
        description="Every account, newest first. Role changes take effect on the user's next request and are written to the audit log."
      />

      <form action="/admin/users" method="get" role="search" className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:flex-row sm:items-end">
        <div className="flex-1">
          <label htmlFor="user-q" className="block text-sm font-medium text-slate-800">
            Email or name
          </label>
          <SearchInput id="user-q" name="q" defaultValue={filters.q} maxLength={100} placeholder="e.g. ana@ or Ana" className="mt-1" />
        </div>
        <div className="sm:w-44">
          <SelectField id="user-role" label="Role" name="role" defaultValue={filters.role ?? ""} options={[{ value: "", label: "All roles" }, ...ROLES]} />
        </div>
        <FilterButtons clearHref={filtered ? "/admin/users" : null} />
      </form>

      <p className="mt-6 mb-3 text-sm text-slate-600">
        {formatCount(result.total)} {result.total === 1 ? "user" : "users"}
        {filtered ? (result.total === 1 ? " matches these filters" : " match these filters") : ""}
      </p>

      {rows.length ? (
        <>
          {/* From `sm` up a table; on phones, where it would scroll sideways, the same users as stacked cards. */}
          <div className="hidden sm:block">
            <DataTable
              caption={caption}
              className="min-w-[56rem]"
              columns={USER_COLUMNS}
              rows={rows}
              rowKey={(u) => u.id}
              renderRow={(u) => <UserRow key={u.id} isSelf={u.id === me.id} user={u} />}
            />
          </div>
          <ul aria-label={caption} className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-xs sm:hidden">
            {rows.map((u) => (
              <UserCard key={u.id} isSelf={u.id === me.id} user={u} />
            ))}
          </ul>
          <Pagination page={filters.page} totalPages={totalPages} hrefFor={(page) => hrefFor({ ...filters, page })} />
        </>
      ) : (
        <EmptyState
          title={filtered ? "No users match these filters" : "No users yet"}
          action={
            filtered ? (
              <Link href="/admin/users" className={buttonClass("secondary", "md")}>
                Clear filters
              </Link>
            ) : undefined
          }
        >
          {filtered ? "Search matches any part of an email address or name." : "Accounts appear here as soon as people sign up."}
        </EmptyState>
      )}
    </>
  );
}

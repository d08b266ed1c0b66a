"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useController, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { SelectField } from "@/components/ui/select";
import { TableCell, TableRow } from "@/components/ui/table";
import { ResetTwoFactor, TwoFactorBadge } from "./two-factor-reset";
import { setServerErrors } from "@/components/forms/errors";
import { USER_ROLE, type UserRoleName } from "@/lib/labels";
import { setRoleSchema } from "@/lib/validation/admin";
import { useTRPC } from "@/trpc/react";
import { useStepUp } from "@/components/security/step-up-dialog";
import { serverFieldErrors } from "@/trpc/field-errors";

export type Role = UserRoleName;

const ROLES = (Object.keys(USER_ROLE) as Role[]).map((r) => ({ value: r, label: USER_ROLE[r].label }));

export interface UserRowData {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  verified: boolean;
  joined: string;
  providerSlug: string | null;
  /** Two-factor sign-in is on for this account. */
  twoFactor: boolean;
}

/** The role form's one field; the row's user is added when it is sent. */
const roleFormSchema = setRoleSchema.pick({ role: true });

/**
 * The role change of one user, shared by the table row and the phone card. The badge shows the requested role while
 * the change is saved and the page data refreshes; the line under the form says how the last change went until the
 * role chosen changes or the next change is sent.
 */
function useRoleChange(user: UserRowData) {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useForm<z.input<typeof roleFormSchema>>({
    defaultValues: { role: user.role },
    resolver: zodResolver(roleFormSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const { field: role } = useController({ control: form.control, name: "role" });
  const [refreshing, startTransition] = useTransition();
  // A code from the admin's own app confirmed in the last 10 minutes first (step-up): asked here, then resent.
  const { guard, stepUpDialog } = useStepUp();
  const setRole = useMutation(
    guard(
      trpc.admin.setRole.mutationOptions({
        onSuccess: () => startTransition(() => router.refresh()),
        onError: (err) => {
          form.setValue("role", user.role);
          if (!setServerErrors(form.setError, serverFieldErrors(err), ["role"])) form.setError("root.server", { type: "server", message: err.message });
        },
      }),
    ),
  );

  const optimistic = setRole.isPending || (setRole.isSuccess && refreshing);
  const shownRole: Role = optimistic && setRole.variables ? setRole.variables.role : user.role;
  const busy = setRole.isPending || refreshing;

  const { errors } = form.formState;
  const failed = errors.role?.message ?? errors.root?.server?.message;
  const message: { tone: "success" | "error"; text: string } | null = failed
    ? { tone: "error", text: failed }
    : setRole.isSuccess
      ? { tone: "success", text: `Role changed to ${USER_ROLE[setRole.variables.role].label}.` }
      : null;

  const onSubmit = form.handleSubmit((values) => setRole.mutate({ userId: user.id, ...values }));
  const choose = (r: Role) => {
    role.onChange(r);
    form.clearErrors();
    setRole.reset();
  };
  return { role: role.value, choose, onSubmit, optimistic, shownRole, busy, message, stepUpDialog };
}

type RoleChange = ReturnType<typeof useRoleChange>;

function RoleBadge({ change }: { change: RoleChange }) {
  return (
    <span className={cn("inline-flex", change.optimistic && "animate-pulse")}>
      <Badge tone={USER_ROLE[change.shownRole].tone}>{USER_ROLE[change.shownRole].label}</Badge>
      {change.optimistic ? <span className="sr-only"> (saving)</span> : null}
    </span>
  );
}

function RoleForm({ user, change }: { user: UserRowData; change: RoleChange }) {
  const { message } = change;
  return (
    <>
      {change.stepUpDialog}
      <form onSubmit={change.onSubmit} className="flex items-center gap-1.5">
        <SelectField
          aria-label={`Role for ${user.email}`}
          size="sm"
          value={change.role}
          onValueChange={(r) => change.choose(r as Role)}
          disabled={change.busy}
          triggerClassName="w-auto min-w-24"
          options={ROLES}
        />
        <Button type="submit" size="sm" variant="secondary" className="whitespace-nowrap" loading={change.busy} disabled={change.busy || change.role === change.shownRole}>
          Change role<span className="sr-only"> for {user.email}</span>
        </Button>
      </form>
      <p aria-live="polite" className={cn("mt-1 max-w-64 text-xs", message?.tone === "error" ? "text-red-700" : "text-emerald-700", !message && "sr-only")}>
        {message?.text}
      </p>
    </>
  );
}

function ProviderLink({ slug }: { slug: string | null }) {
  return slug ? (
    <Link href={`/providers/${slug}`} className="font-medium break-all text-brand-700 underline-offset-4 hover:underline">
      {slug}
    </Link>
  ) : (
    <span className="text-slate-400">
      <span aria-hidden="true">—</span>
      <span className="sr-only">None</span>
    </span>
  );
}

/** One row of the users table (from `sm` up). */
export function UserRow({ user, isSelf }: { user: UserRowData; isSelf: boolean }) {
  const change = useRoleChange(user);
  return (
    <TableRow className="align-top">
      <TableCell className="px-3">
        <div className="flex items-center gap-2">
          <span className="font-medium whitespace-nowrap text-slate-900">{user.email}</span>
          {isSelf ? <Badge tone="brand">You</Badge> : null}
        </div>
        <div className="flex items-center gap-2 text-slate-500">
          {user.name ?? <span className="italic">No name</span>}
          <TwoFactorBadge user={user} />
        </div>
      </TableCell>
      <TableCell className="px-3">
        <RoleBadge change={change} />
      </TableCell>
      <TableCell className="px-3">{user.verified ? <Badge tone="green">Yes</Badge> : <Badge>No</Badge>}</TableCell>
      <TableCell className="px-3 whitespace-nowrap text-slate-600">{user.joined}</TableCell>
      <TableCell className="px-3 whitespace-nowrap">
        <ProviderLink slug={user.providerSlug} />
      </TableCell>
      <TableCell className="px-3">
        <RoleForm user={user} change={change} />
        <ResetTwoFactor user={user} isSelf={isSelf} />
      </TableCell>
    </TableRow>
  );
}

/** One user as a card, for phones (below `sm`), where the table would scroll sideways: the same facts and role form, stacked. */
export function UserCard({ user, isSelf }: { user: UserRowData; isSelf: boolean }) {
  const change = useRoleChange(user);
  return (
    <li className="px-4 py-4" data-testid="user-card">
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="font-medium break-all text-slate-900">
            {user.email} {isSelf ? <Badge tone="brand">You</Badge> : null}
          </p>
          <p className="flex items-center gap-2 text-sm text-slate-500">
            {user.name ?? <span className="italic">No name</span>}
            <TwoFactorBadge user={user} />
          </p>
        </div>
        <RoleBadge change={change} />
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
        <div>
          <dt className="text-xs text-slate-500">Verified</dt>
          <dd className="mt-0.5">{user.verified ? <Badge tone="green">Yes</Badge> : <Badge>No</Badge>}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Joined</dt>
          <dd className="mt-0.5 text-slate-700">{user.joined}</dd>
        </div>
        <div className="col-span-2">
          <dt className="text-xs text-slate-500">Provider</dt>
          <dd className="mt-0.5">
            <ProviderLink slug={user.providerSlug} />
          </dd>
        </div>
      </dl>
      <div className="mt-3">
        <RoleForm user={user} change={change} />
        <ResetTwoFactor user={user} isSelf={isSelf} />
      </div>
    </li>
  );
}

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
import { setServerErrors } from "@/components/forms/errors";
import { USER_ROLE, type UserRoleName } from "@/lib/labels";
import { setRoleSchema } from "@/lib/validation/admin";
import { useTRPC } from "@/trpc/react";
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
}

/** The role form's one field; the row's user is added when it is sent. */
const roleFormSchema = setRoleSchema.pick({ role: true });

/**
 * One table row. The role badge shows the requested role while the change is saved and the page data refreshes.
 * The line under the form says how the last change went until the role chosen changes or the next change is sent.
 */
export function UserRow({ user, isSelf }: { user: UserRowData; isSelf: boolean }) {
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
  const setRole = useMutation(
    trpc.admin.setRole.mutationOptions({
      onSuccess: () => startTransition(() => router.refresh()),
      onError: (err) => {
        form.setValue("role", user.role);
        if (!setServerErrors(form.setError, serverFieldErrors(err), ["role"])) form.setError("root.server", { type: "server", message: err.message });
      },
    }),
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

  return (
    <TableRow className="align-top">
      <TableCell className="px-3">
        <div className="flex items-center gap-2">
          <span className="font-medium whitespace-nowrap text-slate-900">{user.email}</span>
          {isSelf ? <Badge tone="brand">You</Badge> : null}
        </div>
        <div className="text-slate-500">{user.name ?? <span className="italic">No name</span>}</div>
      </TableCell>
      <TableCell className="px-3">
        <span className={cn("inline-flex", optimistic && "animate-pulse")}>
          <Badge tone={USER_ROLE[shownRole].tone}>{USER_ROLE[shownRole].label}</Badge>
          {optimistic ? <span className="sr-only"> (saving)</span> : null}
        </span>
      </TableCell>
      <TableCell className="px-3">{user.verified ? <Badge tone="green">Yes</Badge> : <Badge>No</Badge>}</TableCell>
      <TableCell className="px-3 whitespace-nowrap text-slate-600">{user.joined}</TableCell>
      <TableCell className="px-3">
        {user.providerSlug ? (
          <Link href={`/providers/${user.providerSlug}`} className="font-medium whitespace-nowrap text-brand-700 underline-offset-4 hover:underline">
            {user.providerSlug}
          </Link>
        ) : (
          <span className="text-slate-400">
            <span aria-hidden="true">—</span>
            <span className="sr-only">None</span>
          </span>
        )}
      </TableCell>
      <TableCell className="px-3">
        <form onSubmit={onSubmit} className="flex items-center gap-1.5">
          <SelectField
            aria-label={`Role for ${user.email}`}
            size="sm"
            value={role.value}
            onValueChange={(r) => {
              role.onChange(r);
              form.clearErrors();
              setRole.reset();
            }}
            disabled={busy}
            triggerClassName="w-auto min-w-24"
            options={ROLES}
          />
          <Button type="submit" size="sm" variant="secondary" className="whitespace-nowrap" loading={busy} disabled={busy || role.value === shownRole}>
            Change role<span className="sr-only"> for {user.email}</span>
          </Button>
        </form>
        <p
          aria-live="polite"
          className={cn("mt-1 max-w-64 text-xs", message?.tone === "error" ? "text-red-700" : "text-emerald-700", !message && "sr-only")}
        >
          {message?.text}
        </p>
      </TableCell>
    </TableRow>
  );
}

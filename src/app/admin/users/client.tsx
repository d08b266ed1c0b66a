"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { SelectField } from "@/components/ui/select";
import { TableCell, TableRow } from "@/components/ui/table";
import { USER_ROLE, type UserRoleName } from "@/lib/labels";
import { useTRPC } from "@/trpc/react";

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

/** One table row. The role badge shows the requested role while the change is saved and the page data refreshes. */
export function UserRow({ user, isSelf }: { user: UserRowData; isSelf: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [selected, setSelected] = useState<Role>(user.role);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [refreshing, startTransition] = useTransition();
  const setRole = useMutation(
    trpc.admin.setRole.mutationOptions({
      onSuccess: (_data, vars) => {
        setMessage({ tone: "success", text: `Role changed to ${USER_ROLE[vars.role].label}.` });
        startTransition(() => router.refresh());
      },
      onError: (err) => {
        setSelected(user.role);
        setMessage({ tone: "error", text: err.message });
      },
    }),
  );

  const optimistic = setRole.isPending || (setRole.isSuccess && refreshing);
  const shownRole: Role = optimistic && setRole.variables ? setRole.variables.role : user.role;
  const busy = setRole.isPending || refreshing;

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setMessage(null);
    setRole.mutate({ userId: user.id, role: selected });
  }

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
            value={selected}
            onValueChange={(r) => {
              setSelected(r as Role);
              setMessage(null);
            }}
            disabled={busy}
            triggerClassName="w-auto min-w-24"
            options={ROLES}
          />
          <Button type="submit" size="sm" variant="secondary" className="whitespace-nowrap" loading={busy} disabled={busy || selected === shownRole}>
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

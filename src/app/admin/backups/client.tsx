"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button, buttonClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { useHydrated } from "@/components/ui/use-hydrated";
import { formatUtcMonthDayTime } from "@/lib/format/dates";
import { HELD_KIND_LABEL, HELD_KINDS, type HeldKind } from "@/lib/restore";
import { useTRPC } from "@/trpc/react";

/** The page re-renders from the server after each action (the row shows the new backup or verification). */
function useRefresh() {
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  return { refreshing, refresh: () => startTransition(() => router.refresh()) };
}

function Outcome({ error, done }: { error?: string | null; done?: string | null }) {
  return (
    <p aria-live="polite" className={cn("text-xs", error ? "text-red-700" : "text-emerald-700", !error && !done && "sr-only")}>
      {error ?? done}
    </p>
  );
}

/** "Create backup now": runs the backup for the request (seconds on a small database), then the list shows it. */
export function CreateBackupButton() {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const { refreshing, refresh } = useRefresh();
  const create = useMutation(trpc.admin.backups.create.mutationOptions({ onSuccess: refresh, onError: refresh }));
  return (
    <div className="flex flex-col items-end gap-1">
      <Button loading={create.isPending} disabled={!hydrated || create.isPending || refreshing} onClick={() => create.mutate()}>
        {create.isPending ? "Backing up…" : "Create backup now"}
      </Button>
      <div className="max-w-56 text-right">
        <Outcome error={create.error?.message} done={create.isSuccess ? "Backup stored." : null} />
      </div>
    </div>
  );
}

/** "Verify now": restores the backup into a scratch database and compares every table with its manifest. */
export function VerifyButton({ id }: { id: string }) {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const { refreshing, refresh } = useRefresh();
  const verify = useMutation(trpc.admin.backups.verify.mutationOptions({ onSuccess: refresh, onError: refresh }));
  return (
    <div className="flex flex-col items-end gap-1">
      <Button size="sm" variant="secondary" className="whitespace-nowrap" loading={verify.isPending} disabled={!hydrated || verify.isPending || refreshing} onClick={() => verify.mutate({ id })}>
        {verify.isPending ? "Verifying…" : "Verify now"}
        <span className="sr-only"> backup {id}</span>
      </Button>
      <Outcome error={verify.error?.message ?? (verify.data && !verify.data.ok ? "Verification failed" : null)} done={verify.data?.ok ? "Verified." : null} />
    </div>
  );
}

/** A plain link: the route streams the file. Admins without two-factor sign-in are told why they cannot. */
export function DownloadLink({ id, allowed }: { id: string; allowed: boolean }) {
  if (!allowed) {
    return (
      <span className={buttonClass("secondary", "sm", "cursor-not-allowed whitespace-nowrap opacity-60")} title="Turn on two-factor sign-in to download backups" aria-disabled="true">
        Download<span className="sr-only"> (turn on two-factor sign-in to download backups)</span>
      </span>
    );
  }
  return (
    <a className={buttonClass("secondary", "sm", "whitespace-nowrap")} href={`/api/admin/backups/${id}`} download>
      Download<span className="sr-only"> backup {id}</span>
    </a>
  );
}

interface HeldItem {
  id: string;
  title: string;
  detail: string;
  createdAt: Date;
}

/** Work a restore brought back unfinished: released (re-driven normally) or cancelled, per item or per kind. */
export function HeldReview({ counts, items }: { counts: Record<HeldKind, number>; items: Record<HeldKind, HeldItem[]> }) {
  return (
    <Card className="mb-6 border-amber-300">
      <CardHeader
        title="Held after a restore"
        description="A restored copy is older than the database it replaced, which may already have sent these emails, run these jobs or placed these orders. Nothing here runs until you release it. Releasing re-drives it normally; cancelling ends it without running. Every decision is written to the audit log."
      />
      <CardBody className="space-y-6">
        {HELD_KINDS.filter((k) => counts[k] > 0).map((k) => (
          <HeldKindSection key={k} kind={k} count={counts[k]} items={items[k]} />
        ))}
      </CardBody>
    </Card>
  );
}

function HeldKindSection({ kind, count, items }: { kind: HeldKind; count: number; items: HeldItem[] }) {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const { refreshing, refresh } = useRefresh();
  const { confirm, confirmDialog } = useConfirm();
  const release = useMutation(trpc.admin.backups.release.mutationOptions({ onSuccess: refresh, onError: refresh }));
  const cancel = useMutation(trpc.admin.backups.cancel.mutationOptions({ onSuccess: refresh, onError: refresh }));
  const label = HELD_KIND_LABEL[kind];
  const busy = release.isPending || cancel.isPending || refreshing;

  const act = async (action: "release" | "cancel", ids: string[] | "all") => {
    const many = ids === "all" ? `all ${count} ${label.label.toLowerCase()}` : "this item";
    const ok = await confirm({
      title: action === "release" ? `Release ${many}?` : `Cancel ${many}?`,
      description: action === "release" ? `Released items are ${label.released}. Only release what the lost database had not done yet.` : `Cancelled items are ${label.cancelled}.`,
      confirmLabel: action === "release" ? "Release" : "Cancel them",
      cancelLabel: "Not now",
      destructive: action === "cancel",
    });
    if (!ok) return;
    release.reset();
    cancel.reset();
    const input = ids === "all" ? { kind, all: true as const } : { kind, ids };
    if (action === "release") release.mutate(input);
    else cancel.mutate(input);
  };
  const done = release.data ? `${release.data.count} released.` : cancel.data ? `${cancel.data.count} cancelled.` : null;

  return (
    <section aria-labelledby={`held-${kind}`}>
      {confirmDialog}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={`held-${kind}`} className="text-sm font-semibold text-slate-900">
          {label.label} <span className="font-normal text-slate-500">({count})</span>
        </h3>
        <div className="flex gap-2">
          <Button size="sm" variant="secondary" disabled={!hydrated || busy} onClick={() => void act("release", "all")}>
            Release all
          </Button>
          <Button size="sm" variant="secondary" className="text-red-700 hover:bg-red-50" disabled={!hydrated || busy} onClick={() => void act("cancel", "all")}>
            Cancel all
          </Button>
        </div>
      </div>
      <Outcome error={release.error?.message ?? cancel.error?.message} done={done} />
      <ul className="mt-2 divide-y divide-slate-100 rounded-md border border-slate-200">
        {items.map((i) => (
          <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm">
            <div className="min-w-0">
              <div className="truncate font-medium text-slate-900">{i.title}</div>
              <div className="truncate text-xs text-slate-500">
                {i.detail} · {formatUtcMonthDayTime(i.createdAt)}
              </div>
            </div>
            <div className="flex gap-2">
              <Button size="sm" variant="ghost" disabled={!hydrated || busy} onClick={() => void act("release", [i.id])}>
                Release<span className="sr-only"> {i.title}</span>
              </Button>
              <Button size="sm" variant="ghost" className="text-red-700" disabled={!hydrated || busy} onClick={() => void act("cancel", [i.id])}>
                Cancel<span className="sr-only"> {i.title}</span>
              </Button>
            </div>
          </li>
        ))}
      </ul>
      {count > items.length ? <p className="mt-1 text-xs text-slate-500">The newest {items.length} of {count} are listed; the buttons above act on all of them.</p> : null}
    </section>
  );
}

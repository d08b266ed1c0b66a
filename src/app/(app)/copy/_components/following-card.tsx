"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card } from "@/components/ui/card";
import { toast } from "@/components/ui/sonner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { LabelledSwitch } from "@/components/copy/switch";
import { followingState, money } from "@/components/copy/format";
import { formatDate } from "@/lib/format/dates";
import { FollowSettingsForm } from "./follow-settings-form";
import { VenueBadge } from "./venue-badge";
import type { FollowingItem } from "./types";

const ACCESS_LABEL: Record<FollowingItem["access"], { text: string; tone: "green" | "brand" | "amber" | "slate" }> = {
  subscription: { text: "Subscribed", tone: "green" },
  owner: { text: "Your own signals", tone: "brand" },
  free: { text: "Free paper copies", tone: "brand" },
  none: { text: "Subscription lapsed", tone: "amber" },
};

/** One provider followed: where copying stands and why, its switches, and (folded) its settings form. */
export function FollowingCard({ following: f, startOpen }: { following: FollowingItem; startOpen: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [open, setOpen] = useState(startOpen);
  const panelId = useId();
  const { confirm, confirmDialog } = useConfirm();
  const refresh = () => void queryClient.invalidateQueries(trpc.copy.pathFilter());
  const name = f.provider.displayName;
  const setCopying = useMutation(trpc.copy.setCopying.mutationOptions({ onSuccess: refresh }));
  const pause = useMutation(trpc.copy.pauseFollowing.mutationOptions({ onSuccess: refresh }));
  const closeAll = useMutation(
    trpc.copy.closeFollowing.mutationOptions({
      onSuccess: (r) => {
        toast.success(`Stopped copying ${name}; ${r.closed} position${r.closed === 1 ? "" : "s"} closed.`);
        refresh();
      },
    }),
  );
  const state = followingState(f);
  const access = ACCESS_LABEL[f.access];
  const failed = setCopying.error ?? pause.error ?? closeAll.error;
  const canStart = f.access !== "none";

  const onClose = async () => {
    const ok = await confirm({
      title: `Close all copies from ${name}?`,
      description: `${f.openPositions ? `${f.openPositions} open position${f.openPositions === 1 ? " is" : "s are"} closed at the market price now, ` : "No copies are open; "}and copying ${name} stops until you turn it back on.`,
      confirmLabel: "Close all and stop",
      cancelLabel: "Keep them",
      destructive: true,
    });
    if (ok) closeAll.mutate({ providerId: f.provider.id });
  };

  return (
    <Card data-testid="following" id={`following-${f.provider.slug}`} className="scroll-mt-20">
      {confirmDialog}
      <div className="flex flex-col gap-4 px-5 py-4 md:flex-row md:items-start md:justify-between">
        <div className="min-w-0">
          <h3 className="flex flex-wrap items-center gap-2">
            <Link href={`/providers/${f.provider.slug}`} className="text-base font-semibold text-slate-900 hover:text-brand-700 hover:underline">
              {name}
            </Link>
            <Badge tone={access.tone}>{access.text}</Badge>
            <Badge tone={state.tone}>{state.label}</Badge>
            {state.platform ? <Badge tone="red">{state.platform.label}</Badge> : null}
            <VenueBadge venue={f.venue} />
          </h3>
          {state.reason ? (
            <p className={`mt-1 text-sm ${state.tone === "amber" ? "text-amber-800" : "text-slate-700"}`} data-testid="following-reason">
              {state.reason}
            </p>
          ) : null}
          {state.platform ? (
            <p className="mt-1 text-sm text-red-700" data-testid="following-platform-stop">
              {state.platform.reason}
            </p>
          ) : null}
          <p className="mt-1 text-sm text-slate-600">
            {f.openPositions} open position{f.openPositions === 1 ? "" : "s"}
            {f.enabled && f.allocatedAmount ? ` · ${money(f.allocatedAmount)} allocated` : ""}
            {f.enabled && f.startedAt ? ` · copying since ${formatDate(f.startedAt)}` : ""}
            {f.pausedAt && !f.enabled ? ` · since ${formatDate(f.pausedAt)}` : ""}
          </p>
          {f.access === "none" && !f.enabled ? (
            <p className="mt-1 text-sm text-slate-600">
              <Link href={`/providers/${f.provider.slug}#subscribe`} className="font-medium text-brand-700 hover:underline">
                Subscribe again
              </Link>{" "}
              to copy new signals. Open copies still get their exits.
            </p>
          ) : null}
        </div>
        <div className="flex shrink-0 flex-col gap-3 md:items-end">
          <LabelledSwitch
            label={f.enabled ? "Copy on" : "Copy off"}
            description={f.enabled ? "New signals are copied" : canStart ? "Turn on to copy new signals" : "Subscribe to copy"}
            checked={f.enabled}
            busy={setCopying.isPending}
            disabled={!hydrated || (!f.enabled && !canStart)}
            onCheckedChange={(enabled) => setCopying.mutate({ providerId: f.provider.id, enabled })}
          />
          <div className="flex flex-wrap gap-2">
            {f.enabled ? (
              <Button variant="secondary" size="sm" onClick={() => pause.mutate({ providerId: f.provider.id })} loading={pause.isPending} disabled={!hydrated}>
                Pause
              </Button>
            ) : null}
            {f.openPositions > 0 ? (
              <Button
                variant="secondary"
                size="sm"
                className="border-red-300 text-red-700 hover:bg-red-50"
                onClick={onClose}
                loading={closeAll.isPending}
                disabled={!hydrated}
              >
                Close all from {name.length > 18 ? "provider" : name}
              </Button>
            ) : null}
          </div>
        </div>
      </div>
      {failed ? (
        <div className="px-5 pb-3">
          <Alert tone="error">{failed.message}</Alert>
        </div>
      ) : null}
      <div className="border-t border-slate-100">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
          className="flex w-full items-center justify-between px-5 py-3 text-left text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-600"
        >
          <span>
            Follow settings
            <span className="ml-2 font-normal text-slate-500">{f.saved ? (f.updatedAt ? `saved ${formatDate(f.updatedAt)}` : "saved") : "defaults, not saved yet"}</span>
          </span>
          <svg viewBox="0 0 20 20" className={`size-4 transition-transform ${open ? "rotate-180" : ""}`} fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
            <path d="M5 8l5 5 5-5" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </button>
        <div id={panelId} hidden={!open} className="px-5 pt-1 pb-5">
          {open ? <FollowSettingsForm providerId={f.provider.id} providerName={name} settings={f.settings} venue={f.venue} /> : null}
        </div>
      </div>
    </Card>
  );
}

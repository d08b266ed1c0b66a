"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { Alert, Badge, Card, CardBody } from "@/components/ui/card";
import { useHydrated } from "@/components/ui/use-hydrated";
import { LabelledSwitch } from "@/components/copy/switch";
import { followingState, type FollowingStateInput } from "@/components/copy/format";

export type CopyPanelState = FollowingStateInput & { openPositions: number };

/** "Copy" on the profile for subscribers and free users: turn paper copying on or off, and the way to the settings. */
export function CopyPanel({ provider, initial }: { provider: { id: string; slug: string; displayName: string }; initial: CopyPanelState }) {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const [view, setView] = useState(initial);
  const set = useMutation(trpc.copy.setCopying.mutationOptions({ onSuccess: (v) => setView(v) }));
  const state = followingState(view);
  const canStart = view.access !== "none";
  const settingsHref = `/copy#following-${provider.slug}`;
  return (
    <Card data-testid="copy-panel">
      <CardBody className="space-y-3">
        <div className="flex items-center justify-between gap-2">
          <h2 className="text-base font-semibold text-slate-900">Copy on paper</h2>
          <span className="flex flex-wrap justify-end gap-1.5">
            <Badge tone={state.tone}>{state.label}</Badge>
            {state.platform ? <Badge tone="red">{state.platform.label}</Badge> : null}
          </span>
        </div>
        <LabelledSwitch
          label={`Copy ${provider.displayName}`}
          description={
            view.enabled
              ? "New signals open a paper copy sized by your settings."
              : canStart
                ? "Starts with sensible defaults: 10% allocation, 20% of it a trade."
                : "Subscribe to copy new signals."
          }
          checked={view.enabled}
          busy={set.isPending}
          disabled={!hydrated || (!view.enabled && !canStart)}
          onCheckedChange={(enabled) => set.mutate({ providerId: provider.id, enabled })}
        />
        {state.reason ? <p className={`text-sm ${state.tone === "amber" ? "text-amber-800" : "text-slate-700"}`}>{state.reason}</p> : null}
        {state.platform ? <p className="text-sm text-red-700">{state.platform.reason}</p> : null}
        {set.isError ? <Alert tone="error">{set.error.message}</Alert> : null}
        {view.access === "free" ? <p className="text-xs text-slate-500">Without a subscription this uses your free paper copies (4 signals in all).</p> : null}
        <p className="text-sm">
          <Link href={settingsHref} className="font-medium text-brand-700 hover:underline">
            Copy settings, positions and orders
          </Link>
          {view.openPositions ? <span className="text-slate-500"> · {view.openPositions} open</span> : null}
        </p>
      </CardBody>
    </Card>
  );
}

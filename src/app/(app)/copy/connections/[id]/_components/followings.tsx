"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/trpc/react";
import { Alert, Card, CardHeader, EmptyState } from "@/components/ui/card";
import { useHydrated } from "@/components/ui/use-hydrated";
import { LabelledSwitch } from "@/components/copy/switch";
import type { OverviewData } from "../../_components/types";

/** The followings whose new copies go to this connection, each with its on/off switch and where to change its venue. */
export function ConnectionFollowings({ followings }: { followings: OverviewData["followings"] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const setCopying = useMutation(
    trpc.copy.setCopying.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries(trpc.exchanges.overview.pathFilter());
        void queryClient.invalidateQueries(trpc.copy.pathFilter());
      },
    }),
  );
  return (
    <Card>
      <CardHeader title="Followings" description="Providers whose new signals are copied to this account." />
      {setCopying.isError ? (
        <div className="px-5 pt-3">
          <Alert tone="error">{setCopying.error.message}</Alert>
        </div>
      ) : null}
      {followings.length ? (
        <ul className="divide-y divide-slate-100" aria-label="Followings copying to this connection">
          {followings.map((f) => (
            <li key={f.provider.id} className="space-y-2 px-5 py-4" data-testid="connection-following">
              <div className="flex items-baseline justify-between gap-3">
                <Link href={`/providers/${f.provider.slug}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
                  {f.provider.displayName}
                </Link>
                <span className="text-xs text-slate-500">
                  {f.openPositions} open here · <Link href={`/copy#following-${f.provider.slug}`} className="text-brand-700 hover:underline">change venue</Link>
                </span>
              </div>
              <LabelledSwitch
                label={f.enabled ? "Copy on" : "Copy off"}
                description={f.enabled ? "New signals are copied here" : f.pausedReason ? `Paused (${f.pausedReason.replace(/_/g, " ")})` : "Turn on to copy new signals here"}
                checked={f.enabled}
                busy={setCopying.isPending && setCopying.variables?.providerId === f.provider.id}
                disabled={!hydrated}
                onCheckedChange={(enabled) => setCopying.mutate({ providerId: f.provider.id, enabled })}
              />
            </li>
          ))}
        </ul>
      ) : (
        <div className="p-5">
          <EmptyState title="No followings copy here yet">
            Open a provider&rsquo;s follow settings on the <Link href="/copy" className="font-medium text-brand-700 hover:underline">copy trading page</Link> and
            choose this connection under &ldquo;Where to copy&rdquo;.
          </EmptyState>
        </div>
      )}
    </Card>
  );
}

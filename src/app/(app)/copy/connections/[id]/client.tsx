"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/trpc/react";
import { ButtonLink } from "@/components/ui/button";
import { Alert, EmptyState, PageHeader } from "@/components/ui/card";
import { ListSkeleton } from "@/components/ui/skeleton";
import { StreamStatus } from "@/components/signals/stream-status";
import { formatDateTime } from "@/lib/format/dates";
import { useCopyLive } from "../../_components/live";
import { AccountBadge, exchangeName, keyHintText, StatusBadge } from "../_components/labels";
import { RemoveConnectionButton } from "../_components/remove-connection";
import { FailingExitsBanner } from "../../_components/failing-exits-banner";
import { ActivityLog } from "./_components/activity-log";
import { ConnectionDiscrepancies } from "./_components/discrepancies";
import { ConnectionFollowings } from "./_components/followings";
import { ConnectionPositions } from "./_components/positions";

/**
 * A connection's control centre: its state, the followings copying to it (on/off), the copies open on it (close),
 * what the engine did on it and where the exchange disagrees with the ledger (discrepancies), kept current without a reload by the copy stream (useCopyLive).
 */
export function ControlCentreClient({ id }: { id: string }) {
  const trpc = useTRPC();
  const live = useCopyLive();
  const overview = useQuery(trpc.exchanges.overview.queryOptions({ id }, { refetchInterval: 10_000, retry: (n, err) => err.data?.code !== "NOT_FOUND" && n < 2 }));
  const supported = useQuery(trpc.exchanges.supported.queryOptions(undefined, { staleTime: Infinity }));
  const names = new Map((supported.data ?? []).map((e) => [e.id, e.name]));
  const c = overview.data?.connection;

  const crumbs = (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm">
      <Link href="/copy" className="text-brand-700 hover:underline">
        Copy trading
      </Link>
      <span className="px-1 text-slate-400" aria-hidden="true">
        /
      </span>
      <Link href="/copy/connections" className="text-brand-700 hover:underline">
        Exchange connections
      </Link>
    </nav>
  );

  // Not found even with data from before: the connection was removed meanwhile (its removal completes by itself
  // once its copies have closed), so the page says so rather than showing what it held.
  if (overview.isError && (!overview.data || overview.error.data?.code === "NOT_FOUND")) {
    const missing = overview.error.data?.code === "NOT_FOUND";
    return (
      <>
        {crumbs}
        <PageHeader title={missing ? "Connection not found" : "Control centre"} />
        {missing ? (
          <EmptyState title="No such connection" action={<ButtonLink href="/copy/connections">Your connections</ButtonLink>}>
            It was removed, or it is not one of yours.
          </EmptyState>
        ) : (
          <Alert tone="error">Couldn&rsquo;t load this connection. {overview.error.message}</Alert>
        )}
      </>
    );
  }
  if (!overview.data || !c) {
    return (
      <>
        {crumbs}
        <div role="status" aria-label="Loading the control centre">
          <ListSkeleton rows={3} bars={["h-5 w-1/3", "h-4 w-2/3"]} />
        </div>
      </>
    );
  }

  const { followings, positions } = overview.data;
  return (
    <>
      {crumbs}
      <FailingExitsBanner />
      <PageHeader
        title={c.label}
        description={`${exchangeName(c.exchangeId, names)} · key ${keyHintText(c.keyHint)} · last checked ${c.lastCheckedAt ? formatDateTime(c.lastCheckedAt) : "not yet"}`}
        action={<StreamStatus status={live.status} liveTitle="Orders and positions update without reloading" />}
      />
      <div className="-mt-3 mb-6 flex flex-wrap items-center gap-2">
        <AccountBadge sandbox={c.sandbox} />
        <StatusBadge status={c.status} />
        <span className="ml-auto">
          <RemoveConnectionButton connection={{ ...c, openCopies: positions.length, followings: followings.length }} afterRemove="/copy/connections" size="md" />
        </span>
      </div>
      {c.status === "error" ? (
        <Alert tone="error" className="mb-6">
          <span className="font-medium">This connection does not work, so copies sent to it are rejected.</span> {c.statusReason}
        </Alert>
      ) : c.status === "removing" ? (
        <Alert tone="warning" className="mb-6">
          {c.statusReason ?? "Closing its open copies before removal."} It takes no new copies.
        </Alert>
      ) : null}
      {c.status === "active" && c.permissions?.warnings.length ? (
        <Alert tone="warning" className="mb-6">
          {c.permissions.warnings.join(" ")}
        </Alert>
      ) : null}

      <div className="grid items-start gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="min-w-0 space-y-6">
          <ConnectionPositions positions={positions} />
          <ActivityLog id={id} />
        </div>
        <div className="space-y-6">
          <ConnectionFollowings followings={followings} />
          <ConnectionDiscrepancies
            id={id}
            exchange={exchangeName(c.exchangeId, names)}
            lastReconciledAt={c.lastReconciledAt}
            canReconcile={c.status === "active" || c.status === "removing"}
          />
        </div>
      </div>
    </>
  );
}

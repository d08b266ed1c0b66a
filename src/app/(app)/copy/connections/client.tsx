"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import { useTRPC } from "@/trpc/react";
import { Alert, Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { ListSkeleton } from "@/components/ui/skeleton";
import { Icon } from "@/components/shell/icons";
import { AddConnectionForm } from "./_components/add-connection-form";
import { ConnectionCard } from "./_components/connection-card";

/** The follower's exchange connections: each with its status and what uses it, and the form to add one. */
export function ConnectionsClient() {
  const trpc = useTRPC();
  const list = useQuery(trpc.exchanges.list.queryOptions(undefined, { refetchInterval: 10_000 }));
  const supported = useQuery(trpc.exchanges.supported.queryOptions(undefined, { staleTime: Infinity }));
  const names = useMemo(() => new Map((supported.data ?? []).map((e) => [e.id, e.name])), [supported.data]);
  const connections = list.data ?? [];

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/copy" className="text-brand-700 hover:underline">
          Copy trading
        </Link>
        <span className="px-1 text-slate-400" aria-hidden="true">
          /
        </span>
        <span className="text-slate-600">Exchange connections</span>
      </nav>
      <PageHeader
        title="Exchange connections"
        description="Your exchange accounts that copies can be placed on. Pick one under “Where to copy” in a provider's follow settings; paper stays the default."
      />

      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_26rem]">
        <section aria-labelledby="connections-title" className="space-y-4">
          <h2 id="connections-title" className="text-lg font-semibold text-slate-900">
            Your connections
          </h2>
          {list.isError && !list.data ? (
            <Alert tone="error">Couldn&rsquo;t load your connections. {list.error.message}</Alert>
          ) : !list.data ? (
            <div role="status" aria-label="Loading connections">
              <ListSkeleton rows={2} bars={["h-4 w-1/3", "h-3 w-2/3"]} />
            </div>
          ) : connections.length ? (
            connections.map((c) => <ConnectionCard key={c.id} connection={c} names={names} />)
          ) : (
            <EmptyState icon={<Icon name="link" className="size-10" />} title="No exchange connections yet">
              Add one with the form: start with the local test exchange (no keys, no money) or a sandbox account, then choose it for a provider you copy.
            </EmptyState>
          )}
        </section>

        <Card>
          <CardHeader title="Add a connection" description="Copies then go to this account instead of paper, for the followings you choose." />
          <CardBody>
            {supported.isError && !supported.data ? (
              <Alert tone="error">Couldn&rsquo;t load the list of exchanges. {supported.error.message}</Alert>
            ) : !supported.data ? (
              <div role="status" aria-label="Loading exchanges">
                <ListSkeleton rows={3} bars={["h-9 w-full"]} />
              </div>
            ) : (
              <AddConnectionForm exchanges={supported.data} />
            )}
          </CardBody>
        </Card>
      </div>
    </>
  );
}

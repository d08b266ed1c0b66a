"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { AddDestination } from "./add-destination";
import { DestinationItem } from "./destination-item";
import type { ChannelsList } from "./types";

/** While a Telegram link waits for `/start <code>`, the list is read again this often to show it linked. */
const PENDING_POLL_MS = 3_000;

/** A Telegram link whose code can still be used (an expired one will never be linked: no reason to keep polling). */
const linkWaiting = (d: ChannelsList["destinations"][number]): boolean =>
  d.status === "pending" && d.linkExpiresAt !== null && new Date(d.linkExpiresAt).getTime() > Date.now();

/** Settings → Notification channels: Discord webhooks, linked Telegram chats and signed webhook endpoints. */
export function ChannelsSection({ initial }: { initial: ChannelsList }) {
  const trpc = useTRPC();
  const list = useQuery({
    ...trpc.channels.list.queryOptions(),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.destinations.some(linkWaiting) ? PENDING_POLL_MS : false),
  });
  const { destinations, telegramEnabled, canPostToCommunity } = list.data;
  return (
    <Card id="channels">
      <CardHeader
        title="Notification channels"
        description="Alerts in Discord, Telegram or your own tools, besides email. Open signals' levels go only where you are entitled to them."
      />
      <CardBody className="space-y-5">
        <AddDestination telegramEnabled={telegramEnabled} canPostToCommunity={canPostToCommunity} destinations={destinations} />
        {destinations.length ? (
          <ul className="space-y-3" aria-label="Your destinations">
            {destinations.map((d) => (
              <DestinationItem key={`${d.id}:${d.status}`} d={d} />
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">No destinations yet: your alerts go by email only.</p>
        )}
      </CardBody>
    </Card>
  );
}

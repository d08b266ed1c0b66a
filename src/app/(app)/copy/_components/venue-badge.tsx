"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/trpc/react";
import { Badge } from "@/components/ui/card";

/** Where a following's new copies go: "Paper", or the connection's name linking to its control centre. */
export function VenueBadge({ venue }: { venue: string }) {
  const trpc = useTRPC();
  const connections = useQuery({ ...trpc.exchanges.list.queryOptions(), enabled: venue !== "paper" });
  if (venue === "paper") return <Badge tone="slate">Paper</Badge>;
  const c = connections.data?.find((x) => x.id === venue);
  return (
    <Link href={`/copy/connections/${venue}`} className="rounded-full focus-visible:outline-2 focus-visible:outline-brand-600" data-testid="following-venue">
      <Badge tone={c?.status === "active" ? "brand" : "amber"}>
        {c ? `Copies to ${c.label}${c.status === "active" ? "" : " (not working)"}` : "Copies to an exchange"}
      </Badge>
    </Link>
  );
}

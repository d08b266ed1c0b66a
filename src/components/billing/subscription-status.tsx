import type { SubscriptionStatus } from "@/server/db/schema";
import { Badge } from "@/components/ui/card";

/** How a subscription's state reads to the trader and the provider alike. */
const STATUS: Record<SubscriptionStatus, { label: string; tone: "green" | "brand" | "amber" | "slate" }> = {
  incomplete: { label: "Incomplete", tone: "amber" },
  trialing: { label: "Trial", tone: "brand" },
  active: { label: "Active", tone: "green" },
  past_due: { label: "Payment due", tone: "amber" },
  paused: { label: "Paused", tone: "slate" },
  canceled: { label: "Ended", tone: "slate" },
};

export function SubscriptionStatusBadge({ status }: { status: SubscriptionStatus }) {
  const s = STATUS[status];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

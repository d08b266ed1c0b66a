import type { SubscriptionStatus } from "@/server/db/schema";
import { Badge } from "@/components/ui/card";
import { SUBSCRIPTION_STATUS } from "@/lib/labels";

/** How a subscription's state reads to the trader and the provider alike (the one wording: src/lib/labels.ts). */
export function SubscriptionStatusBadge({ status }: { status: SubscriptionStatus }) {
  const s = SUBSCRIPTION_STATUS[status];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { Icon } from "@/components/shell/icons";

export const metadata: Metadata = { title: "Subscriptions" };

export default async function SubscriptionsPage() {
  await requireUser("/subscriptions");
  // Subscriptions are created through checkout (billing issue); until then nobody can hold one, so the honest
  // state for every account is the empty one.
  return (
    <>
      <PageHeader title="Subscriptions" description="Providers you follow, what you pay them and your copy-trading settings." />
      <EmptyState icon={<Icon name="star" className="size-10" />} title="You don't follow any providers yet" action={<ButtonLink href="/providers">Browse the marketplace</ButtonLink>}>
        Pick a provider by their verified track record. Each subscription is monthly and can be cancelled at any time; you can
        copy up to 4 signals on paper before you subscribe.
      </EmptyState>
    </>
  );
}

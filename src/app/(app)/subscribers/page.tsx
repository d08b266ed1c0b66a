import type { Metadata } from "next";
import { requireProvider } from "@/server/auth/require-provider";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { Icon } from "@/components/shell/icons";
import { getProviderByUserId } from "@/server/services/providers";

export const metadata: Metadata = { title: "Subscribers" };

export default async function SubscribersPage() {
  const user = await requireProvider("/subscribers");
  const provider = await getProviderByUserId(user.id);
  return (
    <>
      <PageHeader title="Subscribers" description="Who follows you, since when, and how their copies executed." />
      <EmptyState
        icon={<Icon name="users" className="size-10" />}
        title="No subscribers yet"
        action={provider ? <ButtonLink href={`/providers/${provider.slug}`} variant="secondary">See your public profile</ButtonLink> : null}
      >
        Traders subscribe from your public profile once your payouts are set up. A complete profile and a steady record win followers.
      </EmptyState>
    </>
  );
}

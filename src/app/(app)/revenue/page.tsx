import type { Metadata } from "next";
import { requireProvider } from "@/server/auth/require-provider";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { getProviderByUserId } from "@/server/services/providers";
import { formatCents, splitRevenue } from "@/lib/money";

export const metadata: Metadata = { title: "Revenue" };

export default async function RevenuePage() {
  const user = await requireProvider("/revenue");
  const provider = await getProviderByUserId(user.id);
  const price = provider?.priceCents ?? 0;
  const split = splitRevenue(price);
  return (
    <>
      <PageHeader title="Revenue" description="Subscription income and payouts through Stripe Connect." />
      <div className="grid gap-4 sm:grid-cols-3">
        <Card>
          <CardBody>
            <p className="text-sm text-slate-500">Monthly recurring revenue</p>
            <p className="mt-1 text-2xl font-semibold">{formatCents(0)}</p>
            <p className="text-xs text-slate-500">No paying subscribers yet</p>
          </CardBody>
        </Card>
        <Card>
          <CardBody>
            <p className="text-sm text-slate-500">Your price</p>
            <p className="mt-1 text-2xl font-semibold">{formatCents(price)}/mo</p>
            <p className="text-xs text-slate-500">
              You keep {formatCents(split.providerCents)}, Tradsy {formatCents(split.platformCents)}
            </p>
          </CardBody>
        </Card>
        <Card>
          <CardBody>
            <p className="text-sm text-slate-500">Payouts</p>
            <p className="mt-1 text-2xl font-semibold">{provider?.payoutsEnabled ? "Enabled" : "Not set up"}</p>
            <p className="text-xs text-slate-500">{provider?.chargesEnabled ? "Accepting payments" : "Not accepting payments yet"}</p>
          </CardBody>
        </Card>
      </div>
      <Card className="mt-6">
        <CardHeader title="How you get paid" />
        <CardBody className="space-y-2 text-sm text-slate-600">
          <p>Subscribers pay monthly by card through Stripe. For every payment, 70% goes straight to your connected Stripe account and 30% stays with Tradsy.</p>
          <p>Payout setup (Stripe Connect onboarding) and price changes arrive with billing; until then your profile shows that subscriptions are not open yet.</p>
        </CardBody>
      </Card>
    </>
  );
}

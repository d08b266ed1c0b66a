import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { firstParam, hrefWith, type SearchParams } from "@/lib/search-params";
import { requireUser } from "@/server/auth/guards";
import { actionServiceContext } from "@/server/http/service-context";
import { ownAccount } from "@/server/services/billing/embedded-pages";
import { embeddedOr404 } from "../../guard";
import { OnboardingForm } from "./client";

export const metadata: Metadata = { title: "Set up payouts" };

/** Stands in for Stripe Connect Express onboarding: the provider confirms a business name and a test bank account. */
export default async function DevOnboardingPage({ params, searchParams }: { params: Promise<{ account: string }>; searchParams: Promise<SearchParams> }) {
  const gateway = await embeddedOr404();
  const [{ account: accountId }, sp] = await Promise.all([params, searchParams]);
  const returnUrl = safeRedirectPath(firstParam(sp.return_url), "/revenue?onboarding=return");
  const refreshUrl = safeRedirectPath(firstParam(sp.refresh_url), "/revenue?onboarding=refresh");
  const user = await requireUser(hrefWith(`/dev/stripe/onboarding/${encodeURIComponent(accountId)}`, { return_url: returnUrl, refresh_url: refreshUrl }));
  const own = await ownAccount(await actionServiceContext(user), gateway, accountId);
  if (!own) notFound();
  const { account, provider } = own;

  if (account.details_submitted && account.charges_enabled && account.payouts_enabled) {
    return (
      <Card>
        <CardHeader title="This payout account is already set up" description={account.business_profile?.name ?? provider.displayName} />
        <CardBody className="space-y-4 text-sm text-slate-600">
          <p>Card payments and payouts are enabled. There is nothing left to do here.</p>
          <ButtonLink href={returnUrl}>Return to Tradsy</ButtonLink>
        </CardBody>
      </Card>
    );
  }

  return (
    <>
      <p className="text-sm font-medium text-slate-500">Tradsy partners with Stripe for secure payouts</p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">Set up payouts for {provider.displayName}</h1>
      <p className="mt-2 text-sm text-slate-600">
        Subscribers&rsquo; payments are split as they are made: 70% goes to this account, 30% to Tradsy. Confirm the details below; in test mode the
        bank account is a Stripe test account and nothing is verified.
      </p>
      <Card className="mt-6">
        <CardBody>
          <OnboardingForm accountId={account.id} email={account.email ?? user.email ?? ""} defaultName={account.business_profile?.name ?? provider.displayName} returnUrl={returnUrl} refreshUrl={refreshUrl} />
        </CardBody>
      </Card>
    </>
  );
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Card, CardBody } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { formatDate } from "@/lib/format/dates";
import { formatCents } from "@/lib/money";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { requireUser } from "@/server/auth/guards";
import { actionServiceContext } from "@/server/http/service-context";
import { ownCheckout } from "@/server/services/billing/embedded-pages";
import { embeddedOr404 } from "../../guard";
import { CheckoutForm } from "./client";

export const metadata: Metadata = { title: "Checkout" };

/** Stands in for Stripe Checkout in subscription mode: the subscriber picks a test card and pays. */
export default async function DevCheckoutPage({ params }: { params: Promise<{ session: string }> }) {
  const gateway = await embeddedOr404();
  const { session: sessionId } = await params;
  const user = await requireUser(`/dev/stripe/checkout/${encodeURIComponent(sessionId)}`);
  const details = await ownCheckout(await actionServiceContext(user), gateway, sessionId);
  if (!details) notFound();
  const cancelUrl = safeRedirectPath(details.cancelUrl, "/providers");
  const successUrl = safeRedirectPath(details.successUrl.replace("{CHECKOUT_SESSION_ID}", sessionId), "/subscriptions");

  if (details.status === "complete") {
    return (
      <Closed title="This checkout is complete" action={<ButtonLink href={successUrl}>Continue to Tradsy</ButtonLink>}>
        You have paid for this subscription already. There is nothing more to do here.
      </Closed>
    );
  }
  if (details.status === "expired" || details.expired) {
    return (
      <Closed title="This checkout has expired" action={<ButtonLink href={cancelUrl}>Back to the provider</ButtonLink>}>
        Checkout links are valid for 24 hours. Start again from the provider&rsquo;s page: you haven&rsquo;t been charged.
      </Closed>
    );
  }

  const now = new Date(await gateway.now());
  const trialEnds = details.trialDays > 0 ? new Date(now.getTime() + details.trialDays * 86_400_000) : null;
  return (
    <div className="grid gap-6 md:grid-cols-[1fr_1.1fr]">
      <section aria-labelledby="summary-title">
        <p className="text-sm font-medium text-slate-500">Subscribe to</p>
        <h1 id="summary-title" className="mt-1 text-xl font-semibold tracking-tight text-slate-900">
          {details.productName}
        </h1>
        <p className="mt-4">
          <span className="text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{formatCents(details.amountCents)}</span>
          <span className="text-sm text-slate-500"> per month</span>
        </p>
        <dl className="mt-6 space-y-2 border-t border-slate-200 pt-4 text-sm">
          {trialEnds ? (
            <div className="flex justify-between gap-4">
              <dt className="text-slate-600">{details.trialDays}-day free trial</dt>
              <dd className="text-slate-900">until {formatDate(trialEnds)}</dd>
            </div>
          ) : null}
          <div className="flex justify-between gap-4">
            <dt className="text-slate-600">{trialEnds ? `Then, from ${formatDate(trialEnds)}` : "Billed monthly"}</dt>
            <dd className="text-slate-900 tabular-nums">{formatCents(details.amountCents)} / month</dd>
          </div>
          <div className="flex justify-between gap-4 border-t border-slate-200 pt-2 font-semibold">
            <dt className="text-slate-900">Due today</dt>
            <dd className="text-slate-900 tabular-nums">{formatCents(trialEnds ? 0 : details.amountCents)}</dd>
          </div>
        </dl>
        <p className="mt-4 text-xs text-slate-500">Cancel any time from your Subscriptions page; you keep access until the end of the period you paid for.</p>
      </section>
      <Card>
        <CardBody className="py-5">
          <CheckoutForm sessionId={details.id} email={details.email} amount={formatCents(trialEnds ? 0 : details.amountCents)} trial={Boolean(trialEnds)} cancelUrl={cancelUrl} />
        </CardBody>
      </Card>
    </div>
  );
}

function Closed({ title, children, action }: { title: string; children: React.ReactNode; action: React.ReactNode }) {
  return (
    <Card>
      <CardBody className="space-y-4 py-6">
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
        <p className="text-sm text-slate-600">{children}</p>
        {action}
      </CardBody>
    </Card>
  );
}

import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { requireUser } from "@/server/auth/guards";
import { api } from "@/trpc/server";
import { Card, CardBody } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { formatDateLong } from "@/lib/format/dates";
import { textParam, type SearchParams } from "@/lib/search-params";
import { ConfirmingPayment } from "./client";

export const metadata: Metadata = { title: "Welcome aboard" };
export const dynamic = "force-dynamic";

/** Where Checkout sends a trader back. The webhook may land a moment after the browser does: then we wait for it. */
export default async function CheckoutWelcomePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sessionId = textParam((await searchParams).session_id, 256);
  await requireUser(sessionId ? `/subscriptions/welcome?session_id=${encodeURIComponent(sessionId)}` : "/subscriptions");
  if (!sessionId || sessionId.length > 255) redirect("/subscriptions");
  const result = await (await api()).billing.checkoutResult({ sessionId });

  if (!result || !result.provider) {
    return (
      <Panel icon="info" title="We couldn't find that checkout">
        <p>It may belong to another account, or the link is incomplete. Your subscriptions page shows everything you are subscribed to.</p>
        <div className="mt-6">
          <ButtonLink href="/subscriptions">Go to your subscriptions</ButtonLink>
        </div>
      </Panel>
    );
  }

  const { provider, subscription } = result;
  if (!subscription && result.status === "expired") {
    return (
      <Panel icon="info" title="This checkout expired">
        <p>You weren&rsquo;t charged. Checkout links last 24 hours; start again from {provider.displayName}&rsquo;s page whenever you&rsquo;re ready.</p>
        <div className="mt-6">
          <ButtonLink href={`/providers/${provider.slug}#subscribe`}>Back to {provider.displayName}</ButtonLink>
        </div>
      </Panel>
    );
  }
  if (!subscription || subscription.status === "incomplete") {
    return (
      <Panel icon="pending" title="Confirming your payment…">
        <ConfirmingPayment sessionId={sessionId} providerName={provider.displayName} />
      </Panel>
    );
  }

  const trial = subscription.status === "trialing";
  const next = subscription.currentPeriodEnd ? formatDateLong(subscription.currentPeriodEnd) : null;
  return (
    <Panel icon="done" title={`You're subscribed to ${provider.displayName}`}>
      <p>
        {trial
          ? `Your free trial has started${next ? ` and runs until ${next}` : ""}. You won't be charged before then, and you can cancel any time.`
          : `Your payment went through${next ? `; the subscription renews on ${next}` : ""}. You can cancel any time from your subscriptions page.`}
      </p>
      <p className="mt-2">Their open signals now show entry, stop-loss and targets, here on their profile and live on your dashboard.</p>
      <div className="mt-6 flex flex-col gap-3 sm:flex-row sm:justify-center">
        <ButtonLink href={`/providers/${provider.slug}`}>See {provider.displayName}&rsquo;s open signals</ButtonLink>
        <ButtonLink href="/dashboard" variant="secondary">
          Go to your dashboard
        </ButtonLink>
      </div>
    </Panel>
  );
}

function Panel({ icon, title, children }: { icon: "done" | "pending" | "info"; title: string; children: React.ReactNode }) {
  const tone = icon === "done" ? "bg-emerald-50 text-emerald-600" : icon === "pending" ? "bg-brand-50 text-brand-700" : "bg-slate-100 text-slate-500";
  return (
    <Card className="mx-auto mt-4 max-w-xl sm:mt-10">
      <CardBody className="px-6 py-10 text-center sm:px-10">
        <span className={`mx-auto flex size-12 items-center justify-center rounded-full ${tone}`} aria-hidden="true">
          {icon === "done" ? (
            <svg viewBox="0 0 24 24" className="size-6" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round">
              <path d="M5 12.5l4.5 4.5L19 7.5" />
            </svg>
          ) : icon === "pending" ? (
            <svg viewBox="0 0 24 24" className="size-6 animate-spin motion-reduce:animate-none" fill="none">
              <circle cx="12" cy="12" r="9" stroke="currentColor" strokeWidth="2.5" className="opacity-25" />
              <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
            </svg>
          ) : (
            <svg viewBox="0 0 24 24" className="size-6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
              <circle cx="12" cy="12" r="9" />
              <path d="M12 8h.01M11 12h1v4h1" />
            </svg>
          )}
        </span>
        <h1 className="mt-4 text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        <div className="mt-3 text-sm text-slate-600">{children}</div>
      </CardBody>
    </Card>
  );
}

import Link from "next/link";
import type { ReactNode } from "react";
import { Badge, Card, CardBody } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { formatDate } from "@/lib/format/dates";
import { formatCents, splitRevenue } from "@/lib/money";
import { SubscribeButton } from "./client";


export interface SubscribeState {
  acceptingSubscribers: boolean;
  /** The provider deleted their account, or its strategy stopped running: nothing to subscribe to any more. */
  closed?: boolean;
  /** Why, in a trader's words (services/billing). */
  closedReason?: string | null;
  /** A strategy running live rather than a person: its owner prices it on Running strategies. */
  automated?: boolean;
  /** An automated strategy still incubating: no subscriber before this (services/strategy-runs). */
  incubatingUntil?: Date | null;
  priceCents: number;
  trialDays: number;
  own: boolean;
  subscription: { id: string; status: string; cancelAtPeriodEnd: boolean; currentPeriodEnd: Date | null } | null;
}

/**
 * The price and the one thing this viewer can do about it: subscribe, sign in first, wait for the provider to open
 * subscriptions, or go to the subscription they already have.
 */
export function SubscribePanel({
  provider,
  state,
  viewer,
}: {
  provider: { id: string; slug: string; displayName: string };
  state: SubscribeState;
  viewer: { role: "subscriber" | "provider" | "admin" } | null;
}) {
  const path = `/providers/${provider.slug}`;
  const sub = state.subscription;
  return (
    <Card id="subscribe" className="scroll-mt-20">
      <CardBody className="py-5">
        <p>
          <span className="text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{formatCents(state.priceCents)}</span>
          <span className="text-sm text-slate-500"> / month</span>
        </p>
        {state.trialDays > 0 ? (
          <p className="mt-2">
            <Badge tone="green">{state.trialDays}-day free trial</Badge>
          </p>
        ) : null}
        {state.own ? (
          state.closed ? (
            <Note>{state.closedReason ?? "This account is closed"}: it takes no new subscribers, and its subscribers&rsquo; subscriptions end at the close of the period they paid for.</Note>
          ) : state.incubatingUntil ? (
            <Note>Your automated strategy incubates until {formatDate(state.incubatingUntil)}: it takes no subscribers before then.</Note>
          ) : (
            <OwnPanel accepting={state.acceptingSubscribers} priceCents={state.priceCents} automated={state.automated ?? false} />
          )
        ) : sub ? (
          <SubscribedPanel sub={sub} />
        ) : state.closed ? (
          <Note>
            {state.closedReason ?? "This provider has closed their account"}.{" "}
            Their published signals stay, with their verifiable record, but no new subscriptions are taken.
          </Note>
        ) : state.incubatingUntil ? (
          <Note>
            This automated strategy is incubating until {formatDate(state.incubatingUntil)}: it builds its live record first and takes no subscribers before
            then.
          </Note>
        ) : !state.acceptingSubscribers ? (
          <Note>
            {provider.displayName} isn&rsquo;t taking subscribers yet: {state.automated ? "its owner is still setting up its price and payouts" : "their payout account is still being set up"}. The
            price above is what you will pay; 70% of it goes to the provider.
          </Note>
        ) : null}
        {!state.own && !sub && !state.closed ? (
          <>
            <p className="mt-4 text-sm text-slate-700">Subscribers see every entry, stop-loss and target the moment {provider.displayName} publishes.</p>
            {state.acceptingSubscribers ? (
              viewer ? (
                viewer.role === "admin" ? (
                  <Note>Admin accounts can&rsquo;t subscribe. Use a trader account to try checkout.</Note>
                ) : (
                  <div className="mt-4">
                    <SubscribeButton providerId={provider.id} trial={state.trialDays > 0} />
                    <p className="mt-2 text-center text-xs text-slate-500">Monthly, by card through Stripe. Cancel any time.</p>
                  </div>
                )
              ) : (
                <div className="mt-4">
                  <ButtonLink href={`/signin?callbackUrl=${encodeURIComponent(`${path}#subscribe`)}`} className="w-full">
                    Sign in to subscribe
                  </ButtonLink>
                  <p className="mt-2 text-center text-xs text-slate-500">
                    New to Tradsy?{" "}
                    <Link href={`/signup?role=subscriber&callbackUrl=${encodeURIComponent(`${path}#subscribe`)}`} className="font-medium text-brand-700 hover:underline">
                      Create a free account
                    </Link>
                  </p>
                </div>
              )
            ) : viewer ? null : (
              <div className="mt-4 border-t border-slate-100 pt-4">
                <p className="text-sm text-slate-600">Create a free account to be ready. The free tier copies up to 4 signals on paper.</p>
                <ButtonLink href={`/signup?role=subscriber&callbackUrl=${encodeURIComponent(`${path}#subscribe`)}`} className="mt-3 w-full">
                  Create a free account
                </ButtonLink>
                <p className="mt-2 text-center text-xs text-slate-500">
                  Have an account?{" "}
                  <Link href={`/signin?callbackUrl=${encodeURIComponent(path)}`} className="font-medium text-brand-700 hover:underline">
                    Sign in
                  </Link>
                </p>
              </div>
            )}
          </>
        ) : null}
      </CardBody>
    </Card>
  );
}

function Note({ children }: { children: ReactNode }) {
  return <p className="mt-4 rounded-md bg-slate-50 px-3 py-3 text-sm text-slate-600">{children}</p>;
}

function OwnPanel({ accepting, priceCents, automated }: { accepting: boolean; priceCents: number; automated: boolean }) {
  // An automated strategy is priced on Running strategies; its payments go to the owner's one payout account (Revenue).
  const href = automated ? "/lab/runs" : "/revenue";
  const where = automated ? "Running strategies" : "Revenue";
  return (
    <Note>
      {accepting
        ? `Your monthly price: you keep ${formatCents(splitRevenue(priceCents).providerCents)} of each payment. `
        : automated
          ? "Traders can't subscribe yet: set up payouts on Revenue and save this strategy's price to open subscriptions. "
          : "Traders can't subscribe yet: set up payouts and save your price to open subscriptions. "}
      <Link href={href} className="font-medium text-brand-700 underline-offset-2 hover:underline">
        {accepting ? `Change it on ${where}` : `Go to ${where}`}
      </Link>
      .
    </Note>
  );
}

function SubscribedPanel({ sub }: { sub: NonNullable<SubscribeState["subscription"]> }) {
  const end = sub.currentPeriodEnd ? formatDate(sub.currentPeriodEnd) : null;
  const paused = sub.status === "paused";
  const pastDue = sub.status === "past_due";
  const text = paused
    ? "Your subscription is paused, so open signals stay hidden. Resume it to see them again."
    : pastDue
      ? "Your last payment failed. Update your card to keep seeing open signals in full."
      : sub.cancelAtPeriodEnd && end
        ? `You're subscribed until ${end}: open signals show their full levels here and on your dashboard.`
        : "You're subscribed: open signals show their full levels here and on your dashboard.";
  return (
    <>
      <p
        className={`mt-4 flex items-start gap-2 rounded-md px-3 py-3 text-sm ${paused || pastDue ? "bg-amber-50 text-amber-900" : "bg-emerald-50 text-emerald-900"}`}
        data-testid="subscribed-note"
      >
        <svg viewBox="0 0 20 20" className="mt-0.5 size-4 shrink-0" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
          {paused || pastDue ? <path d="M10 6v5M10 14h.01" strokeLinecap="round" /> : <path d="M4 10.5l4 4 8-9" strokeLinecap="round" strokeLinejoin="round" />}
        </svg>
        <span>{text}</span>
      </p>
      <ButtonLink href="/subscriptions" variant="secondary" className="mt-3 w-full">
        Manage your subscription
      </ButtonLink>
    </>
  );
}

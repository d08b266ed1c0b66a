import { EmailButton, EmailHeading, EmailText, Greeting, KeyValueTable, MutedNote, type KeyValueRow } from "./_components";
import { PLATFORM_FEE_PERCENT } from "@/lib/money";
import { EmailLayout } from "./_layout";

export interface ProviderNewSubscriberProps {
  /** The provider's own name (the recipient). */
  name: string;
  /** The new subscriber's display name, or "A trader" when they have none. */
  subscriberName: string;
  /** The price they subscribed at, formatted from integer cents ("$4.00/month"). */
  price: string;
  /** The provider's share of each payment, formatted from integer cents ("$2.80"). */
  yourShare: string;
  /** Whether the subscription starts with a free trial (nothing is paid until it ends). */
  trial: boolean;
  /** Live subscriptions after this one, formatted ("12"). */
  subscriberCount: string;
  revenueUrl: string;
  /** Set when they subscribed to a strategy the recipient runs live (an automated provider), not to their own signals. */
  strategyName?: string;
}

export const stream = "transactional";

/** Sent to the provider when someone subscribes to their signals, or to a strategy they run live. */
export default function ProviderNewSubscriber({ name, subscriberName, price, yourShare, trial, subscriberCount, revenueUrl, strategyName }: ProviderNewSubscriberProps) {
  const rows: KeyValueRow[] = [
    ...(strategyName ? [{ label: "Strategy", value: strategyName }] : []),
    { label: "Subscriber", value: subscriberName },
    { label: "Price", value: trial ? `${price} after a free trial` : price },
    { label: "Your share per payment", value: yourShare },
    { label: "Subscribers now", value: subscriberCount },
  ];
  return (
    <EmailLayout preview={strategyName ? `${subscriberName} subscribed to your strategy ${strategyName}` : `${subscriberName} subscribed to your signals`}>
      <EmailHeading>You have a new subscriber</EmailHeading>
      <Greeting name={name} />
      <EmailText>
        {strategyName
          ? `${subscriberName} subscribed to ${strategyName}, a strategy you run live. They now see its open signals as it publishes them; its limits and kill switch are on Running strategies.`
          : `${subscriberName} subscribed to your signals. They now see your open signals live, so keep publishing with clear entries, stops and targets.`}
      </EmailText>
      <KeyValueTable rows={rows} />
      <EmailButton href={revenueUrl}>See your revenue</EmailButton>
      <MutedNote>
        You receive {100 - PLATFORM_FEE_PERCENT}% of each payment through Stripe; Tradsy keeps {PLATFORM_FEE_PERCENT}%. Payouts
        follow your Stripe schedule.
      </MutedNote>
    </EmailLayout>
  );
}

ProviderNewSubscriber.PreviewProps = {
  name: "Grace",
  subscriberName: "Ada",
  price: "$4.00/month",
  yourShare: "$2.80",
  trial: false,
  subscriberCount: "12",
  revenueUrl: "https://tradsy.example/revenue",
} satisfies ProviderNewSubscriberProps;

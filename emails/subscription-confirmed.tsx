import { EmailButton, EmailHeading, EmailLink, EmailText, Greeting, KeyValueTable, MutedNote, type KeyValueRow } from "./_components";
import { EmailLayout } from "./_layout";

export interface SubscriptionConfirmedProps {
  name: string;
  providerName: string;
  /** The monthly price, formatted from integer cents ("$4.00/month"). */
  price: string;
  /** The first charge's date when the subscription starts with a free trial ("28 Nov 2026"); absent otherwise. */
  trialEndsOn?: string;
  /** When a paid subscription renews next ("28 Nov 2026"), when known. */
  renewsOn?: string;
  providerUrl: string;
  subscriptionsUrl: string;
}

export const stream = "transactional";

/** Sent to the trader when a subscription starts (checkout completed, trial or paid). */
export default function SubscriptionConfirmed({ name, providerName, price, trialEndsOn, renewsOn, providerUrl, subscriptionsUrl }: SubscriptionConfirmedProps) {
  const rows: KeyValueRow[] = [
    { label: "Provider", value: providerName },
    { label: "Price", value: price },
  ];
  if (trialEndsOn) rows.push({ label: "Free trial until", value: trialEndsOn });
  else if (renewsOn) rows.push({ label: "Renews on", value: renewsOn });
  return (
    <EmailLayout preview={`You're subscribed to ${providerName}`}>
      <EmailHeading>You&apos;re subscribed to {providerName}</EmailHeading>
      <Greeting name={name} />
      <EmailText>
        {trialEndsOn
          ? `Your free trial of ${providerName} has started. The first charge of ${price} is on ${trialEndsOn}, unless you cancel before then.`
          : `Your subscription to ${providerName} is active. Their open signals, with entry, stop and targets, are now visible to you as they are published.`}
      </EmailText>
      <KeyValueTable rows={rows} />
      <EmailButton href={providerUrl}>Open {providerName}</EmailButton>
      <MutedNote>
        You can cancel, pause or change your card at any time from your{" "}
        <EmailLink href={subscriptionsUrl}>Subscriptions page</EmailLink>
        .
      </MutedNote>
    </EmailLayout>
  );
}

SubscriptionConfirmed.PreviewProps = {
  name: "Ada",
  providerName: "Momentum Desk",
  price: "$4.00/month",
  renewsOn: "6 Jan 2027",
  providerUrl: "https://tradsy.example/providers/momentum-desk",
  subscriptionsUrl: "https://tradsy.example/subscriptions",
} satisfies SubscriptionConfirmedProps;

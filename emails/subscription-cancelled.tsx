import { EmailButton, EmailHeading, EmailText, Greeting, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export interface SubscriptionCancelledProps {
  name: string;
  providerName: string;
  /**
   * The date access ends ("6 Jan 2027") when the subscription is set to end with its paid period; absent when it has
   * already ended.
   */
  accessUntil?: string;
  providerUrl: string;
  /** Why, when the trader did not cancel: the strategy (an automated provider) stopped running. */
  reason?: "strategy-stopped";
}

export const stream = "transactional";

/**
 * Sent to the trader when a subscription is cancelled (to end with its period) or has ended; with `reason`
 * "strategy-stopped" when the strategy they subscribed to stopped running (they did not cancel, and cannot renew).
 */
export default function SubscriptionCancelled({ name, providerName, accessUntil, providerUrl, reason }: SubscriptionCancelledProps) {
  if (reason === "strategy-stopped") {
    return (
      <EmailLayout preview={`${providerName} stopped running: your subscription ends`}>
        <EmailHeading>{`${providerName} stopped running`}</EmailHeading>
        <Greeting name={name} />
        <EmailText>
          {`The strategy ${providerName} has stopped running, so it publishes no more signals. ` +
            (accessUntil ? `Your subscription ends on ${accessUntil} and you will not be charged again.` : "Your subscription has ended and you will not be charged again.")}
        </EmailText>
        <EmailText>Its signals and live record stay public and verifiable on its page.</EmailText>
        <EmailButton href={providerUrl}>{`Open ${providerName}`}</EmailButton>
      </EmailLayout>
    );
  }
  return (
    <EmailLayout preview={accessUntil ? `Your subscription to ${providerName} is cancelled` : `Your subscription to ${providerName} has ended`}>
      <EmailHeading>{accessUntil ? `Subscription to ${providerName} cancelled` : `Subscription to ${providerName} ended`}</EmailHeading>
      <Greeting name={name} />
      <EmailText>
        {accessUntil
          ? `Your subscription to ${providerName} is cancelled and you will not be charged again. You keep their live signals until ${accessUntil}.`
          : `Your subscription to ${providerName} has ended and you will not be charged again.`}
      </EmailText>
      <EmailText>Their closed signals and track record stay public on their profile.</EmailText>
      <EmailButton href={providerUrl}>{accessUntil ? `Open ${providerName}` : "Subscribe again"}</EmailButton>
      <MutedNote>If you did not mean to cancel, you can subscribe again from the provider&apos;s page at any time.</MutedNote>
    </EmailLayout>
  );
}

SubscriptionCancelled.PreviewProps = {
  name: "Ada",
  providerName: "Momentum Desk",
  providerUrl: "https://tradsy.example/providers/momentum-desk",
} satisfies SubscriptionCancelledProps;

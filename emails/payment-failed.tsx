import { Callout, EmailButton, EmailHeading, EmailText, Greeting, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export interface PaymentFailedProps {
  name: string;
  providerName: string;
  /** What was due, formatted from integer cents ("$4.00/month"). */
  amount: string;
  /** The last day of access while the payment is retried ("13 Dec 2026"), when known. */
  accessUntil?: string;
  updateCardUrl: string;
}

export const stream = "transactional";

/** Sent to the trader when a renewal payment fails and the subscription becomes past due. */
export default function PaymentFailed({ name, providerName, amount, accessUntil, updateCardUrl }: PaymentFailedProps) {
  return (
    <EmailLayout preview={`Your payment for ${providerName} failed`}>
      <EmailHeading>Your payment failed</EmailHeading>
      <Greeting name={name} />
      <Callout>We couldn&apos;t charge your card for {providerName}.</Callout>
      <KeyValueTable
        rows={[
          { label: "Subscription", value: providerName },
          { label: "Amount due", value: amount },
          ...(accessUntil ? [{ label: "Access until", value: accessUntil }] : []),
        ]}
      />
      <EmailText>
        {accessUntil
          ? `You keep access until ${accessUntil} while the payment is retried. Update your card before then to keep receiving signals.`
          : "Update your card to keep receiving signals."}
      </EmailText>
      <EmailButton href={updateCardUrl}>Update your card</EmailButton>
      <MutedNote>Banks decline payments for many reasons (an expired card, a limit, a fraud check). Nothing else about your account has changed.</MutedNote>
    </EmailLayout>
  );
}

PaymentFailed.PreviewProps = {
  name: "Ada",
  providerName: "Momentum Desk",
  amount: "$4.00/month",
  accessUntil: "13 Dec 2026",
  updateCardUrl: "https://tradsy.example/subscriptions",
} satisfies PaymentFailedProps;

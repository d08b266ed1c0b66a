import { EmailButton, EmailHeading, EmailText, Greeting, KeyValueTable, MutedNote, type KeyValueRow } from "./_components";
import { EmailLayout } from "./_layout";

export interface PaymentSucceededProps {
  name: string;
  providerName: string;
  /** The amount charged, formatted from integer cents ("$4.00"). */
  amount: string;
  /** The payment's date ("6 Dec 2026"). */
  paidOn: string;
  /** The period paid for ("6 Dec 2026 – 6 Jan 2027"), when the invoice names one. */
  period?: string;
  /** Our payment reference (the ledger row's id), to quote to support. */
  reference: string;
  subscriptionsUrl: string;
}

export const stream = "transactional";

/** The receipt for a subscription payment, sent once per paid invoice. */
export default function PaymentSucceeded({ name, providerName, amount, paidOn, period, reference, subscriptionsUrl }: PaymentSucceededProps) {
  const rows: KeyValueRow[] = [
    { label: "Amount paid", value: amount },
    { label: "Subscription", value: providerName },
    { label: "Paid on", value: paidOn },
  ];
  if (period) rows.push({ label: "Period", value: period });
  rows.push({ label: "Reference", value: reference });
  return (
    <EmailLayout preview={`Receipt: ${amount} for ${providerName}`}>
      <EmailHeading>Payment received</EmailHeading>
      <Greeting name={name} />
      <EmailText>Thank you: we received your payment for {providerName}. Keep this email as your receipt.</EmailText>
      <KeyValueTable rows={rows} />
      <EmailButton href={subscriptionsUrl}>See your subscriptions</EmailButton>
      <MutedNote>Payments are processed by Stripe. Your card statement shows the charge from Tradsy.</MutedNote>
    </EmailLayout>
  );
}

PaymentSucceeded.PreviewProps = {
  name: "Ada",
  providerName: "Momentum Desk",
  amount: "$4.00",
  paidOn: "6 Dec 2026",
  period: "6 Dec 2026 – 6 Jan 2027",
  reference: "pay_01JEXAMPLE7QK3",
  subscriptionsUrl: "https://tradsy.example/subscriptions",
} satisfies PaymentSucceededProps;

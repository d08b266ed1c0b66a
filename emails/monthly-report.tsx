import { EmailButton, EmailHeading, EmailText, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export interface MonthlyReportProps {
  providerName: string;
  monthLabel: string;
  signalsPublished: string;
  signalsClosed: string;
  winRate: string;
  monthReturn: string;
  subscribersGained: string;
  subscribersLost: string;
  /** The provider's share of payments in the month, formatted from integer cents. */
  earnings: string;
  revenueUrl: string;
  unsubscribeUrl: string;
}

export const stream = "notification";

export default function MonthlyReport(p: MonthlyReportProps) {
  return (
    <EmailLayout preview={`${p.providerName}: your ${p.monthLabel} on Tradsy`} unsubscribeUrl={p.unsubscribeUrl}>
      <EmailHeading>
        {p.providerName}, your {p.monthLabel}
      </EmailHeading>
      <EmailText>Your month on Tradsy, from your signals, subscriptions and payments.</EmailText>
      <KeyValueTable
        rows={[
          { label: "Signals published", value: p.signalsPublished },
          { label: "Signals closed", value: p.signalsClosed },
          { label: "Win rate (closed)", value: p.winRate },
          { label: "Return (compounded, after fees)", value: p.monthReturn },
          { label: "Subscribers gained", value: p.subscribersGained },
          { label: "Subscribers lost", value: p.subscribersLost },
          { label: "Earnings (your share)", value: p.earnings },
        ]}
      />
      <EmailButton href={p.revenueUrl}>See your revenue</EmailButton>
      <MutedNote>Months are calendar months in UTC. The return compounds each closed signal&apos;s result after fees.</MutedNote>
    </EmailLayout>
  );
}

MonthlyReport.PreviewProps = {
  providerName: "Northwind Trading",
  monthLabel: "November 2026",
  signalsPublished: "18",
  signalsClosed: "16",
  winRate: "62.5%",
  monthReturn: "+8.34%",
  subscribersGained: "7",
  subscribersLost: "2",
  earnings: "$102.90",
  revenueUrl: "https://tradsy.example/revenue",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies MonthlyReportProps;

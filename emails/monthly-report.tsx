import { Button, Section, Text } from "@react-email/components";
import { EmailLayout, buttonStyle } from "./_layout";

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

function Row({ label, value }: { label: string; value: string }) {
  return (
    <tr>
      <td style={{ fontSize: 14, padding: "6px 0", color: "#4b5563", borderBottom: "1px solid #e5e7eb" }}>{label}</td>
      <td style={{ fontSize: 14, padding: "6px 0", textAlign: "right", fontWeight: 600, borderBottom: "1px solid #e5e7eb" }}>{value}</td>
    </tr>
  );
}

export default function MonthlyReport(p: MonthlyReportProps) {
  return (
    <EmailLayout preview={`${p.providerName}: your ${p.monthLabel} on Tradsy`} unsubscribeUrl={p.unsubscribeUrl}>
      <Text style={{ fontSize: 18, fontWeight: 600 }}>
        {p.providerName}, your {p.monthLabel}
      </Text>
      <Section>
        <table style={{ borderCollapse: "collapse", width: "100%" }}>
          <tbody>
            <Row label="Signals published" value={p.signalsPublished} />
            <Row label="Signals closed" value={p.signalsClosed} />
            <Row label="Win rate (closed)" value={p.winRate} />
            <Row label="Return (compounded, after fees)" value={p.monthReturn} />
            <Row label="Subscribers gained" value={p.subscribersGained} />
            <Row label="Subscribers lost" value={p.subscribersLost} />
            <Row label="Earnings (your share)" value={p.earnings} />
          </tbody>
        </table>
      </Section>
      <Section style={{ marginTop: 24 }}>
        <Button href={p.revenueUrl} style={buttonStyle}>
          See your revenue
        </Button>
      </Section>
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

export const stream = "notification";

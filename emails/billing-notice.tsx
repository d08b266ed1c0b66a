import { Button, Text } from "@react-email/components";
import { EmailLayout, buttonStyle } from "./_layout";

export interface BillingNoticeProps {
  name: string;
  preview: string;
  paragraphs: string[];
  action?: { label: string; url: string };
}

/** Transactional billing email: subscription started, payment failed, subscription ended, new subscriber. */
export const stream = "transactional";

export default function BillingNotice({ name, preview, paragraphs, action }: BillingNoticeProps) {
  return (
    <EmailLayout preview={preview}>
      <Text style={{ fontSize: 16 }}>Hi {name},</Text>
      {paragraphs.map((p) => (
        <Text key={p} style={{ fontSize: 15, lineHeight: "22px" }}>
          {p}
        </Text>
      ))}
      {action ? (
        <Button href={action.url} style={buttonStyle}>
          {action.label}
        </Button>
      ) : null}
    </EmailLayout>
  );
}

BillingNotice.PreviewProps = {
  name: "Ada",
  preview: "Your payment to Momentum Desk failed",
  paragraphs: ["We couldn't charge your card for Momentum Desk ($4.00/month).", "You keep access until 28 Nov 2026 while we retry."],
  action: { label: "Update your card", url: "https://tradsy.example/subscriptions" },
} satisfies BillingNoticeProps;

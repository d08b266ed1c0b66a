import { Button, Text } from "@react-email/components";
import { EmailLayout, buttonStyle } from "./_layout";

export interface DigestConfirmProps {
  /** "Northwind Trading" for one provider's digest, null for the marketplace-wide one. */
  providerName: string | null;
  /** The single-use confirmation link. */
  confirmUrl: string;
}

/** Double opt-in: the only email a digest subscriber gets until they confirm. */
export default function DigestConfirm({ providerName, confirmUrl }: DigestConfirmProps) {
  const what = providerName ? `the weekly digest of ${providerName}` : "the weekly Tradsy marketplace digest";
  return (
    <EmailLayout preview={`Confirm your subscription to ${what}`}>
      <Text style={{ fontSize: 16 }}>Confirm your subscription</Text>
      <Text style={{ fontSize: 15, lineHeight: "22px" }}>
        Someone, hopefully you, asked to receive {what} at this address: once a week, the signals that closed and the public
        track-record figures. Nothing is sent until you confirm.
      </Text>
      <Button href={confirmUrl} style={buttonStyle}>
        Confirm subscription
      </Button>
      <Text style={{ color: "#6b7280", fontSize: 13 }}>
        The link works once. If you did not ask for this, ignore this email and you will hear nothing more from us.
      </Text>
    </EmailLayout>
  );
}

DigestConfirm.PreviewProps = {
  providerName: "Northwind Trading",
  confirmUrl: "https://tradsy.example/digest/confirm?token=example-token",
} satisfies DigestConfirmProps;

export const stream = "transactional";

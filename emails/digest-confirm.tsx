import { EmailButton, EmailHeading, EmailText, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export interface DigestConfirmProps {
  /** "Northwind Trading" for one provider's digest, null for the marketplace-wide one. */
  providerName: string | null;
  /** The single-use confirmation link. */
  confirmUrl: string;
}

export const stream = "transactional";

/** Double opt-in: the only email a digest subscriber gets until they confirm. */
export default function DigestConfirm({ providerName, confirmUrl }: DigestConfirmProps) {
  const what = providerName ? `the weekly digest of ${providerName}` : "the weekly Tradsy marketplace digest";
  return (
    <EmailLayout preview={`Confirm your subscription to ${what}`}>
      <EmailHeading>Confirm your subscription</EmailHeading>
      <EmailText>
        Someone, hopefully you, asked to receive {what} at this address: once a week, the signals that closed and the public track-record
        figures. Nothing is sent until you confirm.
      </EmailText>
      <EmailButton href={confirmUrl}>Confirm subscription</EmailButton>
      <MutedNote>The link works once. If you did not ask for this, ignore this email and you will hear nothing more from us.</MutedNote>
    </EmailLayout>
  );
}

DigestConfirm.PreviewProps = {
  providerName: "Northwind Trading",
  confirmUrl: "https://tradsy.example/digest/confirm?token=example-token",
} satisfies DigestConfirmProps;

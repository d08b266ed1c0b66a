import { EmailButton, EmailHeading, EmailText, Greeting, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export interface VerifyEmailProps {
  name: string;
  /** The one-time verification link (queued through `oneTimeLink`, so the stored copy holds a placeholder). */
  url: string;
}

export const stream = "transactional";

export default function VerifyEmail({ name, url }: VerifyEmailProps) {
  return (
    <EmailLayout preview="Confirm your email address for Tradsy">
      <EmailHeading>Confirm your email address</EmailHeading>
      <Greeting name={name} />
      <EmailText>
        Confirm your email address to finish setting up your Tradsy account. The link is valid for 24 hours and works
        once.
      </EmailText>
      <EmailButton href={url}>Confirm email</EmailButton>
      <MutedNote>If you did not sign up for Tradsy, ignore this email: no account is confirmed without this link.</MutedNote>
    </EmailLayout>
  );
}

VerifyEmail.PreviewProps = { name: "Ada", url: "https://tradsy.example/verify?token=preview-verify-token" } satisfies VerifyEmailProps;

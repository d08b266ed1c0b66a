import { EmailButton, EmailHeading, EmailText, Greeting, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export interface ResetPasswordProps {
  name: string;
  /** The one-time reset link (queued through `oneTimeLink`, so the stored copy holds a placeholder). */
  url: string;
}

export const stream = "transactional";

export default function ResetPassword({ name, url }: ResetPasswordProps) {
  return (
    <EmailLayout preview="Reset your Tradsy password">
      <EmailHeading>Reset your password</EmailHeading>
      <Greeting name={name} />
      <EmailText>
        Someone asked to reset the password of your Tradsy account. The link below is valid for one hour and can be
        used once.
      </EmailText>
      <EmailButton href={url}>Choose a new password</EmailButton>
      <MutedNote>If it was not you, ignore this email: your password stays as it is.</MutedNote>
    </EmailLayout>
  );
}

ResetPassword.PreviewProps = { name: "Ada", url: "https://tradsy.example/reset?token=preview-reset-token" } satisfies ResetPasswordProps;

import { Button, Text } from "@react-email/components";
import { EmailLayout, buttonStyle } from "./_layout";

export interface ResetPasswordProps {
  name: string;
  url: string;
}

export default function ResetPassword({ name, url }: ResetPasswordProps) {
  return (
    <EmailLayout preview="Reset your Tradsy password">
      <Text style={{ fontSize: 16 }}>Hi {name},</Text>
      <Text style={{ fontSize: 15, lineHeight: "22px" }}>
        Someone asked to reset the password of your Tradsy account. The link below is valid for one hour and can be
        used once.
      </Text>
      <Button href={url} style={buttonStyle}>
        Choose a new password
      </Button>
      <Text style={{ color: "#6b7280", fontSize: 13 }}>
        If it was not you, ignore this email: your password stays as it is.
      </Text>
    </EmailLayout>
  );
}

ResetPassword.PreviewProps = { name: "Ada", url: "http://localhost:3000/reset?token=example" } satisfies ResetPasswordProps;

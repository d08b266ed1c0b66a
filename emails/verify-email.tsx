import { Button, Text } from "@react-email/components";
import { EmailLayout, buttonStyle } from "./_layout";

export interface VerifyEmailProps {
  name: string;
  url: string;
}

export default function VerifyEmail({ name, url }: VerifyEmailProps) {
  return (
    <EmailLayout preview="Confirm your email address for Tradsy">
      <Text style={{ fontSize: 16 }}>Hi {name},</Text>
      <Text style={{ fontSize: 15, lineHeight: "22px" }}>
        Confirm your email address to finish setting up your Tradsy account. The link is valid for 24 hours.
      </Text>
      <Button href={url} style={buttonStyle}>
        Confirm email
      </Button>
      <Text style={{ color: "#6b7280", fontSize: 13 }}>If you did not sign up for Tradsy, ignore this email.</Text>
    </EmailLayout>
  );
}

VerifyEmail.PreviewProps = { name: "Ada", url: "http://localhost:3000/verify?token=example" } satisfies VerifyEmailProps;

import { Body, Container, Head, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";

/**
 * Every email's frame. `unsubscribeUrl` is required for every non-transactional email (alerts, digests, onboarding):
 * the footer then links to it (it opens the preferences page; mail clients POST to it for one-click unsubscribe).
 */
export function EmailLayout({ preview, children, unsubscribeUrl }: { preview: string; children: ReactNode; unsubscribeUrl?: string }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: "#f6f7f9", fontFamily: "Inter, Helvetica, Arial, sans-serif", margin: 0 }}>
        <Container style={{ backgroundColor: "#ffffff", borderRadius: 8, margin: "32px auto", maxWidth: 520, padding: 32 }}>
          <Text style={{ color: "#0f766e", fontSize: 20, fontWeight: 700, margin: 0 }}>Tradsy</Text>
          <Section style={{ marginTop: 16 }}>{children}</Section>
          <Hr style={{ borderColor: "#e5e7eb", margin: "24px 0" }} />
          <Text style={{ color: "#6b7280", fontSize: 12, lineHeight: "18px" }}>
            Trading involves substantial risk of loss. Past performance of any signal provider is not indicative of
            future results.
          </Text>
          {unsubscribeUrl ? (
            <Text style={{ color: "#6b7280", fontSize: 12, lineHeight: "18px" }}>
              <Link href={unsubscribeUrl} style={{ color: "#6b7280", textDecoration: "underline" }}>
                Unsubscribe or choose which emails you get
              </Link>
            </Text>
          ) : null}
        </Container>
      </Body>
    </Html>
  );
}

export const buttonStyle = {
  backgroundColor: "#0f766e",
  borderRadius: 6,
  color: "#ffffff",
  display: "inline-block",
  fontSize: 15,
  fontWeight: 600,
  padding: "12px 20px",
  textDecoration: "none",
} as const;

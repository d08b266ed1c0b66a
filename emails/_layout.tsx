import { Body, Container, Head, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";

/**
 * Every email's frame: a 600 px card, safe in dark mode, whose plain-text part (`render(el, { plainText: true })`)
 * reads on its own (links appear as their URL after the link text).
 *
 * Dark mode: the email declares `color-scheme: light dark`, so Apple Mail, iOS Mail and Outlook (macOS, iOS) apply the
 * `prefers-color-scheme: dark` rules below; Outlook.com marks its dark-mode copy `[data-ogsc]`/`[data-ogsb]`. Gmail
 * and Outlook on Windows ignore the rules and invert colours themselves, so every colour is set on the element that
 * shows it (text colour on the text, background on the card), never left to a white default, and nothing sits on an
 * image: the wordmark is text.
 *
 * `unsubscribeUrl` is required for every non-transactional email (alerts, digests, onboarding): the footer then links to
 * it (it opens the preferences page; mail clients POST to it for one-click unsubscribe). Transactional email says
 * instead why it is sent whatever the reader's email choices.
 */

/** The palette, light values inline; the dark values live in DARK_MODE_CSS under the class of the same name. */
export const colors = {
  page: "#f3f4f6",
  card: "#ffffff",
  text: "#111827",
  muted: "#4b5563",
  border: "#e5e7eb",
  brand: "#0f766e",
  panel: "#f9fafb",
  warning: "#92400e",
  warningPanel: "#fffbeb",
} as const;

/** Class names the dark-mode rules target; shared components set them beside their inline light colours. */
export const darkClass = {
  page: "tr-page",
  card: "tr-card",
  text: "tr-text",
  muted: "tr-muted",
  brand: "tr-brand",
  panel: "tr-panel",
  border: "tr-border",
  warning: "tr-warning",
} as const;

const darkRules = `
.tr-page{background-color:#0b0f14 !important}
.tr-card{background-color:#151b23 !important}
.tr-text{color:#e5e7eb !important}
.tr-muted{color:#a3adbb !important}
.tr-brand{color:#5eead4 !important}
.tr-panel{background-color:#1f2833 !important}
.tr-border{border-color:#334155 !important}
.tr-warning{background-color:#2d2410 !important;color:#fcd34d !important;border-color:#a16207 !important}`;

// Outlook.com renders dark mode by rewriting colours and tagging elements: [data-ogsc] (text) and [data-ogsb] (backgrounds).
const outlookRules = darkRules
  .trim()
  .split("\n")
  .map((rule) => `[data-ogsc] ${rule}`)
  .join("\n");

const DARK_MODE_CSS = `
:root{color-scheme:light dark;supported-color-schemes:light dark}
@media (prefers-color-scheme: dark){${darkRules}
}
${outlookRules}`;

export const EMAIL_WIDTH = 600;

export function EmailLayout({ preview, children, unsubscribeUrl }: { preview: string; children: ReactNode; unsubscribeUrl?: string }) {
  return (
    <Html lang="en">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <style>{DARK_MODE_CSS}</style>
      </Head>
      <Preview>{preview}</Preview>
      {/* Body copies its style onto an inner cell that cannot take a class: the page colour is repeated on a section
          that can, so dark mode repaints all of it. */}
      <Body className={darkClass.page} style={{ backgroundColor: colors.page, margin: 0 }}>
        <Section
          className={darkClass.page}
          style={{ backgroundColor: colors.page, color: colors.text, fontFamily: "Inter, Helvetica, Arial, sans-serif", padding: "24px 0" }}
        >
          <Container
            className={darkClass.card}
            style={{ backgroundColor: colors.card, borderRadius: 8, margin: "0 auto", maxWidth: EMAIL_WIDTH, padding: "32px 28px" }}
          >
            <Text className={darkClass.brand} style={{ color: colors.brand, fontSize: 20, fontWeight: 700, letterSpacing: "-0.01em", lineHeight: "24px", margin: 0 }}>
              Tradsy
            </Text>
            <Section className={darkClass.text} style={{ color: colors.text, marginTop: 16 }}>
              {children}
            </Section>
            <Hr className={darkClass.border} style={{ borderColor: colors.border, margin: "24px 0" }} />
            <Text className={darkClass.muted} style={{ color: colors.muted, fontSize: 12, lineHeight: "18px", margin: "0 0 8px" }}>
              Trading involves substantial risk of loss. Past performance of any signal provider is not indicative of
              future results.
            </Text>
            {unsubscribeUrl ? (
              <Text className={darkClass.muted} style={{ color: colors.muted, fontSize: 12, lineHeight: "18px", margin: 0 }}>
                <Link href={unsubscribeUrl} className={darkClass.muted} style={{ color: colors.muted, textDecoration: "underline" }}>
                  Unsubscribe or choose which emails you get
                </Link>
              </Text>
            ) : (
              <Text className={darkClass.muted} style={{ color: colors.muted, fontSize: 12, lineHeight: "18px", margin: 0 }}>
                This is a service email about your Tradsy account: you get it whatever your email choices.
              </Text>
            )}
          </Container>
        </Section>
      </Body>
    </Html>
  );
}

export const buttonStyle = {
  backgroundColor: colors.brand,
  borderRadius: 6,
  color: "#ffffff",
  display: "inline-block",
  fontSize: 15,
  fontWeight: 600,
  padding: "12px 20px",
  textDecoration: "none",
} as const;

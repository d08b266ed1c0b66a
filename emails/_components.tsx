import { Button, Heading, Link, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";
import { buttonStyle, colors, darkClass } from "./_layout";

/**
 * Building blocks every template shares, so emails look alike and stay readable in dark mode and as plain text.
 * Each sets its light colour inline and the matching dark-mode class (see _layout.tsx).
 */

/** The email's title (one per email). */
export function EmailHeading({ children }: { children: ReactNode }) {
  return (
    <Heading as="h1" className={darkClass.text} style={{ color: colors.text, fontSize: 22, fontWeight: 700, lineHeight: "28px", margin: "8px 0 16px" }}>
      {children}
    </Heading>
  );
}

/** A paragraph of body text. */
export function EmailText({ children }: { children: ReactNode }) {
  return (
    <Text className={darkClass.text} style={{ color: colors.text, fontSize: 15, lineHeight: "22px", margin: "0 0 16px" }}>
      {children}
    </Text>
  );
}

/** "Hi Ada," */
export function Greeting({ name }: { name: string }) {
  return (
    <Text className={darkClass.text} style={{ color: colors.text, fontSize: 16, lineHeight: "24px", margin: "0 0 16px" }}>
      Hi {name},
    </Text>
  );
}

/** The call to action. In the plain-text part it reads "<label> <url>". */
export function EmailButton({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Section style={{ margin: "8px 0 20px" }}>
      <Button href={href} style={buttonStyle}>
        {children}
      </Button>
    </Section>
  );
}

/** A link inside text, underlined so it reads as one in both schemes. In the plain-text part: "<words> <url>". */
export function EmailLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} className={darkClass.brand} style={{ color: colors.brand, textDecoration: "underline" }}>
      {children}
    </Link>
  );
}

/** Small print under the main text: why you got this, what to do if it was not you. */
export function MutedNote({ children }: { children: ReactNode }) {
  return (
    <Text className={darkClass.muted} style={{ color: colors.muted, fontSize: 13, lineHeight: "20px", margin: "0 0 12px" }}>
      {children}
    </Text>
  );
}

/** A boxed message that needs attention (a failed payment, a paused copy). */
export function Callout({ children }: { children: ReactNode }) {
  return (
    <Text
      className={darkClass.warning}
      style={{
        backgroundColor: colors.warningPanel,
        border: `1px solid #fcd34d`,
        borderRadius: 6,
        color: colors.warning,
        fontSize: 14,
        lineHeight: "20px",
        margin: "0 0 16px",
        padding: "12px 14px",
      }}
    >
      {children}
    </Text>
  );
}

export interface KeyValueRow {
  label: string;
  /** Preformatted (money with src/lib/money, prices and dates with src/lib/format): never a raw number. */
  value: ReactNode;
}

/**
 * Labelled values, one per row: a signal's levels, a receipt's amount and date. In the plain-text part each row reads
 * "Label: value" on its own line.
 */
export function KeyValueTable({ rows }: { rows: KeyValueRow[] }) {
  return (
    <table
      role="presentation"
      data-text-format="dataTable"
      width="100%"
      cellPadding={0}
      cellSpacing={0}
      className={darkClass.panel}
      style={{ backgroundColor: colors.panel, borderCollapse: "collapse", borderRadius: 6, margin: "0 0 16px", width: "100%" }}
    >
      <tbody>
        {rows.map((row) => (
          <tr key={row.label}>
            <td
              className={`${darkClass.muted} ${darkClass.border}`}
              style={{ borderBottom: `1px solid ${colors.border}`, color: colors.muted, fontSize: 14, lineHeight: "20px", padding: "8px 12px", width: "40%" }}
            >
              {row.label}
            </td>
            <td
              className={`${darkClass.text} ${darkClass.border}`}
              style={{ borderBottom: `1px solid ${colors.border}`, color: colors.text, fontSize: 14, fontWeight: 600, lineHeight: "20px", padding: "8px 12px", textAlign: "right" }}
            >
              {row.value}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

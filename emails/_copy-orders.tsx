import { Section, Text } from "@react-email/components";
import { EmailButton, EmailHeading, EmailText, Greeting, MutedNote } from "./_components";
import { EmailLayout, colors, darkClass } from "./_layout";

/**
 * The body shared by copy-filled, copy-skipped and copy-rejected: one email per follower per batch of settled copy
 * orders, leading with the outcome its template is named after and listing the others below it.
 */

/** One copy order, preformatted by the sender (quantities and prices as decimal strings, never floats). */
export interface CopyOrderLine {
  /** "Northwind Trading" */
  provider: string;
  /** "Signal #42" */
  signal: string;
  /** "Bought 0.00311 BTC/USDT at 64,223.34 (entry)", "BTC/USDT entry not copied", "Sell 0.5 ETH/USDT (stop)" */
  summary: string;
  /** Fee and venue for a fill ("Fee 0.19973 USDT · Paper account"); the reason for a skip or a rejection. */
  detail: string;
}

export interface CopyOrdersProps {
  name: string;
  filled: CopyOrderLine[];
  skipped: CopyOrderLine[];
  rejected: CopyOrderLine[];
  /** The copy trading page. */
  copyUrl: string;
  unsubscribeUrl: string;
}

export type CopyOutcome = "filled" | "skipped" | "rejected";

const TITLES: Record<CopyOutcome, (n: number) => string> = {
  filled: (n) => (n === 1 ? "Copy filled" : `${n} copies filled`),
  skipped: (n) => (n === 1 ? "Signal not copied" : `${n} signals not copied`),
  rejected: (n) => (n === 1 ? "Copy order rejected" : `${n} copy orders rejected`),
};

const INTRO: Record<CopyOutcome, string> = {
  filled: "These copy orders were filled:",
  skipped: "These signals were not copied, for the reason given under each (your copy settings decide most of them):",
  rejected: "The venue refused these copy orders, for the reason given under each:",
};

/** The subject of the email leading with `lead`. */
export function copyOrdersSubject(lead: CopyOutcome, props: Pick<CopyOrdersProps, CopyOutcome>): string {
  const first = props[lead][0];
  const title = TITLES[lead](props[lead].length);
  return props[lead].length === 1 && first ? `${title}: ${first.summary}` : title;
}

function Lines({ lines }: { lines: CopyOrderLine[] }) {
  return (
    <>
      {lines.map((o, i) => (
        <Section key={`${o.signal}-${i}`} style={{ margin: "0 0 12px" }}>
          <Text className={darkClass.text} style={{ color: colors.text, fontSize: 15, fontWeight: 600, lineHeight: "22px", margin: 0 }}>
            {o.summary}
          </Text>
          <Text className={darkClass.muted} style={{ color: colors.muted, fontSize: 13, lineHeight: "20px", margin: 0 }}>
            {o.provider} · {o.signal} · {o.detail}
          </Text>
        </Section>
      ))}
    </>
  );
}

const ORDER: CopyOutcome[] = ["rejected", "skipped", "filled"];

export function CopyOrdersEmail({ lead, ...props }: CopyOrdersProps & { lead: CopyOutcome }) {
  const others = ORDER.filter((o) => o !== lead && props[o].length > 0);
  return (
    <EmailLayout preview={copyOrdersSubject(lead, props)} unsubscribeUrl={props.unsubscribeUrl}>
      <EmailHeading>{TITLES[lead](props[lead].length)}</EmailHeading>
      <Greeting name={props.name} />
      <EmailText>{INTRO[lead]}</EmailText>
      <Lines lines={props[lead]} />
      {others.map((o) => (
        <Section key={o}>
          <Text className={darkClass.text} style={{ color: colors.text, fontSize: 16, fontWeight: 700, lineHeight: "22px", margin: "16px 0 8px" }}>
            {TITLES[o](props[o].length)}
          </Text>
          <Lines lines={props[o]} />
        </Section>
      ))}
      <EmailButton href={props.copyUrl}>Open copy trading</EmailButton>
      <MutedNote>Paper copies move no money. Your copy settings (sizes, limits, which markets) are on the copy trading page.</MutedNote>
    </EmailLayout>
  );
}

/** Realistic lines for the templates' PreviewProps. */
export const PREVIEW_LINES = {
  filled: {
    provider: "Northwind Trading",
    signal: "Signal #42",
    summary: "Bought 0.00311 BTC/USDT at 64,223.34 (entry)",
    detail: "Fee 0.19973 USDT · Paper account",
  },
  skipped: {
    provider: "Northwind Trading",
    signal: "Signal #43",
    summary: "ETH/USDT entry not copied",
    detail: "You already hold 5 open copies, the most your settings allow",
  },
  rejected: {
    provider: "Harbor FX",
    signal: "Signal #17",
    summary: "Buy 1200 EUR/USD refused (entry)",
    detail: "The exchange said: Account has insufficient balance for requested action · Binance (main)",
  },
} satisfies Record<CopyOutcome, CopyOrderLine>;

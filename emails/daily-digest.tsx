import { Section, Text } from "@react-email/components";
import { EmailButton, EmailHeading, EmailText, KeyValueTable } from "./_components";
import { EmailLayout, colors, darkClass } from "./_layout";

export interface DailyDigestSignal {
  providerName: string;
  number: number;
  /** Null for a live signal the reader is not entitled to: its market and side are for subscribers only. */
  symbol: string | null;
  side: "long" | "short" | null;
  /** Levels ("entry 64,200 · stop 62,900 · targets 66,000"), only when the reader is entitled to this signal; else null. */
  levels: string | null;
  /** For closed signals: "+2.41% (Target hit)". */
  result: string | null;
}

export interface DailyDigestProps {
  name: string;
  dateLabel: string;
  opened: DailyDigestSignal[];
  closed: DailyDigestSignal[];
  /** Copy P&L of the day, formatted ("+12.40 USDT realised on 1 closed copy"), or null when no copy closed. */
  copyPnl: string | null;
  dashboardUrl: string;
  unsubscribeUrl: string;
}

export const stream = "notification";

const subheadingStyle = { color: colors.text, fontSize: 16, fontWeight: 700, lineHeight: "22px", margin: "8px 0 8px" } as const;

const label = (s: DailyDigestSignal) => (s.symbol ? `${s.providerName} #${s.number} ${s.symbol} ${s.side ?? ""}`.trimEnd() : `${s.providerName} #${s.number}`);

export default function DailyDigest({ name, dateLabel, opened, closed, copyPnl, dashboardUrl, unsubscribeUrl }: DailyDigestProps) {
  return (
    <EmailLayout preview={`Your Tradsy day, ${dateLabel}: ${opened.length} opened, ${closed.length} closed`} unsubscribeUrl={unsubscribeUrl}>
      <EmailHeading>Your day on Tradsy, {dateLabel}</EmailHeading>
      <EmailText>Hi {name}, here is what the providers you follow did in the last 24 hours.</EmailText>
      {opened.length ? (
        <Section>
          <Text className={darkClass.text} style={subheadingStyle}>
            Opened ({opened.length})
          </Text>
          <KeyValueTable rows={opened.map((s) => ({ label: label(s), value: s.levels ?? (s.symbol ? "Levels for subscribers" : "Market, side and levels for subscribers") }))} />
        </Section>
      ) : null}
      {closed.length ? (
        <Section>
          <Text className={darkClass.text} style={subheadingStyle}>
            Closed ({closed.length})
          </Text>
          <KeyValueTable rows={closed.map((s) => ({ label: label(s), value: s.result ?? "" }))} />
        </Section>
      ) : null}
      {copyPnl ? (
        <Section>
          <Text className={darkClass.text} style={subheadingStyle}>
            Your copies
          </Text>
          <EmailText>{copyPnl}</EmailText>
        </Section>
      ) : null}
      <EmailButton href={dashboardUrl}>Open your dashboard</EmailButton>
    </EmailLayout>
  );
}

DailyDigest.PreviewProps = {
  name: "Ada",
  dateLabel: "2026-12-07",
  opened: [{ providerName: "Northwind Trading", number: 43, symbol: "BTC/USDT", side: "long", levels: "entry 64200 · stop 62900 · targets 66000", result: null }],
  closed: [{ providerName: "Northwind Trading", number: 41, symbol: "ETH/USDT", side: "short", levels: null, result: "+2.41% (Target hit)" }],
  copyPnl: "+12.40 USDT realised on 1 closed copy",
  dashboardUrl: "https://tradsy.example/dashboard",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies DailyDigestProps;

import { Button, Section, Text } from "@react-email/components";
import { EmailLayout, buttonStyle } from "./_layout";

export interface DailyDigestSignal {
  providerName: string;
  number: number;
  symbol: string;
  side: "long" | "short";
  /** Levels ("entry 64,200 · stop 62,900 · targets 66,000"), only when the reader is entitled to this signal; else null. */
  levels: string | null;
  /** For closed signals: "+2.41% (take profit)". */
  result: string | null;
}

export interface DailyDigestProps {
  name: string;
  dateLabel: string;
  opened: DailyDigestSignal[];
  closed: DailyDigestSignal[];
  /** Copy P&L of the day, formatted ("+$12.40 on 3 closed copies"), or null when no copy closed. */
  copyPnl: string | null;
  dashboardUrl: string;
  unsubscribeUrl: string;
}

function SignalLine({ s }: { s: DailyDigestSignal }) {
  return (
    <Text style={{ fontSize: 14, margin: "0 0 6px" }}>
      {s.providerName} #{s.number} · {s.symbol} {s.side}
      {s.result ? ` · ${s.result}` : ""}
      {s.levels ? ` · ${s.levels}` : ""}
    </Text>
  );
}

export default function DailyDigest({ name, dateLabel, opened, closed, copyPnl, dashboardUrl, unsubscribeUrl }: DailyDigestProps) {
  return (
    <EmailLayout preview={`Your Tradsy day, ${dateLabel}: ${opened.length} opened, ${closed.length} closed`} unsubscribeUrl={unsubscribeUrl}>
      <Text style={{ fontSize: 16 }}>Hi {name}, here is your day on Tradsy ({dateLabel}).</Text>
      {opened.length ? (
        <Section>
          <Text style={{ fontSize: 15, fontWeight: 600 }}>Opened ({opened.length})</Text>
          {opened.map((s) => (
            <SignalLine key={`o-${s.providerName}-${s.number}`} s={s} />
          ))}
        </Section>
      ) : null}
      {closed.length ? (
        <Section>
          <Text style={{ fontSize: 15, fontWeight: 600 }}>Closed ({closed.length})</Text>
          {closed.map((s) => (
            <SignalLine key={`c-${s.providerName}-${s.number}`} s={s} />
          ))}
        </Section>
      ) : null}
      {copyPnl ? (
        <Section>
          <Text style={{ fontSize: 15, fontWeight: 600 }}>Your copies</Text>
          <Text style={{ fontSize: 14 }}>{copyPnl}</Text>
        </Section>
      ) : null}
      <Button href={dashboardUrl} style={buttonStyle}>
        Open your dashboard
      </Button>
    </EmailLayout>
  );
}

DailyDigest.PreviewProps = {
  name: "Ada",
  dateLabel: "Dec 7, 2026",
  opened: [{ providerName: "Northwind Trading", number: 43, symbol: "BTC/USDT", side: "long", levels: "entry 64,200 · stop 62,900 · targets 66,000", result: null }],
  closed: [{ providerName: "Northwind Trading", number: 41, symbol: "ETH/USDT", side: "short", levels: null, result: "+2.41% (take profit)" }],
  copyPnl: "+$12.40 realised on 1 closed copy",
  dashboardUrl: "https://tradsy.example/dashboard",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies DailyDigestProps;

export const stream = "notification";

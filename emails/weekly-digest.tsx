import { Button, Link, Section, Text } from "@react-email/components";
import { EmailLayout, buttonStyle } from "./_layout";

/**
 * A closed signal as the public track record shows it. There is deliberately no field for an open signal, nor for
 * levels of one: this email goes to people without an account, who are entitled to nothing that is still live.
 */
export interface WeeklyClosedSignal {
  providerName: string;
  number: number;
  symbol: string;
  side: "long" | "short";
  closedOn: string;
  result: string;
  exitReason: string;
}

export interface WeeklyProviderFigures {
  name: string;
  profileUrl: string;
  closedSignals: string;
  winRate: string;
  roi: string;
  maxDrawdown: string;
}

export interface WeeklyDigestProps {
  /** The provider this digest follows, or null for the marketplace-wide digest. */
  providerName: string | null;
  weekLabel: string;
  signals: WeeklyClosedSignal[];
  /** Public all-time figures: the followed provider, or the top providers of the marketplace. */
  providers: WeeklyProviderFigures[];
  marketplaceUrl: string;
  unsubscribeUrl: string;
}

const cell = { fontSize: 14, padding: "6px 8px 6px 0", borderBottom: "1px solid #e5e7eb" } as const;

export default function WeeklyDigest({ providerName, weekLabel, signals, providers, marketplaceUrl, unsubscribeUrl }: WeeklyDigestProps) {
  const title = providerName ? `${providerName}: the week ${weekLabel}` : `Tradsy marketplace: the week ${weekLabel}`;
  return (
    <EmailLayout preview={`${signals.length} closed signal${signals.length === 1 ? "" : "s"} — ${title}`} unsubscribeUrl={unsubscribeUrl}>
      <Text style={{ fontSize: 18, fontWeight: 600 }}>{title}</Text>
      <Text style={{ fontSize: 15, lineHeight: "22px" }}>
        {signals.length
          ? "Signals closed this week, with their results after fees. Open signals are for subscribers only and never appear here."
          : "No signal closed this week. Open signals are for subscribers only and never appear here."}
      </Text>
      {signals.length ? (
        <Section>
          <table style={{ borderCollapse: "collapse", width: "100%" }}>
            <thead>
              <tr>
                <th style={{ ...cell, textAlign: "left" }}>Signal</th>
                <th style={{ ...cell, textAlign: "left" }}>Closed</th>
                <th style={{ ...cell, textAlign: "right" }}>Result</th>
              </tr>
            </thead>
            <tbody>
              {signals.map((s) => (
                <tr key={`${s.providerName}-${s.number}`}>
                  <td style={cell}>
                    {providerName ? "" : `${s.providerName} `}#{s.number} {s.symbol} {s.side} ({s.exitReason})
                  </td>
                  <td style={cell}>{s.closedOn}</td>
                  <td style={{ ...cell, textAlign: "right" }}>{s.result}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      {providers.map((p) => (
        <Section key={p.profileUrl} style={{ marginTop: 16 }}>
          <Text style={{ fontSize: 15, fontWeight: 600, margin: "0 0 4px" }}>
            <Link href={p.profileUrl}>{p.name}</Link>, all-time track record
          </Text>
          <Text style={{ fontSize: 14, margin: 0 }}>
            {p.closedSignals} closed signals · win rate {p.winRate} · ROI {p.roi} · max drawdown {p.maxDrawdown}
          </Text>
        </Section>
      ))}
      <Section style={{ marginTop: 24 }}>
        <Button href={providers[0]?.profileUrl ?? marketplaceUrl} style={buttonStyle}>
          {providerName ? "See the full track record" : "Compare providers"}
        </Button>
      </Section>
    </EmailLayout>
  );
}

WeeklyDigest.PreviewProps = {
  providerName: "Northwind Trading",
  weekLabel: "2026-W49",
  signals: [
    { providerName: "Northwind Trading", number: 41, symbol: "BTC/USDT", side: "long", closedOn: "Dec 3, 2026", result: "+2.41%", exitReason: "take profit" },
    { providerName: "Northwind Trading", number: 42, symbol: "ETH/USDT", side: "short", closedOn: "Dec 5, 2026", result: "-1.02%", exitReason: "stop loss" },
  ],
  providers: [
    { name: "Northwind Trading", profileUrl: "https://tradsy.example/providers/northwind", closedSignals: "128", winRate: "58.6%", roi: "+34.12%", maxDrawdown: "12.40%" },
  ],
  marketplaceUrl: "https://tradsy.example/providers",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies WeeklyDigestProps;

export const stream = "marketing";

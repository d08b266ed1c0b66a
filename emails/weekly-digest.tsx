import { Section, Text } from "@react-email/components";
import { EmailButton, EmailHeading, EmailLink, EmailText, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout, colors, darkClass } from "./_layout";

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

export const stream = "marketing";

const subheadingStyle = { color: colors.text, fontSize: 16, fontWeight: 700, lineHeight: "22px", margin: "8px 0 8px" } as const;

export default function WeeklyDigest({ providerName, weekLabel, signals, providers, marketplaceUrl, unsubscribeUrl }: WeeklyDigestProps) {
  const title = providerName ? `${providerName}: the week of ${weekLabel}` : `Tradsy marketplace: the week of ${weekLabel}`;
  return (
    <EmailLayout preview={`${signals.length} closed signal${signals.length === 1 ? "" : "s"}. ${title}`} unsubscribeUrl={unsubscribeUrl}>
      <EmailHeading>{title}</EmailHeading>
      <EmailText>Signals closed this week, with their results after fees. Open signals are for subscribers only and never appear here.</EmailText>
      <KeyValueTable
        rows={signals.map((s) => ({
          label: `${providerName ? "" : `${s.providerName} `}#${s.number} ${s.symbol} ${s.side}, ${s.exitReason}, ${s.closedOn}`,
          value: s.result,
        }))}
      />
      {providers.map((p) => (
        <Section key={p.profileUrl}>
          <Text className={darkClass.text} style={subheadingStyle}>
            <EmailLink href={p.profileUrl}>{p.name}</EmailLink>, all-time track record
          </Text>
          <KeyValueTable
            rows={[
              { label: "Closed signals", value: p.closedSignals },
              { label: "Win rate", value: p.winRate },
              { label: "ROI", value: p.roi },
              { label: "Max drawdown", value: p.maxDrawdown },
            ]}
          />
        </Section>
      ))}
      <EmailButton href={providers[0]?.profileUrl ?? marketplaceUrl}>{providerName ? "See the full track record" : "Compare providers"}</EmailButton>
      <MutedNote>Figures are computed by Tradsy from hash-chained signals on a standard account, never entered by the provider.</MutedNote>
    </EmailLayout>
  );
}

WeeklyDigest.PreviewProps = {
  providerName: "Northwind Trading",
  weekLabel: "Nov 30 – Dec 6, 2026",
  signals: [
    { providerName: "Northwind Trading", number: 41, symbol: "BTC/USDT", side: "long", closedOn: "Dec 3, 2026", result: "+2.41%", exitReason: "Target hit" },
    { providerName: "Northwind Trading", number: 42, symbol: "ETH/USDT", side: "short", closedOn: "Dec 5, 2026", result: "-1.02%", exitReason: "Stopped out" },
  ],
  providers: [
    { name: "Northwind Trading", profileUrl: "https://tradsy.example/providers/northwind", closedSignals: "128", winRate: "58.60%", roi: "+34.12%", maxDrawdown: "-12.40%" },
  ],
  marketplaceUrl: "https://tradsy.example/providers",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies WeeklyDigestProps;

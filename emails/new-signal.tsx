import { Link, Section, Text } from "@react-email/components";
import { EmailButton, EmailHeading, EmailText, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout, colors, darkClass } from "./_layout";

/** An open signal's levels, preformatted (prices as the track record prints them). Only for an entitled reader. */
export interface NewSignalLevels {
  /** "BTC/USDT" */
  market: string;
  /** "Long" | "Short" */
  side: string;
  /** "Market 32,045.14" or "Limit 31,900.00" */
  entry: string;
  /** "31,000.00", or "None" */
  stop: string;
  /** "33,500.00 (50%), 35,000.00 (50%)", or "None" */
  targets: string;
}

export interface NewSignalItem {
  number: number;
  /** "Dec 6, 2026, 16:40 UTC" */
  publishedAt: string;
  /** Given only when the reader is entitled; never shown otherwise (`entitled` decides). */
  levels?: NewSignalLevels;
}

export interface NewSignalProps {
  providerName: string;
  /**
   * Whether the reader may see the signals' levels (an entitled subscriber). An open signal's market, side and prices
   * are for entitled readers only: anyone else learns that a signal was published, and where to subscribe.
   */
  entitled: boolean;
  /** One or more signals published in a short burst, oldest first. */
  signals: NewSignalItem[];
  /** The provider's page: the signals in full for an entitled reader, the subscribe button for anyone else. */
  providerUrl: string;
  /** Email settings (alerts per provider). */
  settingsUrl: string;
  unsubscribeUrl: string;
}

export const stream = "notification";

const subheadingStyle = { color: colors.text, fontSize: 16, fontWeight: 700, lineHeight: "22px", margin: "8px 0 8px" } as const;

/** Subject line for a batch: names the market only when the reader may see it. */
export function newSignalSubject({ providerName, entitled, signals }: Pick<NewSignalProps, "providerName" | "entitled" | "signals">): string {
  const first = signals[0];
  if (signals.length === 1 && first) {
    return entitled && first.levels
      ? `${providerName}: new signal #${first.number}, ${first.levels.market} ${first.levels.side.toLowerCase()}`
      : `${providerName} published signal #${first.number}`;
  }
  return `${providerName} published ${signals.length} new signals`;
}

export default function NewSignal({ providerName, entitled, signals, providerUrl, settingsUrl, unsubscribeUrl }: NewSignalProps) {
  const several = signals.length > 1;
  return (
    <EmailLayout preview={newSignalSubject({ providerName, entitled, signals })} unsubscribeUrl={unsubscribeUrl}>
      <EmailHeading>{several ? `${signals.length} new signals from ${providerName}` : `New signal from ${providerName}`}</EmailHeading>
      {signals.map((s) => (
        <Section key={s.number}>
          <Text className={darkClass.text} style={subheadingStyle}>
            Signal #{s.number}
            {entitled && s.levels ? ` · ${s.levels.market} ${s.levels.side.toLowerCase()}` : ""}
          </Text>
          {entitled && s.levels ? (
            <KeyValueTable
              rows={[
                { label: "Entry", value: s.levels.entry },
                { label: "Stop", value: s.levels.stop },
                { label: "Targets", value: s.levels.targets },
                { label: "Published", value: s.publishedAt },
              ]}
            />
          ) : (
            <EmailText>Published {s.publishedAt}.</EmailText>
          )}
        </Section>
      ))}
      {entitled ? (
        <EmailButton href={providerUrl}>{several ? "See the signals" : "See the signal"}</EmailButton>
      ) : (
        <>
          <EmailText>
            The market and levels of an open signal are for {providerName}&apos;s subscribers. Subscribe to see them, and
            every signal after them, as they are published.
          </EmailText>
          <EmailButton href={providerUrl}>Subscribe to {providerName}</EmailButton>
        </>
      )}
      <MutedNote>
        You get this because you follow {providerName}. Choose which providers alert you in your{" "}
        <Link href={settingsUrl} className={darkClass.muted} style={{ color: colors.muted, textDecoration: "underline" }}>
          email settings
        </Link>
        .
      </MutedNote>
    </EmailLayout>
  );
}

NewSignal.PreviewProps = {
  providerName: "Northwind Trading",
  entitled: true,
  signals: [
    {
      number: 42,
      publishedAt: "Dec 6, 2026, 16:40 UTC",
      levels: { market: "BTC/USDT", side: "Long", entry: "Market 64,210.50", stop: "62,900.00", targets: "66,000.00 (50%), 68,500.00 (50%)" },
    },
    {
      number: 43,
      publishedAt: "Dec 6, 2026, 16:40 UTC",
      levels: { market: "ETH/USDT", side: "Short", entry: "Limit 3,420.00", stop: "3,510.00", targets: "3,250.00 (100%)" },
    },
  ],
  providerUrl: "https://tradsy.example/providers/northwind-trading",
  settingsUrl: "https://tradsy.example/settings",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies NewSignalProps;

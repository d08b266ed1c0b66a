import { Link, Section, Text } from "@react-email/components";
import { EmailButton, EmailHeading, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout, colors, darkClass } from "./_layout";

export interface ClosedSignalItem {
  number: number;
  /** "BTC/USDT" (a finished signal's market is public: it is the track record). */
  market: string;
  /** "Long" | "Short" */
  side: string;
  /** How it ended: "Target hit", "Stopped out", "Closed by provider", "Cancelled", "Expired unfilled". */
  outcome: string;
  /** The signal's return after fees as the track record prints it ("+1.21%"); "No result" when it never filled. */
  result: string;
  /** The R multiple ("+1.25R"), when the signal had a stop; else absent. */
  r?: string;
  /** "Dec 6, 2026, 16:40 UTC" */
  closedAt: string;
  /** Entry and exit prices, given only when the reader is entitled (`entitled` decides). */
  levels?: { entry: string; exit: string };
}

export interface SignalClosedProps {
  providerName: string;
  /** Whether the reader is an entitled subscriber: only then are the entry and exit prices shown. */
  entitled: boolean;
  /** One or more signals that ended in a short burst, oldest first. */
  signals: ClosedSignalItem[];
  /** The provider's track record. */
  providerUrl: string;
  settingsUrl: string;
  unsubscribeUrl: string;
}

export const stream = "notification";

const subheadingStyle = { color: colors.text, fontSize: 16, fontWeight: 700, lineHeight: "22px", margin: "8px 0 8px" } as const;

export function signalClosedSubject({ providerName, signals }: Pick<SignalClosedProps, "providerName" | "signals">): string {
  const first = signals[0];
  if (signals.length === 1 && first) return `${providerName}: signal #${first.number} ${first.market} ${first.outcome.toLowerCase()} (${first.result})`;
  return `${providerName}: ${signals.length} signals closed`;
}

export default function SignalClosed({ providerName, entitled, signals, providerUrl, settingsUrl, unsubscribeUrl }: SignalClosedProps) {
  const several = signals.length > 1;
  return (
    <EmailLayout preview={signalClosedSubject({ providerName, signals })} unsubscribeUrl={unsubscribeUrl}>
      <EmailHeading>{several ? `${signals.length} signals from ${providerName} closed` : `A signal from ${providerName} closed`}</EmailHeading>
      {signals.map((s) => (
        <Section key={s.number}>
          <Text className={darkClass.text} style={subheadingStyle}>
            Signal #{s.number} · {s.market} {s.side.toLowerCase()}
          </Text>
          <KeyValueTable
            rows={[
              { label: "Outcome", value: s.outcome },
              { label: "Result (after fees)", value: s.result },
              ...(s.r ? [{ label: "R multiple", value: s.r }] : []),
              ...(entitled && s.levels
                ? [
                    { label: "Entry", value: s.levels.entry },
                    { label: "Exit", value: s.levels.exit },
                  ]
                : []),
              { label: "Closed", value: s.closedAt },
            ]}
          />
        </Section>
      ))}
      <EmailButton href={providerUrl}>See {providerName}&apos;s track record</EmailButton>
      <MutedNote>
        Results are the signal&apos;s own, after fees, as the track record counts them; a copy of it may differ. You get
        this because you follow {providerName}. Choose which providers alert you in your{" "}
        <Link href={settingsUrl} className={darkClass.muted} style={{ color: colors.muted, textDecoration: "underline" }}>
          email settings
        </Link>
        .
      </MutedNote>
    </EmailLayout>
  );
}

SignalClosed.PreviewProps = {
  providerName: "Northwind Trading",
  entitled: true,
  signals: [
    {
      number: 41,
      market: "ETH/USDT",
      side: "Short",
      outcome: "Target hit",
      result: "+2.41%",
      r: "+1.80R",
      closedAt: "Dec 6, 2026, 16:38 UTC",
      levels: { entry: "3,512.40", exit: "3,427.75" },
    },
  ],
  providerUrl: "https://tradsy.example/providers/northwind-trading",
  settingsUrl: "https://tradsy.example/settings",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies SignalClosedProps;

import { Link, Section, Text } from "@react-email/components";
import { EmailButton, EmailHeading, EmailText, Greeting, KeyValueTable, MutedNote } from "./_components";
import { colors, darkClass, EmailLayout } from "./_layout";

/** A provider ranked on the marketplace, with figures read from its track record when the email is queued. */
export interface SuccessStory {
  rank: number;
  displayName: string;
  profileUrl: string;
  /** Preformatted figures of the window ("+12.40%", "62.5%", "-8.10%", "48", "12"). */
  roi: string;
  winRate: string;
  maxDrawdown: string;
  closedSignals: string;
  subscribers: string;
}

export interface OnboardingSuccessStoriesProps {
  name: string;
  path: "trader" | "provider";
  /** The window the figures cover ("the last 90 days"). */
  windowLabel: string;
  /** Top providers by the marketplace's ranking score; empty when none is ranked yet (the email says so). */
  stories: SuccessStory[];
  /** What it takes to be ranked ("30 days and 20 closed signals"). */
  rankingRule: string;
  marketplaceUrl: string;
  unsubscribeUrl: string;
}

export const stream = "marketing";

export default function OnboardingSuccessStories({ name, path, windowLabel, stories, rankingRule, marketplaceUrl, unsubscribeUrl }: OnboardingSuccessStoriesProps) {
  const trader = path === "trader";
  return (
    <EmailLayout preview={stories.length ? `The top ${stories.length} providers on Tradsy, by verified record` : "How providers get ranked on Tradsy"} unsubscribeUrl={unsubscribeUrl}>
      <EmailHeading>{stories.length ? "Top providers this week" : "No ranked providers yet"}</EmailHeading>
      <Greeting name={name} />
      {stories.length ? (
        <>
          <EmailText>
            {trader
              ? `These providers lead the marketplace's ranking (a risk-adjusted score) over ${windowLabel}. Every figure is computed by Tradsy from their signals, never entered by them.`
              : `This is what leads the marketplace over ${windowLabel}: the ranking is a risk-adjusted score, so steady records with shallow drawdowns rank above lucky streaks.`}
          </EmailText>
          {stories.map((s) => (
            <Section key={s.profileUrl} style={{ margin: "0 0 8px" }}>
              <Text className={darkClass.text} style={{ color: colors.text, fontSize: 16, fontWeight: 700, margin: "0 0 6px" }}>
                #{s.rank}{" "}
                <Link href={s.profileUrl} className={darkClass.brand} style={{ color: colors.brand }}>
                  {s.displayName}
                </Link>
              </Text>
              <KeyValueTable
                rows={[
                  { label: "Return", value: s.roi },
                  { label: "Win rate", value: s.winRate },
                  { label: "Max drawdown", value: s.maxDrawdown },
                  { label: "Closed signals", value: s.closedSignals },
                  { label: "Subscribers", value: s.subscribers },
                ]}
              />
            </Section>
          ))}
        </>
      ) : (
        <EmailText>
          No provider has a ranked record yet: ranking takes {rankingRule}. We will not show you figures that do not exist yet;
          {trader ? " meanwhile you can follow providers' signals as they build their records." : " yours could be the first ranked record."}
        </EmailText>
      )}
      <EmailButton href={marketplaceUrl}>{trader ? "Browse the marketplace" : "See the marketplace"}</EmailButton>
      <MutedNote>Past results do not guarantee future returns. Trading involves risk of loss.</MutedNote>
    </EmailLayout>
  );
}

OnboardingSuccessStories.PreviewProps = {
  name: "Ada",
  path: "trader",
  windowLabel: "the last 90 days",
  stories: [
    { rank: 1, displayName: "Northwind Momentum", profileUrl: "https://tradsy.example/providers/northwind", roi: "+18.42%", winRate: "61.3%", maxDrawdown: "-6.20%", closedSignals: "48", subscribers: "37" },
    { rank: 2, displayName: "Quiet Range FX", profileUrl: "https://tradsy.example/providers/quiet-range", roi: "+9.75%", winRate: "57.1%", maxDrawdown: "-3.05%", closedSignals: "35", subscribers: "12" },
  ],
  rankingRule: "30 days and 20 closed signals",
  marketplaceUrl: "https://tradsy.example/providers",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies OnboardingSuccessStoriesProps;
